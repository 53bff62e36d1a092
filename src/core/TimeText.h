#pragma once

#include <QDateTime>
#include <QString>

// A time as the operator reads it in tables and details: local time, "yyyy-MM-dd HH:mm:ss"; empty when invalid.
QString localTimeText(const QDateTime& time);
