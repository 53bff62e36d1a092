#include "GraphClient.h"

#include "AuthSession.h"
#include "Logging.h"
#include "NetworkContext.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace {
constexpr int kMaxTop = 999; // Graph's largest page

bool isRetryable(int status)
{
    return status == 429 || status == 503 || status == 504;
}

// The `claims` of a CAE challenge: WWW-Authenticate: Bearer ..., error="insufficient_claims", claims="<base64>".
QByteArray claimsChallenge(const QByteArray& wwwAuthenticate)
{
    if (!wwwAuthenticate.contains("insufficient_claims")) {
        return {};
    }
    static const QRegularExpression claims(QStringLiteral("claims=\"([^\"]*)\""));
    const QRegularExpressionMatch match = claims.match(QString::fromLatin1(wwwAuthenticate));
    if (!match.hasMatch()) {
        return {};
    }
    const auto decoded = QByteArray::fromBase64Encoding(match.captured(1).toLatin1());
    return decoded ? *decoded : QByteArray();
}

QString hostAndPort(const QUrl& url)
{
    return url.port() < 0 ? url.host() : QStringLiteral("%1:%2").arg(url.host()).arg(url.port());
}

bool sameOrigin(const QUrl& a, const QUrl& b)
{
    const auto defaultPort = [](const QUrl& url) {
        return url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80;
    };
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0 &&
           a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && a.port(defaultPort(a)) == b.port(defaultPort(b)) &&
           a.userInfo().isEmpty();
}

// One logical Graph request: the token, the request, and its retries (401 once after a refresh; 429/503/504 after
// Retry-After). Every attempt is the very same method, URL and client-request-id.
class GraphRequestJob final : public GraphJob
{
public:
    struct Spec
    {
        QByteArray verb; // "GET" or "POST"
        QUrl url;
        bool eventual = false; // ConsistencyLevel: eventual ($search, $count)
        GraphError::Operation operation = GraphError::Operation::Read;
        QString name; // for the log: never the URL
    };

    GraphRequestJob(NetworkContext& network, AuthSession& auth, Spec spec, int maxRetries, int maxWaitSecs,
                    QObject* parent)
        : GraphJob(parent), m_network(network), m_auth(auth), m_spec(std::move(spec)), m_maxRetries(maxRetries),
          m_maxWaitSecs(maxWaitSecs), m_clientRequestId(QUuid::createUuid().toByteArray(QUuid::WithoutBraces)),
          m_retryTimer(new QTimer(this)), m_countdownTimer(new QTimer(this))
    {
        m_retryTimer->setSingleShot(true);
        m_retryTimer->setTimerType(Qt::PreciseTimer);
        connect(m_retryTimer, &QTimer::timeout, this, [this] {
            m_countdownTimer->stop();
            requestToken();
        });
        m_countdownTimer->setInterval(1000);
        connect(m_countdownTimer, &QTimer::timeout, this, [this] {
            if (--m_countdown > 0) {
                Q_EMIT retryCountdown(m_countdown);
            } else {
                m_countdownTimer->stop(); // the retry timer fires now
            }
        });
    }

    ~GraphRequestJob() override { dropReply(); }

    void start() { requestToken(); }

    void failSoon(const GraphError& error)
    {
        QMetaObject::invokeMethod(
            this,
            [this, error] {
                GraphReply reply;
                reply.error = error;
                reply.clientRequestId = QString::fromLatin1(m_clientRequestId);
                finish(reply);
            },
            Qt::QueuedConnection);
    }

    void abort() override
    {
        if (m_done) {
            return;
        }
        dropReply();
        m_retryTimer->stop();
        m_countdownTimer->stop();
        GraphReply reply;
        reply.sentAt = m_sentAt;
        reply.clientRequestId = QString::fromLatin1(m_clientRequestId);
        reply.error = GraphError::make(GraphError::Kind::Cancelled, tr("Cancelled."));
        reply.error.clientRequestId = reply.clientRequestId;
        finish(reply);
    }

private:
    void dropReply()
    {
        if (m_reply) {
            QNetworkReply* reply = std::exchange(m_reply, nullptr);
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
        }
    }

