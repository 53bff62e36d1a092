#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

// A user as Microsoft Graph returns it, with the properties Session Revoker selects.
struct DirectoryUser
{
    QString id; // object id (GUID)
    QString displayName;
    QString userPrincipalName;
    QString mail;
    QString department;
    QString jobTitle;
    QString userType;                   // "Member" or "Guest"
    std::optional<bool> accountEnabled; // only when selected
    QDateTime signInSessionsValidFrom;  // UTC; invalid when not returned
    QDateTime refreshTokensValidFrom;   // beta only; UTC; invalid when not returned

    bool isGuest() const { return userType.compare(QLatin1String("Guest"), Qt::CaseInsensitive) == 0; }
    // Missing or mistyped properties become empty values; never throws, never crashes on server input.
    static DirectoryUser fromJson(const QJsonObject& json);
};
