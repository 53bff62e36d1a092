#pragma once

#include "Samples.h"

#include <QElapsedTimer>
#include <QObject>

class QTimer;

// Event-loop latency: a 1 ms precise timer whose ticks should come 1 ms apart. Each gap between two ticks is
// recorded (in ms); a gap of 40 ms means the GUI thread could not handle anything, input or paint, for 40 ms.
// With each gap, the CPU time the GUI thread used during it: a long gap with little CPU is the machine (another
// process had the core), a long gap full of CPU is the app's own work.
class Heartbeat : public QObject
{
    Q_OBJECT

public:
    explicit Heartbeat(QObject* parent = nullptr);

    void start();
    void stop();
    // The gaps recorded since start().
    const Samples& gaps() const { return m_gaps; }
    // The GUI thread's CPU time during each of those gaps (ms).
    const Samples& busy() const { return m_busy; }

private:
    void tick();

    QTimer* m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    qint64 m_lastCpuNs = 0;
    Samples m_gaps;
    Samples m_busy;
};