    void requestToken()
    {
        m_auth.requestAccessToken(this, [this](const QByteArray& token, const AuthError& error) {
            if (m_done) {
                return;
            }
            if (error.isError()) {
                GraphReply reply;
                reply.sentAt = m_sentAt;
                reply.clientRequestId = QString::fromLatin1(m_clientRequestId);
                reply.error = GraphError::make(GraphError::Kind::SignInRequired, error.message);
                reply.error.clientRequestId = reply.clientRequestId;
                finish(reply);
                return;
            }
            send(token);
        });
    }

    void send(const QByteArray& token)
    {
        QNetworkRequest request = m_network.request(m_spec.url);
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setRawHeader("client-request-id", m_clientRequestId);
        request.setRawHeader("Accept", "application/json");
        if (m_spec.eventual) {
            request.setRawHeader("ConsistencyLevel", "eventual");
        }
        m_sentAt = QDateTime::currentDateTimeUtc();
        m_elapsed.start();
        if (m_spec.verb == "POST") {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            m_reply = m_network.manager()->post(request, QByteArray());
        } else {
            m_reply = m_network.manager()->get(request);
        }
        connect(m_reply, &QNetworkReply::finished, this, &GraphRequestJob::onReplyFinished);
    }

    void onReplyFinished()
    {
        QNetworkReply* network = std::exchange(m_reply, nullptr);
        if (!network) {
            return;
        }
        network->deleteLater();
        if (m_done) {
            return;
        }

        GraphReply reply;
        reply.sentAt = m_sentAt;
        reply.httpStatus = network->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply.requestId = QString::fromLatin1(network->rawHeader("request-id"));
        const QByteArray echoed = network->rawHeader("client-request-id");
        reply.clientRequestId = QString::fromLatin1(echoed.isEmpty() ? m_clientRequestId : echoed);
        const int status = reply.httpStatus;

        if (GraphError transport = GraphError::fromTransport(network); transport.isError()) {
            reply.error = transport;
        } else if (status >= 200 && status < 300) {
            reply.error =
                GraphError::fromSuccessBody(network->header(QNetworkRequest::ContentTypeHeader).toString().toLatin1(),
                                            network->readAll(), &reply.json);
        } else {
            const double retryAfter =
                GraphError::parseRetryAfter(network->rawHeader("Retry-After"), QDateTime::currentDateTimeUtc());
            const QByteArray challenge =
                status == 401 ? claimsChallenge(network->rawHeader("WWW-Authenticate")) : QByteArray();
            if (status == 401 && !m_authRetried) {
                // An access token the resource no longer takes (expired early, revoked, CAE): refresh once.
                m_authRetried = true;
                qCInfo(lcGraph).noquote() << m_spec.name << "HTTP 401: renewing the access token and retrying once"
                                          << "client-request-id" << m_clientRequestId;
                m_auth.accessTokenRejected(challenge);
                requestToken();
                return;
            }
            if (isRetryable(status) && m_retries < m_maxRetries) {
                ++m_retries;
                waitAndRetry(retryAfter, status);
                return;
            }
            reply.error = GraphError::fromHttp(status, network->readAll(), m_spec.operation, retryAfter);
            reply.error.claimsChallenge = challenge;
        }
        if (reply.error.isError()) {
            reply.error.httpStatus = status;
            if (reply.error.requestId.isEmpty()) {
                reply.error.requestId = reply.requestId;
            }
            if (reply.error.clientRequestId.isEmpty()) {
                reply.error.clientRequestId = reply.clientRequestId;
            }
        }
        finish(reply);
    }

