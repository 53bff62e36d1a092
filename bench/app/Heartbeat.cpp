#include "Heartbeat.h"

#include <QTimer>

#include <ctime>

namespace {
qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<qint64>(now.tv_sec) * 1000000000 + now.tv_nsec;
}
} // namespace

Heartbeat::Heartbeat(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(1);
    connect(m_timer, &QTimer::timeout, this, &Heartbeat::tick);
}

void Heartbeat::start()
{
    m_gaps = Samples();
    m_busy = Samples();
    m_lastNs = -1;
    m_clock.start();
    m_timer->start();
}

void Heartbeat::stop()
{
    m_timer->stop();
}

void Heartbeat::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 cpu = threadCpuNs();
    if (m_lastNs >= 0) {
        m_gaps.add(static_cast<double>(now - m_lastNs) / 1e6);
        m_busy.add(static_cast<double>(cpu - m_lastCpuNs) / 1e6);
    }
    m_lastNs = now;
    m_lastCpuNs = cpu;
}
