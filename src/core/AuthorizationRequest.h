#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

// The authorize URL the system browser opens (authorization code flow with PKCE, OpenID Connect).
struct AuthorizationRequest
{
    QUrl authorizationEndpoint;
    QString clientId;
    QUrl redirectUri;
    QStringList scopes;
    QByteArray state;
    QByteArray nonce;
    QByteArray codeChallenge; // S256
    QString loginHint;        // when re-signing the same account
    QByteArray claims;        // JSON, cp1 capability merged with any claims challenge
    bool selectAccount = true;

    QUrl url() const;
};

// The scopes Session Revoker asks for: OpenID, a refresh token, and the two Graph permissions named by the cloud's
// Graph resource (https://graph.microsoft.us/User.Read.All in US Government, for example).
QStringList signInScopes(const QUrl& graphEndpoint);

// {"access_token":{"xms_cc":{"values":["cp1"]}}} merged with the claims of a CAE challenge (JSON, may be empty).
QByteArray clientCapabilityClaims(const QByteArray& challengeClaims);

// application/x-www-form-urlencoded with every byte outside the unreserved set escaped (QUrlQuery leaves + and / raw,
// which breaks authorization codes).
QByteArray formEncode(const QList<QPair<QString, QString>>& fields);