    void waitAndRetry(double retryAfter, int status)
    {
        double wait = retryAfter;
        if (wait < 0) {
            // No Retry-After: exponential backoff from one second (1, 2, 4 s, ...), less up to a fifth of jitter so
            // that clients throttled together do not come back together.
            const double base = std::pow(2.0, m_backoffs++);
            wait = base * (1.0 - QRandomGenerator::global()->bounded(0.2));
        }
        wait = std::min(wait, static_cast<double>(std::max(0, m_maxWaitSecs)));
        const auto waitMs = static_cast<qint64>(std::ceil(wait * 1000.0));
        qCInfo(lcGraph).noquote() << m_spec.name << "HTTP" << status << "- retry" << m_retries << "of" << m_maxRetries
                                  << "in" << waitMs << "ms, client-request-id" << m_clientRequestId;
        m_countdown = static_cast<int>(std::ceil(wait));
        m_retryTimer->start(std::chrono::milliseconds(waitMs));
        m_countdownTimer->start();
        Q_EMIT retryCountdown(m_countdown);
    }

    void finish(const GraphReply& reply)
    {
        if (m_done) {
            return;
        }
        m_done = true;
        m_retryTimer->stop();
        m_countdownTimer->stop();
        if (reply.error.isError()) {
            if (reply.error.kind == GraphError::Kind::Cancelled) {
                qCInfo(lcGraph).noquote() << m_spec.name << "cancelled, client-request-id" << m_clientRequestId;
            } else {
                qCWarning(lcGraph).noquote() << m_spec.name << "failed:" << reply.error.logText();
            }
        } else {
            qCDebug(lcGraph).noquote() << m_spec.name << "HTTP" << reply.httpStatus << "in" << m_elapsed.elapsed()
                                       << "ms, request-id" << reply.requestId << "client-request-id"
                                       << reply.clientRequestId;
        }
        Q_EMIT finished(reply);
        deleteLater();
    }

    NetworkContext& m_network;
    AuthSession& m_auth;
    const Spec m_spec;
    const int m_maxRetries;
    const int m_maxWaitSecs;
    const QByteArray m_clientRequestId; // one per logical request, kept across its retries
    QTimer* m_retryTimer;
    QTimer* m_countdownTimer;
    int m_countdown = 0; // whole seconds left in the current retry wait
    QElapsedTimer m_elapsed;
    QNetworkReply* m_reply = nullptr;
    QDateTime m_sentAt;
    int m_retries = 0;
    int m_backoffs = 0; // waits so far without a Retry-After
    bool m_authRetried = false;
    bool m_done = false;
};
} // namespace

struct GraphClient::Call
{
    QByteArray verb;
    QUrl url;
    bool eventual = false;
    GraphError::Operation operation = GraphError::Operation::Read;
    QString name;
};

// ---------------------------------------------------------------------------------------------------------------

UserPage UserPage::fromReply(const GraphReply& reply)
{
    UserPage page;
    const QJsonArray values = reply.json.value(QLatin1String("value")).toArray();
    page.users.reserve(values.size());
    for (const QJsonValue& value : values) {
        if (value.isObject()) {
            page.users.append(DirectoryUser::fromJson(value.toObject()));
        }
    }
    const QJsonValue next = reply.json.value(QLatin1String("@odata.nextLink"));
    if (next.isString() && !next.toString().isEmpty()) {
        // Opaque: kept exactly as Graph wrote it (already encoded).
        page.nextLink = QUrl(next.toString(), QUrl::StrictMode);
        if (!page.nextLink.isValid()) {
            page.nextLink = QUrl(next.toString(), QUrl::TolerantMode);
        }
    }
    const QJsonValue count = reply.json.value(QLatin1String("@odata.count"));
    if (count.isDouble()) {
        const double number = count.toDouble();
        if (number >= 0 && number <= 9.0e15 && std::floor(number) == number) {
            page.count = static_cast<qint64>(number);
        }
    } else if (count.isString()) { // IEEE754Compatible=true writes 64-bit numbers as strings
        bool ok = false;
        const qint64 number = count.toString().toLongLong(&ok);
        if (ok && number >= 0) {
            page.count = number;
        }
    }
    return page;
}

