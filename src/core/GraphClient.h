#pragma once

#include "DirectoryUser.h"
#include "GraphError.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>

#include <optional>

class AuthSession;
class NetworkContext;

// Which Graph call revokes: the GA v1.0 action, or the seed's beta one.
enum class RevokeApi
{
    RevokeSignInSessions,       // POST /v1.0/users/{id}/revokeSignInSessions (200 {"value":true})
    InvalidateAllRefreshTokens, // POST /beta/users/{id}/invalidateAllRefreshTokens (204)
};

// The answer of one Graph call, after retries: the HTTP status, the JSON body (empty for 204) and the ids that tie
// it to Microsoft's logs. `error.kind == None` for any 2xx.
struct GraphReply
{
    int httpStatus = 0;
    QJsonObject json;
    GraphError error;
    QString requestId;
    QString clientRequestId;
    QDateTime sentAt; // UTC, when the (last) attempt was sent
};

struct UserPage
{
    QList<DirectoryUser> users;
    QUrl nextLink;               // empty on the last page
    std::optional<qint64> count; // @odata.count, on the first page of a $count=true query
    static UserPage fromReply(const GraphReply& reply);
};

// One Graph request with its retries; emits finished() exactly once, then deletes itself.
class GraphJob : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    // Stops the request or the retry wait; finished() follows with GraphError::Kind::Cancelled before abort()
    // returns. Does nothing once finished() was emitted.
    virtual void abort() = 0;

Q_SIGNALS:
    // A 429/503/504 answer: the request is sent again in `seconds` (counting down once a second), unless aborted.
    void retryCountdown(int seconds);
    void finished(const GraphReply& reply);
};

// Microsoft Graph for Session Revoker: find users, read one, revoke sessions. Every request carries the signed-in
// operator's access token (refreshed once on a 401), a client-request-id, and honours Retry-After on 429/503.
// A retry only ever repeats the very same request: nothing retried can act on another user.
class GraphClient : public QObject
{
    Q_OBJECT

public:
    GraphClient(NetworkContext& network, AuthSession& auth, const QUrl& graphEndpoint, QObject* parent = nullptr);

    // Properties asked for on every user read.
    static QString selectList(bool beta);

    // $search over displayName, userPrincipalName and mail, with ConsistencyLevel: eventual and $count=true.
    GraphJob* searchUsers(const QString& text, int top = 100);
    // The next page of a listing (the opaque @odata.nextLink of the previous page).
    GraphJob* nextPage(const QUrl& nextLink);
    // GET /users/{id or upn}; `$`-prefixed UPNs and `#EXT#` guests are addressed the way Graph requires.
    GraphJob* getUser(const QString& idOrUpn, bool beta = false);
    GraphJob* revokeSessions(const QString& objectId, RevokeApi api);
    GraphJob* revokeMySessions(RevokeApi api); // /me

    void setMaxRetries(int retries) { m_maxRetries = retries; }
    void setMaxRetryWaitSecs(int secs) { m_maxRetryWaitSecs = secs; }

private:
    struct Call;
    GraphJob* start(const Call& call);
    // A job that fails without sending anything (still asynchronously, like every job).
    GraphJob* fail(const QString& name, const GraphError& error);
    // {graph}/{v1.0|beta}/{encodedPath}
    QUrl versionUrl(bool beta, const QString& encodedPath) const;

    NetworkContext& m_network;
    AuthSession& m_auth;
    QUrl m_graph;
    int m_maxRetries = 3;
    int m_maxRetryWaitSecs = 60;
};

namespace GraphQuery {
// One $search clause: "property:text" with `"` and `\` escaped by a backslash.
QString searchClause(const QString& property, const QString& text);
// "displayName:t" OR "userPrincipalName:t" OR "mail:t"
QString userSearchExpression(const QString& text);
// The encoded query of a user search: $search=<the expression, percent-encoded whole>&$select=...&$top=N&$count=true.
// `top` is clamped to Graph's 1..999.
QString userSearchQuery(const QString& text, int top);
// The path of a user below the version segment: users/{id}, users/{upn with # as %23}, users('$upn').
QString userPath(const QString& idOrUpn);
bool looksLikeObjectId(const QString& text);
bool looksLikeUserPrincipalName(const QString& text);
} // namespace GraphQuery
