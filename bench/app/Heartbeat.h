#pragma once

#include "Samples.h"

#include <QElapsedTimer>
#include <QObject>

class QTimer;

// Event-loop latency: a 1 ms precise timer whose ticks should come 1 ms apart. Each gap between two ticks is
// recorded (in ms); a gap of 40 ms means the GUI thread could not handle anything, input or paint, for 40 ms.
class Heartbeat : public QObject
{
    Q_OBJECT

public:
    explicit Heartbeat(QObject* parent = nullptr);

    void start();
    void stop();
    // The gaps recorded since start().
    const Samples& gaps() const { return m_gaps; }

private:
    void tick();

    QTimer* m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    Samples m_gaps;
};