GraphClient::GraphClient(NetworkContext& network, AuthSession& auth, const QUrl& graphEndpoint, QObject* parent)
    : QObject(parent), m_network(network), m_auth(auth), m_graph(graphEndpoint)
{
}

QString GraphClient::selectList(bool beta)
{
    QString select = QStringLiteral("id,displayName,userPrincipalName,mail,department,jobTitle,accountEnabled,userType,"
                                    "signInSessionsValidFromDateTime");
    if (beta) {
        select += QStringLiteral(",refreshTokensValidFromDateTime");
    }
    return select;
}

QUrl GraphClient::versionUrl(bool beta, const QString& encodedPath) const
{
    QUrl url = m_graph;
    QString base = m_graph.path(QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/'))) {
        base.chop(1);
    }
    url.setPath(base + (beta ? QStringLiteral("/beta/") : QStringLiteral("/v1.0/")) + encodedPath, QUrl::StrictMode);
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

GraphJob* GraphClient::start(const Call& call)
{
    if (!call.url.isValid()) {
        return fail(call.name, GraphError::make(GraphError::Kind::BadRequest,
                                                tr("Session Revoker could not build a valid request for this input.")));
    }
    GraphRequestJob::Spec spec{call.verb, call.url, call.eventual, call.operation, call.name};
    auto* job = new GraphRequestJob(m_network, m_auth, std::move(spec), m_maxRetries, m_maxRetryWaitSecs, this);
    job->start();
    return job;
}

GraphJob* GraphClient::fail(const QString& name, const GraphError& error)
{
    GraphRequestJob::Spec spec;
    spec.name = name;
    auto* job = new GraphRequestJob(m_network, m_auth, std::move(spec), 0, 0, this);
    job->failSoon(error);
    return job;
}

GraphJob* GraphClient::searchUsers(const QString& text, int top)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        return fail(QStringLiteral("searchUsers"),
                    GraphError::make(GraphError::Kind::BadRequest,
                                     tr("Type part of a name, user name or e-mail address to search for.")));
    }
    QUrl url = versionUrl(false, QStringLiteral("users"));
    // StrictMode: the query is already encoded; QUrl must neither encode it again nor decode any of it.
    url.setQuery(GraphQuery::userSearchQuery(trimmed, top), QUrl::StrictMode);
    return start({"GET", url, true, GraphError::Operation::List, QStringLiteral("searchUsers")});
}

GraphJob* GraphClient::nextPage(const QUrl& nextLink)
{
    const QUrl url = nextLink.isRelative() ? m_graph.resolved(nextLink) : nextLink;
    if (!url.isValid() || !sameOrigin(url, m_graph)) {
        // The request would carry the operator's token: it goes to the configured Graph endpoint or nowhere.
        return fail(QStringLiteral("nextPage"),
                    GraphError::make(GraphError::Kind::Parse,
                                     tr("The link to the next page points to %1, not to Microsoft Graph at %2; it "
                                        "was not followed.")
                                         .arg(hostAndPort(url), hostAndPort(m_graph))));
    }
    // The link repeats the query's options: a $search or $count query needs its consistency level on every page.
    const QString options = url.query(QUrl::FullyDecoded);
    const bool eventual = options.contains(QLatin1String("$search"), Qt::CaseInsensitive) ||
                          options.contains(QLatin1String("$count"), Qt::CaseInsensitive);
    return start({"GET", url, eventual, GraphError::Operation::List, QStringLiteral("nextPage")});
}

GraphJob* GraphClient::getUser(const QString& idOrUpn, bool beta)
{
    const QString key = idOrUpn.trimmed();
    if (key.isEmpty()) {
        return fail(QStringLiteral("getUser"),
                    GraphError::make(GraphError::Kind::BadRequest, tr("No user was given.")));
    }
    QUrl url = versionUrl(beta, GraphQuery::userPath(key));
    url.setQuery(QStringLiteral("$select=") + selectList(beta), QUrl::StrictMode);
    return start({"GET", url, false, GraphError::Operation::Read, QStringLiteral("getUser")});
}

