#pragma once

#include "Account.h"
#include "AuthError.h"

#include <QByteArray>
#include <QDateTime>

// A successful answer of the token endpoint. The tokens are secrets: never log, print or store this outside the
// keychain (refresh token) and memory (access token).
struct TokenResponse
{
    QByteArray accessToken;
    QByteArray refreshToken; // empty when the grant returned none (then keep the old one)
    QByteArray idToken;
    QByteArray clientInfo; // base64url JSON {"uid","utid"}
    QString scope;
    QDateTime expiresAt; // UTC

    // Parses the JSON body of a 2xx answer; `now` is when the request was sent (expiry is relative to it).
    static TokenResponse parse(const QByteArray& body, const QDateTime& now, AuthError* error);
    // The operator described by the id token and client_info; checks nonce (when given) and audience.
    Account account(const QString& clientId, const QByteArray& expectedNonce, AuthError* error) const;
};
