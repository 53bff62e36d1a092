#pragma once

#include <QObject>

class QWidget;

// Start-up benchmark probe: once `window` (or any widget inside it) has been painted for the first time and that
// paint has been flushed, prints one JSON line on stdout and ends the process at once (no teardown, so the peak
// RSS the driver reads is the one of the first frame). Times are CLOCK_MONOTONIC nanoseconds, the clock the driver
// reads just before it spawns the process, so it can tell process start to first paint.
class FirstPaintProbe : public QObject
{
    Q_OBJECT

public:
    // `mainEnteredNs`: monotonicNs() on entering main(), before QApplication.
    FirstPaintProbe(QWidget& window, qint64 mainEnteredNs);

    // Marks the moment the window was constructed and shown (before the event loop runs).
    void markShown();

    static qint64 monotonicNs();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void finish();

    QWidget& m_window;
    qint64 m_mainEnteredNs;
    qint64 m_shownNs = 0;
    qint64 m_paintEventNs = 0;
};
