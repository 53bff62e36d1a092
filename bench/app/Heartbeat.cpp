#include "Heartbeat.h"

#include <QTimer>

Heartbeat::Heartbeat(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(1);
    connect(m_timer, &QTimer::timeout, this, &Heartbeat::tick);
}

void Heartbeat::start()
{
    m_gaps = Samples();
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
    if (m_lastNs >= 0) {
        m_gaps.add(static_cast<double>(now - m_lastNs) / 1e6);
    }
    m_lastNs = now;
}
