#include "AuthSession.h"
#include "Clock.h"
#include "GraphClient.h"
#include "MemoryTokenStore.h"
#include "NetworkContext.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QUuid>

namespace {
class FakeClock : public Clock
{
public:
    QDateTime nowUtc() const override { return m_now; }

private:
    QDateTime m_now = QDateTime::currentDateTimeUtc();
};

const QString kLostId = QStringLiteral("11111111-1111-4111-8111-000000000005");
const QString kAdminId = QStringLiteral("11111111-1111-4111-8111-000000000003");
const QString kNoraId = QStringLiteral("11111111-1111-4111-8111-000000000004");

// A fault for POST /_sim/faults: `path` is a regular expression searched in the request path.
QJsonObject fault(const QString& path, const QString& kind, int count = 1, double retryAfter = 0)
{
    return {{QStringLiteral("path"), path},
            {QStringLiteral("kind"), kind},
            {QStringLiteral("count"), count},
            {QStringLiteral("retry_after"), retryAfter}};
}

// A stand-in for Graph where a test must see the requests themselves (headers, retries) or needs answers tenant-sim
// does not give: plays canned HTTP answers in order (the last one repeats) and records every request's head.
class ScriptedGraph : public QObject
{
public:
    struct Seen
    {
        QByteArray method;
        QByteArray target;
        QHash<QByteArray, QByteArray> headers; // names lower-cased
    };

    explicit ScriptedGraph(QList<QByteArray> answers) : m_answers(std::move(answers))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    const QList<Seen>& seen() const { return m_seen; }

    static QByteArray answer(int status, const QList<QPair<QByteArray, QByteArray>>& headers, const QByteArray& body)
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " Status\r\n";
        for (const auto& [name, value] : headers) {
            out += name + ": " + value + "\r\n";
        }
        return out + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    static QByteArray graphError(int status, const QByteArray& code, QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        return answer(status, headers, R"({"error":{"code":")" + code + R"(","message":"Scripted."}})");
    }

private:
    void onData(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        Seen seen;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> request = lines.value(0).trimmed().split(' ');
        seen.method = request.value(0);
        seen.target = request.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0) {
                seen.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
            }
        }
        m_buffers.remove(socket);
        m_seen.append(seen);
        socket->write(m_answers.value(std::min(m_seen.size(), m_answers.size()) - 1));
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<QByteArray> m_answers;
    QList<Seen> m_seen;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};
} // namespace

// GraphClient against the real tenant-sim over TCP: searches, paging, reads, both revoke calls, the role rules,
// deletion, throttling and retries, cancellation, token renewal, and broken answers from the network.
class TestGraphClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void searchFindsApostropheNames();
    void searchEscapesQuotesAndBackslashes();
    void searchFindsNonLatinNames();
    void pagingReachesTheEndWithoutDuplicates();
    void nextPageElsewhereIsNotFollowed();
    void getUserByIdAndUpn();
    void getUserWithDollarAndGuestUpns();
    void getUserBetaReadsRefreshTokensValidFrom();
    void revokeSignInSessionsV1();
    void invalidateAllRefreshTokensBeta();
    void helpdeskCannotRevokeAGlobalAdmin();
    void deletedUserIsNotFound();
    void badInputIsRefusedWithoutSending();
    void badRequestCarriesGraphsMessage();
    void throttledThenSucceeds();
    void throttledRevokeIsRetriedOnce();
    void unavailableThenSucceeds();
    void retriesExhaustedIsThrottled();
    void unavailableExhaustedIsUnavailable();
    void abortDuringCountdown();
    void abortDuringRequest();
    void malformedJsonIsParseError();
    void truncatedAnswerIsParseError();
    void wrongContentTypeIsParseError();
    void hangIsTimeout();
    void connectionResetIsNetworkError();
    void expiredTokenIsRenewedOnce();
    void ownRevokedSessionsRequireSignIn();
    void requestsCarryTheHeadersGraphNeeds();
    void unauthorizedAfterOneRenewal();
    void retriesRepeatTheSameRequest();
    void redirectsAreNotFollowed();
    void tlsWithoutTheCaIsExplained();

private:
    struct Operator
    {
        Operator(const ConnectionSettings& connection, TokenStore& store, const QString& settingsFile,
                 const Clock& clock)
            : network(&manager), settings(settingsFile), session(connection, network, store, settings, clock,
                                                                 [this](const QUrl& url) {
                                                                     launched = url;
                                                                     return true;
                                                                 }),
              graph(network, session, connection.graphEndpoint())
        {
        }
        QNetworkAccessManager manager;
        NetworkContext network;
        SettingsStore settings;
        QUrl launched;
        AuthSession session;
        GraphClient graph;
    };
    struct Outcome
    {
        GraphReply reply;
        QList<int> countdown;
        int finishedCount = 0;
    };

    std::unique_ptr<Operator> signIn(const QString& user) { return signIn(m_sim, user); }
    std::unique_ptr<Operator> signIn(const TenantSim& sim, const QString& user);
    // Runs a job to its end and returns what it reported.
    Outcome run(GraphJob* job, int timeoutMs = 20000);
    DirectoryUser readUser(const QString& key, bool beta = false);
    bool addFault(const QJsonObject& body);
    QByteArray accessToken(Operator& op);

    TenantSim m_sim;
    QTemporaryDir m_dir;
    MemoryTokenStore m_store;
    FakeClock m_clock;
    std::unique_ptr<Operator> m_helpdesk;
};

