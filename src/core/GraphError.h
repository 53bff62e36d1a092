#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

class QNetworkReply;

// Why a Graph request failed, mapped once from transport errors, HTTP status and Graph's error body
// ({"error":{"code","message","innerError":{...}}}). Branch on `kind` and `code`, never on `serverMessage`.
struct GraphError
{
    enum class Kind
    {
        None,
        Cancelled,      // the operator cancelled (also during a retry wait)
        SignInRequired, // no usable sign-in: the operator must sign in (again)
        Unauthorized,   // 401 after one silent refresh
        Forbidden,      // 403 Authorization_RequestDenied: missing permission or admin role
        NotFound,       // 404 Request_ResourceNotFound
        BadRequest,     // 400 (Request_BadRequest, Request_UnsupportedQuery, ...)
        Throttled,      // 429 after the allowed retries
        Unavailable,    // 5xx after the allowed retries
        Network,        // no HTTP answer: DNS, refused, reset, TLS
        Timeout,
        Parse, // an answer we could not understand
    };

    // What the failed request was for: the same status means different things to the operator.
    enum class Operation
    {
        List,       // $search and paging
        Read,       // one user
        Revoke,     // another user's sessions
        RevokeSelf, // the operator's own sessions (/me)
    };

    Kind kind = Kind::None;
    int httpStatus = 0;
    QString code;          // Graph's error code, e.g. "Authorization_RequestDenied"
    QString message;       // for the operator, translated, says what happened and what to do
    QString serverMessage; // Graph's own message, for the log and the details
    QString requestId;
    QString clientRequestId;
    double retryAfterSecs = 0;  // from Retry-After, when the server sent one
    QByteArray claimsChallenge; // decoded `claims` of a 401 CAE challenge (insufficient_claims), for signIn()

    bool isError() const { return kind != Kind::None; }
    // One line for a log: kind, status, code and the correlation ids; never a token or a URL.
    QString logText() const;
    static QString kindName(Kind kind);

    static GraphError make(Kind kind, const QString& message);
    // A non-2xx HTTP answer: the kind from the status (and Graph's `code`), the code, Graph's message and its ids
    // from the error body when it has Graph's shape. Any body is accepted: garbage only loses the details.
    // `retryAfterSecs`: what the server asked for (429/503), named in the message.
    static GraphError fromHttp(int httpStatus, const QByteArray& body, Operation operation, double retryAfterSecs = 0);
    // A 2xx answer's body: empty, or a JSON object (stored in `json`). Anything else is Kind::Parse.
    static GraphError fromSuccessBody(const QByteArray& contentType, const QByteArray& body, QJsonObject* json);
    // A reply that brought no complete HTTP answer: DNS, refused, reset, TLS, timeout, a body cut off.
    static GraphError fromTransport(QNetworkReply* reply);
    // Retry-After: delta-seconds (fractions allowed) or an HTTP date; negative when absent or unreadable.
    static double parseRetryAfter(const QByteArray& value, const QDateTime& nowUtc);
};
