#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// The signed-in operator, as the id token and client_info describe them. Not a secret: shown in the status bar.
struct Account
{
    QString homeAccountId; // "<uid>.<utid>" from client_info, as MSAL keys accounts
    QString username;      // preferred_username, e.g. helpdesk@contoso.test
    QString name;
    QString tenantId;
    QString objectId;
    QStringList roleTemplateIds; // wids of the access token: directory roles, for display only

    bool isValid() const { return !homeAccountId.isEmpty() && !username.isEmpty(); }
    QJsonObject toJson() const;
    static Account fromJson(const QJsonObject& json);

    friend bool operator==(const Account&, const Account&) = default;
};

// Reads the claims of a JWT without checking its signature: the token came straight from the token endpoint over
// a verified TLS connection (as MSAL does for public clients). Returns an empty object for anything malformed.
QJsonObject jwtClaims(const QByteArray& jwt);
// Display names of the well-known directory roles among `roleTemplateIds` (e.g. "Helpdesk Administrator").
QStringList directoryRoleNames(const QStringList& roleTemplateIds);