void TestGraphClient::initTestCase()
{
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("3000")}), qPrintable(m_sim.errorText()));
    m_helpdesk = signIn(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(m_helpdesk);
}

void TestGraphClient::cleanupTestCase()
{
    m_helpdesk.reset();
}

void TestGraphClient::init()
{
    QCOMPARE(m_sim.control("DELETE", QStringLiteral("/_sim/faults")).status, 204);
    m_helpdesk->graph.setMaxRetries(3);
    m_helpdesk->graph.setMaxRetryWaitSecs(60);
    m_helpdesk->network.setTransferTimeoutMs(30000);
}

std::unique_ptr<TestGraphClient::Operator> TestGraphClient::signIn(const TenantSim& sim, const QString& user)
{
    ConnectionSettings connection;
    connection.cloud = Cloud::Custom;
    connection.customAuthority = sim.baseUrl();
    connection.customGraph = sim.baseUrl();
    connection.tenant = QString::fromLatin1(TenantSim::kTenant);
    connection.clientId = QString::fromLatin1(TenantSim::kClientId);
    auto op = std::make_unique<Operator>(
        connection, m_store, m_dir.filePath(sim.baseUrl().authority() + user + QStringLiteral(".ini")), m_clock);
    if (!sim.caFile().isEmpty() && !op->network.addCaFile(sim.caFile()).isEmpty()) {
        return nullptr;
    }

    QSignalSpy waiting(&op->session, &AuthSession::waitingForBrowser);
    op->session.signIn();
    if (!waiting.wait(10000)) {
        qWarning() << "the session never opened the browser";
        return nullptr;
    }
    ScriptedBrowser browser;
    if (!sim.caFile().isEmpty()) {
        browser.setCaFile(sim.caFile());
    }
    const ScriptedBrowser::Outcome outcome = browser.run(op->launched, user, QString::fromLatin1(TenantSim::kPassword));
    if (!outcome.reachedLoopback) {
        qWarning() << "browser failed:" << outcome.failure;
        return nullptr;
    }
    if (!QTest::qWaitFor([&] { return op->session.state() == AuthSession::State::SignedIn; }, 10000)) {
        qWarning() << "the session did not sign in";
        return nullptr;
    }
    return op;
}

TestGraphClient::Outcome TestGraphClient::run(GraphJob* job, int timeoutMs)
{
    Outcome outcome;
    connect(job, &GraphJob::retryCountdown, this, [&outcome](int seconds) { outcome.countdown.append(seconds); });
    connect(job, &GraphJob::finished, this, [&outcome](const GraphReply& reply) {
        outcome.reply = reply;
        ++outcome.finishedCount;
    });
    QPointer<GraphJob> guard(job);
    if (!QTest::qWaitFor([&] { return outcome.finishedCount > 0; }, timeoutMs)) {
        qWarning() << "the job did not finish in time";
    }
    // It deletes itself once finished.
    if (!QTest::qWaitFor([&] { return guard.isNull(); }, 5000)) {
        qWarning() << "the job was not deleted";
        outcome.finishedCount = -1;
    }
    return outcome;
}

DirectoryUser TestGraphClient::readUser(const QString& key, bool beta)
{
    const Outcome outcome = run(m_helpdesk->graph.getUser(key, beta));
    if (outcome.reply.error.isError()) {
        qWarning() << "reading" << key << "failed:" << outcome.reply.error.message;
    }
    return DirectoryUser::fromJson(outcome.reply.json);
}

bool TestGraphClient::addFault(const QJsonObject& body)
{
    return m_sim.control("POST", QStringLiteral("/_sim/faults"), body).status == 201;
}

QByteArray TestGraphClient::accessToken(Operator& op)
{
    QByteArray token;
    bool done = false;
    op.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError&) {
        token = t;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10000)) {
        qWarning() << "no access token";
    }
    return token;
}

void TestGraphClient::searchFindsApostropheNames()
{
    const Outcome outcome = run(m_helpdesk->graph.searchUsers(QStringLiteral("O'Brien")));
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QVERIFY(!outcome.reply.requestId.isEmpty());
    QVERIFY(!QUuid::fromString(outcome.reply.clientRequestId).isNull());
    QVERIFY(outcome.reply.sentAt.isValid());
    const UserPage page = UserPage::fromReply(outcome.reply);
    QStringList upns;
    for (const DirectoryUser& user : page.users) {
        upns.append(user.userPrincipalName);
        QVERIFY(!user.id.isEmpty());
        QVERIFY(user.accountEnabled.has_value()); // selected, so returned
        QVERIFY(user.signInSessionsValidFrom.isValid());
    }
    QVERIFY2(upns.contains(QStringLiteral("sean.o'brien@contoso.test")), qPrintable(upns.join(QLatin1Char(' '))));
    QVERIFY(upns.contains(QStringLiteral("mary.obrien@contoso.test")));
    QVERIFY(page.count.has_value());
    QCOMPARE(*page.count, qint64(page.users.size())); // fewer than 100: one page
    QVERIFY(page.nextLink.isEmpty());
}

