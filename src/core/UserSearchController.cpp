#include "UserSearchController.h"

#include "UserSearchModel.h"

#include <QTimer>

UserSearchController::UserSearchController(UserSearchModel& model, QObject* parent)
    : QObject(parent), m_model(model), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setTimerType(
        Qt::PreciseTimer); // a coarse timer drifts up to 5%: the pause should mean the same every time
    m_timer->setInterval(kDefaultDelayMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        fire();
        Q_EMIT pendingChanged(false);
    });
}

void UserSearchController::setDelayMs(int ms)
{
    m_timer->setInterval(ms);
}

int UserSearchController::delayMs() const
{
    return m_timer->interval();
}

bool UserSearchController::isPending() const
{
    return m_timer->isActive();
}

void UserSearchController::setText(const QString& text)
{
    m_text = text;
    const bool wasPending = m_timer->isActive();
    if (text.trimmed().size() < UserSearchModel::kMinimumLength) {
        // Nothing to ask Graph: say so at once (and drop whatever an older query still loads).
        m_timer->stop();
        m_model.search(text);
    } else {
        m_timer->start();
    }
    if (wasPending != m_timer->isActive()) {
        Q_EMIT pendingChanged(m_timer->isActive());
    }
}

void UserSearchController::searchNow()
{
    const bool wasPending = m_timer->isActive();
    m_timer->stop();
    fire();
    if (wasPending) {
        Q_EMIT pendingChanged(false);
    }
}

void UserSearchController::fire()
{
    using State = UserSearchModel::State;
    const State state = m_model.state();
    // Typing a character and deleting it again is no new query: keep the answer (or the request) there is.
    if (m_text.trimmed() == m_model.query() &&
        (state == State::Loading || state == State::Results || state == State::NoMatches)) {
        return;
    }
    m_model.search(m_text);
}