GraphJob* GraphClient::revokeSessions(const QString& objectId, RevokeApi api)
{
    // A revocation goes to the object id the operator confirmed, never to a name that could resolve to someone else.
    if (!GraphQuery::looksLikeObjectId(objectId)) {
        return fail(
            QStringLiteral("revokeSessions"),
            GraphError::make(GraphError::Kind::BadRequest,
                             tr("Sessions can only be revoked for a user's object id, not for \"%1\".").arg(objectId)));
    }
    const bool beta = api == RevokeApi::InvalidateAllRefreshTokens;
    const QString action = beta ? QStringLiteral("invalidateAllRefreshTokens") : QStringLiteral("revokeSignInSessions");
    const QUrl url = versionUrl(beta, GraphQuery::userPath(objectId) + QLatin1Char('/') + action);
    return start({"POST", url, false, GraphError::Operation::Revoke, action});
}

GraphJob* GraphClient::revokeMySessions(RevokeApi api)
{
    const bool beta = api == RevokeApi::InvalidateAllRefreshTokens;
    const QString action = beta ? QStringLiteral("invalidateAllRefreshTokens") : QStringLiteral("revokeSignInSessions");
    const QUrl url = versionUrl(beta, QStringLiteral("me/") + action);
    return start({"POST", url, false, GraphError::Operation::RevokeSelf, QStringLiteral("me/") + action});
}

// ---------------------------------------------------------------------------------------------------------------

namespace GraphQuery {
QString searchClause(const QString& property, const QString& text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + property + QLatin1Char(':') + escaped + QLatin1Char('"');
}

QString userSearchExpression(const QString& text)
{
    return searchClause(QStringLiteral("displayName"), text) + QLatin1String(" OR ") +
           searchClause(QStringLiteral("userPrincipalName"), text) + QLatin1String(" OR ") +
           searchClause(QStringLiteral("mail"), text);
}

QString userSearchQuery(const QString& text, int top)
{
    // The $search value is percent-encoded whole (quotes, spaces, colons, '+', '&', any script); the keys and the
    // select list are plain ASCII that needs no encoding.
    // Concatenated, not QString::arg(): the encoded value is full of "%3A"-like sequences that arg() would fill in.
    return QLatin1String("$search=") + QString::fromLatin1(QUrl::toPercentEncoding(userSearchExpression(text))) +
           QLatin1String("&$select=") + GraphClient::selectList(false) + QLatin1String("&$top=") +
           QString::number(std::clamp(top, 1, kMaxTop)) + QLatin1String("&$count=true");
}

QString userPath(const QString& idOrUpn)
{
    if (idOrUpn.startsWith(QLatin1Char('$'))) {
        // Graph reads /users/$x as a system query option; the key syntax users('...') addresses the user.
        QString quoted = idOrUpn;
        quoted.replace(QLatin1Char('\''), QLatin1String("''"));
        return QStringLiteral("users('%1')").arg(QString::fromLatin1(QUrl::toPercentEncoding(quoted, "@$'")));
    }
    // One path segment: '#' (guests' #EXT#) becomes %23, '/' %2F, and so on; '@' is allowed as it is.
    return QStringLiteral("users/") + QString::fromLatin1(QUrl::toPercentEncoding(idOrUpn, "@"));
}

bool looksLikeObjectId(const QString& text)
{
    static const QRegularExpression guid(
        QStringLiteral("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"));
    return guid.match(text).hasMatch();
}

bool looksLikeUserPrincipalName(const QString& text)
{
    // local@domain.tld; the local part may start with '$' and hold a guest's "#EXT#", the domain is a DNS name.
    static const QRegularExpression upn(QStringLiteral(
        "^[^\\s@/\\\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
        "\\.[A-Za-z]{2,63}$"));
    return upn.match(text).hasMatch();
}
} // namespace GraphQuery