void TestGraphClient::searchEscapesQuotesAndBackslashes()
{
    const Outcome quoted = run(m_helpdesk->graph.searchUsers(QStringLiteral("Bob \"The Builder\"")));
    QVERIFY2(!quoted.reply.error.isError(), qPrintable(quoted.reply.error.message));
    const UserPage page = UserPage::fromReply(quoted.reply);
    QCOMPARE(page.users.size(), 1);
    QCOMPARE(page.users.at(0).displayName, QStringLiteral("Bob \"The Builder\" Quinn"));

    const Outcome slashed = run(m_helpdesk->graph.searchUsers(QStringLiteral("Back\\Slash")));
    QVERIFY2(!slashed.reply.error.isError(), qPrintable(slashed.reply.error.message));
    const UserPage slashPage = UserPage::fromReply(slashed.reply);
    QCOMPARE(slashPage.users.size(), 1);
    QCOMPARE(slashPage.users.at(0).userPrincipalName, QStringLiteral("back.slash@contoso.test"));
}

void TestGraphClient::searchFindsNonLatinNames()
{
    const UserPage wang = UserPage::fromReply(run(m_helpdesk->graph.searchUsers(QStringLiteral("王伟"))).reply);
    QVERIFY(!wang.users.isEmpty());
    for (const DirectoryUser& user : wang.users) {
        QCOMPARE(user.displayName, QStringLiteral("王伟"));
    }
    const UserPage zhang = UserPage::fromReply(run(m_helpdesk->graph.searchUsers(QStringLiteral("张"))).reply);
    QVERIFY(!zhang.users.isEmpty());
    for (const DirectoryUser& user : zhang.users) {
        QVERIFY2(user.displayName.startsWith(QStringLiteral("张")), qPrintable(user.displayName));
    }
    const UserPage zoe = UserPage::fromReply(run(m_helpdesk->graph.searchUsers(QStringLiteral("Zoë"))).reply);
    QStringList upns;
    for (const DirectoryUser& user : zoe.users) {
        upns.append(user.userPrincipalName);
    }
    QVERIFY2(upns.contains(QStringLiteral("zoe.angstrom@contoso.test")), qPrintable(upns.join(QLatin1Char(' '))));
}

void TestGraphClient::pagingReachesTheEndWithoutDuplicates()
{
    Outcome outcome = run(m_helpdesk->graph.searchUsers(QStringLiteral("m"), 37));
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    UserPage page = UserPage::fromReply(outcome.reply);
    QVERIFY(page.count.has_value());
    const qint64 expected = *page.count;
    QVERIFY2(expected > 37 * 5, qPrintable(QString::number(expected))); // a big result: many pages

    QSet<QString> ids;
    qint64 seen = 0;
    int pages = 1;
    while (true) {
        QVERIFY(page.users.size() <= 37);
        for (const DirectoryUser& user : page.users) {
            QVERIFY(!user.id.isEmpty());
            ids.insert(user.id);
            ++seen;
        }
        if (page.nextLink.isEmpty()) {
            break;
        }
        QVERIFY(pages < 100);
        outcome = run(m_helpdesk->graph.nextPage(page.nextLink));
        QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
        page = UserPage::fromReply(outcome.reply);
        QVERIFY(!page.count.has_value()); // only the first page carries the count
        ++pages;
    }
    QCOMPARE(seen, expected);
    QCOMPARE(qint64(ids.size()), expected);
    QVERIFY(pages > 5);
}

void TestGraphClient::nextPageElsewhereIsNotFollowed()
{
    QTcpServer elsewhere;
    QVERIFY(elsewhere.listen(QHostAddress::LocalHost));
    const QUrl base = m_sim.baseUrl();
    QUrl otherPort = base;
    otherPort.setPort(elsewhere.serverPort());
    otherPort.setPath(QStringLiteral("/v1.0/users"));
    otherPort.setQuery(QStringLiteral("$skiptoken=x"));
    QUrl otherHost = base;
    otherHost.setHost(QStringLiteral("localhost"));
    otherHost.setPath(QStringLiteral("/v1.0/users"));
    QUrl otherScheme = base;
    otherScheme.setScheme(QStringLiteral("https"));
    otherScheme.setPath(QStringLiteral("/v1.0/users"));

    for (const QUrl& link : {otherPort, otherHost, otherScheme}) {
        const Outcome outcome = run(m_helpdesk->graph.nextPage(link));
        QCOMPARE(outcome.finishedCount, 1);
        QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Parse);
        QCOMPARE(outcome.reply.httpStatus, 0);
        QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("not followed")),
                 qPrintable(outcome.reply.error.message));
    }
    QVERIFY(!elsewhere.hasPendingConnections()); // the token never went there

    // The same origin is followed, also when Graph writes the link relative to the host.
    const Outcome relative = run(m_helpdesk->graph.nextPage(QUrl(QStringLiteral("/v1.0/users?$top=3"))));
    QVERIFY2(!relative.reply.error.isError(), qPrintable(relative.reply.error.message));
    QCOMPARE(UserPage::fromReply(relative.reply).users.size(), 3);
}

