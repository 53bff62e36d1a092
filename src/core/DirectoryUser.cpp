#include "DirectoryUser.h"

#include <QJsonValue>
#include <QTimeZone>

namespace {
QString stringValue(const QJsonObject& json, QLatin1String key)
{
    const QJsonValue value = json.value(key);
    return value.isString() ? value.toString() : QString();
}

// Graph writes UTC as "2026-11-25T13:02:11Z" (sometimes with up to seven fraction digits). A time without an
// offset is taken as UTC too; anything unreadable stays invalid.
QDateTime utcValue(const QJsonObject& json, QLatin1String key)
{
    const QString text = stringValue(json, key).trimmed();
    if (text.isEmpty()) {
        return {};
    }
    QDateTime when = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!when.isValid()) {
        return {};
    }
    if (when.timeSpec() == Qt::LocalTime) {
        when.setTimeZone(QTimeZone::utc());
    }
    return when.toUTC();
}
} // namespace

DirectoryUser DirectoryUser::fromJson(const QJsonObject& json)
{
    DirectoryUser user;
    user.id = stringValue(json, QLatin1String("id"));
    user.displayName = stringValue(json, QLatin1String("displayName"));
    user.userPrincipalName = stringValue(json, QLatin1String("userPrincipalName"));
    user.mail = stringValue(json, QLatin1String("mail"));
    user.department = stringValue(json, QLatin1String("department"));
    user.jobTitle = stringValue(json, QLatin1String("jobTitle"));
    user.userType = stringValue(json, QLatin1String("userType"));
    const QJsonValue enabled = json.value(QLatin1String("accountEnabled"));
    if (enabled.isBool()) {
        user.accountEnabled = enabled.toBool();
    }
    user.signInSessionsValidFrom = utcValue(json, QLatin1String("signInSessionsValidFromDateTime"));
    user.refreshTokensValidFrom = utcValue(json, QLatin1String("refreshTokensValidFromDateTime"));
    return user;
}
