#pragma once

#include <QDateTime>

// The time seam: token expiry and audit timestamps read the clock through this, so tests can move time.
class Clock
{
public:
    Clock() = default;
    virtual ~Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;

    virtual QDateTime nowUtc() const { return QDateTime::currentDateTimeUtc(); }
};