void TestGraphClient::getUserByIdAndUpn()
{
    const Outcome byId = run(m_helpdesk->graph.getUser(kLostId));
    QVERIFY2(!byId.reply.error.isError(), qPrintable(byId.reply.error.message));
    const DirectoryUser lost = DirectoryUser::fromJson(byId.reply.json);
    QCOMPARE(lost.id, kLostId);
    QCOMPARE(lost.userPrincipalName, QStringLiteral("lost@contoso.test"));
    QCOMPARE(lost.displayName, QStringLiteral("Lou Stone"));
    QCOMPARE(lost.department, QStringLiteral("Operations"));
    QCOMPARE(lost.accountEnabled, std::optional<bool>(true));
    QVERIFY(lost.signInSessionsValidFrom.isValid());
    QVERIFY(!lost.refreshTokensValidFrom.isValid()); // v1.0 has no such property

    QCOMPARE(readUser(QStringLiteral("lost@contoso.test")).id, kLostId);
    QCOMPARE(readUser(QStringLiteral("  LOST@contoso.test ")).id, kLostId); // trimmed; UPNs are case-insensitive
    QCOMPARE(readUser(QStringLiteral("sean.o'brien@contoso.test")).displayName, QStringLiteral("Seán O'Brien"));
}

void TestGraphClient::getUserWithDollarAndGuestUpns()
{
    const DirectoryUser service = readUser(QStringLiteral("$svc-backup@contoso.test"));
    QCOMPARE(service.displayName, QStringLiteral("Backup Service"));
    QCOMPARE(service.userPrincipalName, QStringLiteral("$svc-backup@contoso.test"));

    const DirectoryUser ann = readUser(QStringLiteral("ann_fabrikam.com#EXT#@contoso.test"));
    QCOMPARE(ann.displayName, QStringLiteral("Ann Lindqvist"));
    QVERIFY(ann.isGuest());

    // A generated guest, found through the simulator with a token of its own.
    const QJsonObject grant = m_sim.passwordGrant(QStringLiteral("admin@contoso.test"),
                                                  QStringLiteral("openid https://graph.microsoft.com/User.Read.All"));
    const QByteArray token = grant.value(QLatin1String("access_token")).toString().toLatin1();
    QVERIFY(!token.isEmpty());
    const TenantSim::Answer guests =
        m_sim.request("GET",
                      QStringLiteral("/v1.0/users?$filter=") +
                          QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("userType eq 'Guest'"))) +
                          QStringLiteral("&$select=id,userPrincipalName&$top=50"),
                      {}, {{"Authorization", "Bearer " + token}});
    QCOMPARE(guests.status, 200);
    QString guestId;
    QString guestUpn;
    const QJsonArray values = guests.json().value(QLatin1String("value")).toArray();
    for (const QJsonValue& value : values) {
        const QString upn = value.toObject().value(QLatin1String("userPrincipalName")).toString();
        if (upn.contains(QStringLiteral("#EXT#")) && upn != QStringLiteral("ann_fabrikam.com#EXT#@contoso.test")) {
            guestUpn = upn;
            guestId = value.toObject().value(QLatin1String("id")).toString();
            break;
        }
    }
    QVERIFY2(!guestUpn.isEmpty(), guests.body.constData());
    const DirectoryUser guest = readUser(guestUpn);
    QCOMPARE(guest.id, guestId);
    QCOMPARE(guest.userPrincipalName, guestUpn);
    QVERIFY(guest.isGuest());
}

void TestGraphClient::getUserBetaReadsRefreshTokensValidFrom()
{
    const DirectoryUser lost = readUser(kLostId, true);
    QCOMPARE(lost.id, kLostId);
    QVERIFY(lost.refreshTokensValidFrom.isValid());
    QVERIFY(lost.signInSessionsValidFrom.isValid());
}

void TestGraphClient::revokeSignInSessionsV1()
{
    const DirectoryUser before = readUser(kLostId);
    QVERIFY(before.signInSessionsValidFrom.isValid());
    QVERIFY(m_sim.advanceClock(3)); // valid-from has whole seconds: make "now" differ from any earlier value

    const Outcome outcome = run(m_helpdesk->graph.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions));
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QCOMPARE(outcome.reply.json.value(QLatin1String("value")), QJsonValue(true));
    QVERIFY(!outcome.reply.requestId.isEmpty());
    QVERIFY(outcome.reply.sentAt.isValid());

    const DirectoryUser after = readUser(kLostId);
    QVERIFY2(after.signInSessionsValidFrom > before.signInSessionsValidFrom,
             qPrintable(after.signInSessionsValidFrom.toString(Qt::ISODate)));
    const QJsonObject record = m_sim.control("GET", QStringLiteral("/_sim/users/") + kLostId).json();
    QCOMPARE(QDateTime::fromString(record.value(QLatin1String("valid_from")).toString(), Qt::ISODate),
             after.signInSessionsValidFrom);
}

