#pragma once

#include <QList>
#include <QString>

class QNetworkReply;

// Why signing in or refreshing failed, mapped once from transport, HTTP and OAuth errors.
// `message` is for the operator (translated); the rest is for branching and for the log.
struct AuthError
{
    enum class Kind
    {
        None,
        Cancelled,           // the operator cancelled
        Timeout,             // no answer in time (network or browser)
        Network,             // transport failure: DNS, refused, reset, proxy
        Tls,                 // certificate or handshake failure; never ignored
        Configuration,       // unusable settings, discovery document wrong, insecure endpoint
        Browser,             // the system browser could not be opened
        Callback,            // the loopback redirect was malformed or forged (wrong state)
        AccessDenied,        // the operator declined or cancelled on the sign-in page
        InvalidGrant,        // the refresh token or code is no longer usable: sign in interactively
        InteractionRequired, // Entra wants the operator in front of the browser (MFA, consent, policy)
        Server,              // any other OAuth error answer
        Parse,               // an answer we could not understand
    };

    Kind kind = Kind::None;
    QString message;
    QString oauthError;    // "invalid_grant", "access_denied", ...
    QList<int> errorCodes; // AADSTS codes, e.g. 50173
    int httpStatus = 0;
    QString correlationId;

    bool isError() const { return kind != Kind::None; }
    // The stored account cannot be used any more; only an interactive sign-in helps.
    bool requiresInteractiveSignIn() const { return kind == Kind::InvalidGrant || kind == Kind::InteractionRequired; }
    // One line for a log: kind, codes and status; never a token.
    QString logText() const;

    static AuthError make(Kind kind, const QString& message);
    // Maps an OAuth error answer (token endpoint JSON, or the error/error_description of a redirect).
    static AuthError fromOAuth(const QString& error, const QString& description, const QList<int>& codes,
                               int httpStatus);
    // Maps a finished reply that is not a 2xx: transport errors, TLS errors, and token endpoint error bodies.
    static AuthError fromTokenReply(QNetworkReply* reply, const QByteArray& body);
    // Transport-level failure (no usable HTTP answer at all), or Kind::None when the reply got an answer.
    static AuthError fromTransport(QNetworkReply* reply);
};
