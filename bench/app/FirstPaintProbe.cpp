#include "FirstPaintProbe.h"

#include <QApplication>
#include <QEvent>
#include <QWidget>

#include <cstdio>
#include <cstdlib>
#include <ctime>

FirstPaintProbe::FirstPaintProbe(QWidget& window, qint64 mainEnteredNs)
    : m_window(window), m_mainEnteredNs(mainEnteredNs)
{
    // On the application, not the window: the first widget painted may be a child (the window may paint nothing
    // itself), and both programs pay the same per-event filter cost.
    qApp->installEventFilter(this);
}

qint64 FirstPaintProbe::monotonicNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<qint64>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void FirstPaintProbe::markShown()
{
    m_shownNs = monotonicNs();
}

bool FirstPaintProbe::eventFilter(QObject* watched, QEvent* event)
{
    if (m_paintEventNs == 0 && event->type() == QEvent::Paint && watched->isWidgetType() &&
        static_cast<QWidget*>(watched)->window() == &m_window) {
        m_paintEventNs = monotonicNs();
        // Queued: runs once this whole paint pass (every widget of the frame, and the flush) is done.
        QMetaObject::invokeMethod(this, &FirstPaintProbe::finish, Qt::QueuedConnection);
    }
    return QObject::eventFilter(watched, event);
}

void FirstPaintProbe::finish()
{
    const qint64 painted = monotonicNs();
    std::printf("{\"main_entered_ns\": %lld, \"shown_ns\": %lld, \"paint_event_ns\": %lld, \"painted_ns\": %lld, "
                "\"width\": %d, \"height\": %d}\n",
                static_cast<long long>(m_mainEnteredNs), static_cast<long long>(m_shownNs),
                static_cast<long long>(m_paintEventNs), static_cast<long long>(painted), m_window.width(),
                m_window.height());
    std::fflush(stdout);
    std::_Exit(0);
}