void TestGraphClient::invalidateAllRefreshTokensBeta()
{
    const DirectoryUser target = readUser(QStringLiteral("mary.obrien@contoso.test"), true);
    QVERIFY(GraphQuery::looksLikeObjectId(target.id));
    QVERIFY(target.refreshTokensValidFrom.isValid());
    QVERIFY(m_sim.advanceClock(3));

    const Outcome outcome = run(m_helpdesk->graph.revokeSessions(target.id, RevokeApi::InvalidateAllRefreshTokens));
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 204);
    QVERIFY(outcome.reply.json.isEmpty());

    const DirectoryUser after = readUser(target.id, true);
    QVERIFY(after.refreshTokensValidFrom > target.refreshTokensValidFrom);
    QVERIFY(after.signInSessionsValidFrom > target.signInSessionsValidFrom);
}

void TestGraphClient::helpdeskCannotRevokeAGlobalAdmin()
{
    const Outcome outcome = run(m_helpdesk->graph.revokeSessions(kAdminId, RevokeApi::RevokeSignInSessions));
    QCOMPARE(outcome.finishedCount, 1);
    const GraphError& error = outcome.reply.error;
    QCOMPARE(error.kind, GraphError::Kind::Forbidden);
    QCOMPARE(error.httpStatus, 403);
    QCOMPARE(outcome.reply.httpStatus, 403);
    QCOMPARE(error.code, QStringLiteral("Authorization_RequestDenied"));
    QVERIFY(!error.serverMessage.isEmpty());
    QVERIFY(!error.requestId.isEmpty());
    QCOMPARE(error.clientRequestId, outcome.reply.clientRequestId);
    QVERIFY2(error.message.contains(QStringLiteral("Helpdesk Administrator cannot revoke a Global Administrator")),
             qPrintable(error.message));
    QVERIFY(error.message.contains(QStringLiteral("User.RevokeSessions.All")));
    // Nothing happened to the administrator.
    const QJsonObject record = m_sim.control("GET", QStringLiteral("/_sim/users/") + kAdminId).json();
    QVERIFY(record.value(QLatin1String("revoked_at")).isNull());
}

void TestGraphClient::deletedUserIsNotFound()
{
    const UserPage page = UserPage::fromReply(run(m_helpdesk->graph.searchUsers(QStringLiteral("j"), 50)).reply);
    QVERIFY(page.users.size() > 10);
    const DirectoryUser victim = page.users.last();
    QCOMPARE(m_sim.control("DELETE", QStringLiteral("/_sim/users/") + victim.id).status, 204);

    const Outcome read = run(m_helpdesk->graph.getUser(victim.id));
    QCOMPARE(read.reply.error.kind, GraphError::Kind::NotFound);
    QCOMPARE(read.reply.error.httpStatus, 404);
    QCOMPARE(read.reply.error.code, QStringLiteral("Request_ResourceNotFound"));
    QCOMPARE(read.reply.error.message, QStringLiteral("The user no longer exists (it may have been deleted)."));

    const Outcome revoke = run(m_helpdesk->graph.revokeSessions(victim.id, RevokeApi::RevokeSignInSessions));
    QCOMPARE(revoke.reply.error.kind, GraphError::Kind::NotFound);
    QCOMPARE(revoke.reply.error.message, QStringLiteral("The user no longer exists (it may have been deleted)."));
}

void TestGraphClient::badInputIsRefusedWithoutSending()
{
    // Only an object id can be revoked; a UPN or garbage never reaches Graph.
    for (const QString& target : {QStringLiteral("lost@contoso.test"), QString(), QStringLiteral("../me")}) {
        const Outcome outcome = run(m_helpdesk->graph.revokeSessions(target, RevokeApi::RevokeSignInSessions));
        QCOMPARE(outcome.finishedCount, 1);
        QCOMPARE(outcome.reply.error.kind, GraphError::Kind::BadRequest);
        QCOMPARE(outcome.reply.httpStatus, 0);
    }
    const Outcome empty = run(m_helpdesk->graph.getUser(QStringLiteral("  ")));
    QCOMPARE(empty.reply.error.kind, GraphError::Kind::BadRequest);
    QCOMPARE(empty.reply.httpStatus, 0);
    const Outcome noText = run(m_helpdesk->graph.searchUsers(QStringLiteral(" ")));
    QCOMPARE(noText.reply.error.kind, GraphError::Kind::BadRequest);
    QCOMPARE(noText.reply.httpStatus, 0);
    QVERIFY(m_helpdesk->manager.findChildren<QNetworkReply*>().isEmpty());
}

void TestGraphClient::badRequestCarriesGraphsMessage()
{
    QUrl link = m_sim.baseUrl();
    link.setPath(QStringLiteral("/v1.0/users"));
    link.setQuery(QStringLiteral("$top=5000"));
    const Outcome outcome = run(m_helpdesk->graph.nextPage(link));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::BadRequest);
    QCOMPARE(outcome.reply.error.httpStatus, 400);
    QVERIFY(!outcome.reply.error.serverMessage.isEmpty());
    QVERIFY2(outcome.reply.error.message.contains(outcome.reply.error.serverMessage),
             qPrintable(outcome.reply.error.message));
}

void TestGraphClient::throttledThenSucceeds()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/") + kLostId, QStringLiteral("429"), 1, 1)));
    QElapsedTimer timer;
    timer.start();
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QCOMPARE(DirectoryUser::fromJson(outcome.reply.json).id, kLostId);
    QCOMPARE(outcome.countdown.value(0), 1);
    QVERIFY2(timer.elapsed() >= 950, qPrintable(QString::number(timer.elapsed()))); // Retry-After was honoured
}

void TestGraphClient::throttledRevokeIsRetriedOnce()
{
    const DirectoryUser before = readUser(kLostId);
    QVERIFY(m_sim.advanceClock(3));
    QVERIFY(addFault(fault(QStringLiteral("revokeSignInSessions$"), QStringLiteral("429"), 1, 0.5)));
    const Outcome outcome = run(m_helpdesk->graph.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions));
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QCOMPARE(outcome.countdown, QList<int>{1}); // 0.5 s rounds up; no tick before the retry
    QVERIFY(readUser(kLostId).signInSessionsValidFrom > before.signInSessionsValidFrom);
}

void TestGraphClient::unavailableThenSucceeds()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users$"), QStringLiteral("503"), 1, 0.2)));
    const Outcome outcome = run(m_helpdesk->graph.searchUsers(QStringLiteral("Lou")));
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QCOMPARE(outcome.countdown, QList<int>{1});
    QVERIFY(!UserPage::fromReply(outcome.reply).users.isEmpty());
}

void TestGraphClient::retriesExhaustedIsThrottled()
{
    m_helpdesk->graph.setMaxRetries(2);
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/") + kLostId, QStringLiteral("429"), -1, 0.2)));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.finishedCount, 1);
    const GraphError& error = outcome.reply.error;
    QCOMPARE(error.kind, GraphError::Kind::Throttled);
    QCOMPARE(error.httpStatus, 429);
    QCOMPARE(error.code, QStringLiteral("TooManyRequests"));
    QCOMPARE(error.retryAfterSecs, 0.2);
    QCOMPARE(outcome.countdown.size(), 2); // two retries, then the third 429 is the answer
    QVERIFY2(error.message.contains(QStringLiteral("wait 1 second")), qPrintable(error.message));
}

void TestGraphClient::unavailableExhaustedIsUnavailable()
{
    m_helpdesk->graph.setMaxRetries(1);
    m_helpdesk->graph.setMaxRetryWaitSecs(0); // the server asks for 30 s; the cap keeps the test short
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/") + kLostId, QStringLiteral("503"), -1, 30)));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Unavailable);
    QCOMPARE(outcome.reply.error.httpStatus, 503);
    QCOMPARE(outcome.reply.error.retryAfterSecs, 30.0);
    QCOMPARE(outcome.countdown, QList<int>{0});
    QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("30 seconds")),
             qPrintable(outcome.reply.error.message));
}

void TestGraphClient::abortDuringCountdown()
{
    QVERIFY(addFault(fault(QStringLiteral("revokeSignInSessions$"), QStringLiteral("429"), -1, 30)));
    GraphJob* job = m_helpdesk->graph.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions);
    QPointer<GraphJob> guard(job);
    QSignalSpy countdown(job, &GraphJob::retryCountdown);
    QSignalSpy finished(job, &GraphJob::finished);
    QVERIFY(countdown.wait(10000));
    QCOMPARE(countdown.at(0).at(0).toInt(), 30);
    QVERIFY(countdown.wait(3000)); // one tick a second
    QCOMPARE(countdown.at(1).at(0).toInt(), 29);
    QCOMPARE(finished.count(), 0);

    job->abort();
    QCOMPARE(finished.count(), 1); // before abort() returns
    const GraphReply reply = finished.at(0).at(0).value<GraphReply>();
    QCOMPARE(reply.error.kind, GraphError::Kind::Cancelled);
    QVERIFY(!reply.clientRequestId.isEmpty());
    job->abort(); // harmless once finished
    QTRY_VERIFY(guard.isNull());
    QCOMPARE(finished.count(), 1);
}

void TestGraphClient::abortDuringRequest()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/") + kLostId, QStringLiteral("hang"), -1)));
    GraphJob* job = m_helpdesk->graph.getUser(kLostId);
    QPointer<GraphJob> guard(job);
    QSignalSpy finished(job, &GraphJob::finished);
    QTRY_VERIFY(!m_helpdesk->manager.findChildren<QNetworkReply*>().isEmpty()); // on the wire
    job->abort();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<GraphReply>().error.kind, GraphError::Kind::Cancelled);
    QTRY_VERIFY(guard.isNull());
    QTRY_VERIFY(m_helpdesk->manager.findChildren<QNetworkReply*>().isEmpty()); // the reply is gone too
    QCOMPARE(finished.count(), 1);
}

void TestGraphClient::malformedJsonIsParseError()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users$"), QStringLiteral("malformed"))));
    const Outcome outcome = run(m_helpdesk->graph.searchUsers(QStringLiteral("Lou")));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Parse);
    QCOMPARE(outcome.reply.httpStatus, 200);
    QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("could not be read")),
             qPrintable(outcome.reply.error.message));
}

void TestGraphClient::truncatedAnswerIsParseError()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users$"), QStringLiteral("truncated"))));
    const Outcome outcome = run(m_helpdesk->graph.searchUsers(QStringLiteral("Lou")));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Parse);
    QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("cut off")) ||
                 outcome.reply.error.message.contains(QStringLiteral("could not be read")),
             qPrintable(outcome.reply.error.message));
}

void TestGraphClient::wrongContentTypeIsParseError()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/"), QStringLiteral("content-type"))));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Parse);
    QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("text/html")),
             qPrintable(outcome.reply.error.message));
    QVERIFY(outcome.reply.json.isEmpty());
}

void TestGraphClient::hangIsTimeout()
{
    m_helpdesk->network.setTransferTimeoutMs(500);
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/"), QStringLiteral("hang"), -1)));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.finishedCount, 1);
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Timeout);
    QVERIFY2(outcome.reply.error.message.contains(m_sim.baseUrl().host()), qPrintable(outcome.reply.error.message));
}

void TestGraphClient::connectionResetIsNetworkError()
{
    QVERIFY(addFault(fault(QStringLiteral("/v1\\.0/users/"), QStringLiteral("reset"), -1)));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Network);
    QCOMPARE(outcome.reply.httpStatus, 0);
    QVERIFY2(outcome.reply.error.message.startsWith(QStringLiteral("Cannot reach Microsoft Graph at ") +
                                                    m_sim.baseUrl().host()),
             qPrintable(outcome.reply.error.message));
}

void TestGraphClient::expiredTokenIsRenewedOnce()
{
    const QByteArray before = accessToken(*m_helpdesk);
    QVERIFY(!before.isEmpty());
    // Graph's clock passes the token's expiry (at most 90 minutes, plus five minutes of tolerated skew); the app's
    // clock does not, so only the 401 tells the client to renew.
    QVERIFY(m_sim.advanceClock(5400 + 301));
    const Outcome outcome = run(m_helpdesk->graph.getUser(kLostId));
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(DirectoryUser::fromJson(outcome.reply.json).id, kLostId);
    QVERIFY(outcome.countdown.isEmpty());
    const QByteArray after = accessToken(*m_helpdesk);
    QVERIFY(!after.isEmpty());
    QVERIFY(after != before);
}

void TestGraphClient::ownRevokedSessionsRequireSignIn()
{
    std::unique_ptr<Operator> nora = signIn(QStringLiteral("nora@contoso.test"));
    QVERIFY(nora);
    QVERIFY(m_sim.advanceClock(2)); // the revocation must be later than her tokens, in whole seconds

    // Nora has no admin role: she may not revoke anyone else, but may revoke herself.
    const Outcome other = run(nora->graph.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions));
    QCOMPARE(other.reply.error.kind, GraphError::Kind::Forbidden);
    QVERIFY2(other.reply.error.message.contains(QStringLiteral("administrator role")),
             qPrintable(other.reply.error.message));
    const Outcome own = run(nora->graph.revokeMySessions(RevokeApi::RevokeSignInSessions));
    QVERIFY2(!own.reply.error.isError(), qPrintable(own.reply.error.message));
    QCOMPARE(own.reply.httpStatus, 200);
    const QJsonObject record = m_sim.control("GET", QStringLiteral("/_sim/users/") + kNoraId).json();
    QVERIFY(!record.value(QLatin1String("revoked_at")).isNull());

    // Her access token is challenged (CAE), the refresh token is dead: she has to sign in again.
    QVERIFY(m_sim.advanceClock(2));
    const Outcome after = run(nora->graph.getUser(kNoraId));
    QCOMPARE(after.reply.error.kind, GraphError::Kind::SignInRequired);
    QVERIFY2(after.reply.error.message.contains(QStringLiteral("revoked")), qPrintable(after.reply.error.message));
    QCOMPARE(nora->session.state(), AuthSession::State::SignedOut);
}

void TestGraphClient::requestsCarryTheHeadersGraphNeeds()
{
    ScriptedGraph graph({ScriptedGraph::answer(200, {{"Content-Type", "application/json"}}, R"({"value":[]})")});
    QVERIFY(graph.listen());
    GraphClient client(m_helpdesk->network, m_helpdesk->session, graph.url());
    const QByteArray token = accessToken(*m_helpdesk);

    QVERIFY(!run(client.searchUsers(QStringLiteral("O'Brien"), 10)).reply.error.isError());
    QVERIFY(!run(client.getUser(QStringLiteral("ann_fabrikam.com#EXT#@contoso.test"))).reply.error.isError());
    QVERIFY(!run(client.revokeMySessions(RevokeApi::InvalidateAllRefreshTokens)).reply.error.isError());
    QCOMPARE(graph.seen().size(), 3);

    const auto& search = graph.seen().at(0);
    QCOMPARE(search.method, QByteArray("GET"));
    QVERIFY2(search.target.startsWith("/v1.0/users?$search=%22displayName%3AO%27Brien%22%20OR%20"),
             search.target.constData());
    QVERIFY(search.target.endsWith("&$top=10&$count=true"));
    QCOMPARE(search.headers.value("consistencylevel"), QByteArray("eventual"));
    const auto& get = graph.seen().at(1);
    QVERIFY2(get.target.startsWith("/v1.0/users/ann_fabrikam.com%23EXT%23@contoso.test?$select=id,"),
             get.target.constData());
    QVERIFY(!get.headers.contains("consistencylevel"));
    const auto& revoke = graph.seen().at(2);
    QCOMPARE(revoke.method, QByteArray("POST"));
    QCOMPARE(revoke.target, QByteArray("/beta/me/invalidateAllRefreshTokens"));
    QCOMPARE(revoke.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(revoke.headers.value("content-length"), QByteArray("0"));

    QSet<QByteArray> ids;
    for (const auto& seen : graph.seen()) {
        QCOMPARE(seen.headers.value("authorization"), "Bearer " + token);
        QCOMPARE(seen.headers.value("accept"), QByteArray("application/json"));
        const QByteArray id = seen.headers.value("client-request-id");
        QVERIFY(!QUuid::fromString(QLatin1String(id)).isNull());
        ids.insert(id);
    }
    QCOMPARE(ids.size(), 3); // a fresh one per logical request
}

void TestGraphClient::unauthorizedAfterOneRenewal()
{
    ScriptedGraph graph({ScriptedGraph::graphError(
        401, "InvalidAuthenticationToken", {{"WWW-Authenticate", R"(Bearer realm="", error="invalid_token")"}})});
    QVERIFY(graph.listen());
    GraphClient client(m_helpdesk->network, m_helpdesk->session, graph.url());
    const Outcome outcome = run(client.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions));
    QCOMPARE(outcome.finishedCount, 1);
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Unauthorized);
    QCOMPARE(outcome.reply.error.httpStatus, 401);
    QCOMPARE(outcome.reply.error.code, QStringLiteral("InvalidAuthenticationToken"));
    QVERIFY(outcome.reply.error.claimsChallenge.isEmpty());
    // Sent twice: the second time with a renewed token, as the same request.
    QCOMPARE(graph.seen().size(), 2);
    const auto& first = graph.seen().at(0);
    const auto& second = graph.seen().at(1);
    QVERIFY(first.headers.value("authorization") != second.headers.value("authorization"));
    QCOMPARE(first.headers.value("client-request-id"), second.headers.value("client-request-id"));
    QCOMPARE(first.target, second.target);
    QCOMPARE(second.method, QByteArray("POST"));
}

void TestGraphClient::retriesRepeatTheSameRequest()
{
    ScriptedGraph graph({
        ScriptedGraph::graphError(429, "TooManyRequests", {{"Retry-After", "0"}}),
        ScriptedGraph::graphError(504, "UnknownError"), // no Retry-After: back off from one second
        ScriptedGraph::answer(200, {{"Content-Type", "application/json"}, {"request-id", "final"}},
                              R"({"value":true})"),
    });
    QVERIFY(graph.listen());
    GraphClient client(m_helpdesk->network, m_helpdesk->session, graph.url());
    const Outcome outcome = run(client.revokeSessions(kLostId, RevokeApi::RevokeSignInSessions));
    QVERIFY2(!outcome.reply.error.isError(), qPrintable(outcome.reply.error.message));
    QCOMPARE(outcome.reply.httpStatus, 200);
    QCOMPARE(outcome.reply.requestId, QStringLiteral("final"));
    QCOMPARE(outcome.countdown, (QList<int>{0, 1}));
    QCOMPARE(graph.seen().size(), 3);
    for (const auto& seen : graph.seen()) {
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.target, QByteArray("/v1.0/users/") + kLostId.toLatin1() + "/revokeSignInSessions");
        QCOMPARE(seen.headers.value("client-request-id"), graph.seen().at(0).headers.value("client-request-id"));
    }
    QCOMPARE(outcome.reply.clientRequestId, QString::fromLatin1(graph.seen().at(0).headers.value("client-request-id")));
}

void TestGraphClient::redirectsAreNotFollowed()
{
    ScriptedGraph elsewhere({ScriptedGraph::answer(200, {}, {})});
    QVERIFY(elsewhere.listen());
    ScriptedGraph graph({ScriptedGraph::answer(302, {{"Location", elsewhere.url().toEncoded() + "/steal"}}, {})});
    QVERIFY(graph.listen());
    GraphClient client(m_helpdesk->network, m_helpdesk->session, graph.url());
    const Outcome outcome = run(client.getUser(kLostId));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Parse);
    QCOMPARE(outcome.reply.error.httpStatus, 302);
    QCOMPARE(graph.seen().size(), 1);
    QVERIFY(elsewhere.seen().isEmpty()); // the token went nowhere else
}

void TestGraphClient::tlsWithoutTheCaIsExplained()
{
    TenantSim tlsSim;
    QVERIFY2(tlsSim.start({QStringLiteral("--users"), QStringLiteral("100")}, true), qPrintable(tlsSim.errorText()));
    std::unique_ptr<Operator> op = signIn(tlsSim, QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(op);
    QCOMPARE(run(op->graph.getUser(kLostId)).reply.httpStatus, 200); // with the CA file: fine

    // The same sign-in, but Graph requests without the extra CA (and on their own connections).
    QNetworkAccessManager manager;
    NetworkContext bare(&manager);
    GraphClient client(bare, op->session, tlsSim.baseUrl());
    const Outcome outcome = run(client.getUser(kLostId));
    QCOMPARE(outcome.reply.error.kind, GraphError::Kind::Network);
    QVERIFY2(outcome.reply.error.message.contains(QStringLiteral("CA file")), qPrintable(outcome.reply.error.message));
}

QTEST_GUILESS_MAIN(TestGraphClient)
#include "TestGraphClient.moc"
