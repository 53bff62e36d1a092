#include "AuditLog.h"
#include "AuthSession.h"
#include "Clock.h"
#include "GraphClient.h"
#include "MemoryTokenStore.h"
#include "NetworkContext.h"
#include "RevokeOperation.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {
constexpr int kTimeoutMs = 30000;
const QString kLost = QStringLiteral("lost@contoso.test");
} // namespace

// RevokeOperation against the real tenant-sim over TCP: the operator signs in (scripted browser), the Graph calls,
// the audit file, and what the simulator's control API says really happened to the user.
class TestRevokeOperation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void revokesWithV1AndVerifies();
    void revokesWithBetaAndVerifies();
    void deniedOnAnAdministrator();
    void deletedUserIsNotFound();
    void throttledThenSucceeds();
    void reReadFailureIsReportedNotHidden();
    void cancelDuringTheRetryWait();
    void cancelBeforeSending();
    void unwritableAuditSendsNothing();
    void ownSessionsAreRevokedWithoutReRead();
    void signedOutOperatorSendsNothing();

private:
    struct Operator
    {
        Operator(const ConnectionSettings& connection, TokenStore& store, SettingsStore& settings, const Clock& clock,
                 const QUrl& graphEndpoint)
            : network(&manager), session(connection, network, store, settings, clock,
                                         [this](const QUrl& url) {
                                             launched = url;
                                             return true;
                                         }),
              graph(network, session, graphEndpoint)
        {
        }
        QNetworkAccessManager manager;
        NetworkContext network;
        QUrl launched;
        AuthSession session;
        GraphClient graph;
    };
    std::unique_ptr<Operator> signIn(const QString& upn);
    DirectoryUser readUser(GraphClient& graph, const QString& idOrUpn, bool beta = false);
    RevokeOutcome run(RevokeOperation& operation);
    QJsonObject simUser(const QString& idOrUpn) const;
    // ROPC sign-in of the user on "their lost phone": the refresh token the revocation must kill.
    QString phoneRefreshToken(const QString& upn) const;
    TenantSim::Answer redeem(const QString& refreshToken) const;
    QList<AuditRecord> auditRecords(const QString& attemptId) const;
    void checkRevokedAndVerified(RevokeApi api);

    TenantSim m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<SettingsStore> m_settings;
    MemoryTokenStore m_store;
    Clock m_clock;
    std::unique_ptr<Operator> m_helpdesk;
    std::unique_ptr<AuditLog> m_audit;
};

void TestRevokeOperation::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("200")}), qPrintable(m_sim.errorText()));
    m_settings = std::make_unique<SettingsStore>(m_dir.filePath(QStringLiteral("settings.ini")));
    m_helpdesk = signIn(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(m_helpdesk);
}

void TestRevokeOperation::init()
{
    m_audit = std::make_unique<AuditLog>(
        m_dir.filePath(QStringLiteral("audit/%1.jsonl").arg(QLatin1String(QTest::currentTestFunction()))));
}

void TestRevokeOperation::cleanup()
{
    QCOMPARE(m_sim.request("DELETE", QStringLiteral("/_sim/faults")).status, 204);
}

std::unique_ptr<TestRevokeOperation::Operator> TestRevokeOperation::signIn(const QString& upn)
{
    ConnectionSettings c;
    c.cloud = Cloud::Custom;
    c.customAuthority = m_sim.baseUrl();
    c.customGraph = m_sim.baseUrl();
    c.tenant = QString::fromLatin1(TenantSim::kTenant);
    c.clientId = QString::fromLatin1(TenantSim::kClientId);
    auto op = std::make_unique<Operator>(c, m_store, *m_settings, m_clock, c.graphEndpoint());
    QSignalSpy waiting(&op->session, &AuthSession::waitingForBrowser);
    op->session.signIn();
    if (!waiting.wait(10000)) {
        qWarning() << "the session never opened the browser";
        return nullptr;
    }
    ScriptedBrowser browser;
    const ScriptedBrowser::Outcome outcome = browser.run(op->launched, upn, QString::fromLatin1(TenantSim::kPassword));
    if (!outcome.reachedLoopback ||
        !QTest::qWaitFor([&] { return op->session.state() == AuthSession::State::SignedIn; }, 10000)) {
        qWarning() << "sign-in of" << upn << "failed:" << outcome.failure;
        return nullptr;
    }
    return op;
}

DirectoryUser TestRevokeOperation::readUser(GraphClient& graph, const QString& idOrUpn, bool beta)
{
    GraphJob* job = graph.getUser(idOrUpn, beta);
    QSignalSpy finished(job, &GraphJob::finished);
    if (!finished.wait(kTimeoutMs)) {
        qWarning() << "getUser timed out";
        return {};
    }
    const auto reply = finished.at(0).at(0).value<GraphReply>();
    if (reply.error.isError()) {
        qWarning() << "getUser failed:" << reply.error.logText();
    }
    return DirectoryUser::fromJson(reply.json);
}

RevokeOutcome TestRevokeOperation::run(RevokeOperation& operation)
{
    QSignalSpy finished(&operation, &RevokeOperation::finished);
    operation.start();
    if (!finished.wait(kTimeoutMs)) {
        qWarning() << "the revocation did not finish";
        return {};
    }
    QTest::qWait(0); // a second finished() would be queued by now
    if (finished.count() != 1) {
        qWarning() << "finished() was emitted" << finished.count() << "times";
    }
    return finished.at(0).at(0).value<RevokeOutcome>();
}

QJsonObject TestRevokeOperation::simUser(const QString& idOrUpn) const
{
    return m_sim.control("GET", QStringLiteral("/_sim/users/") + idOrUpn).json();
}

QString TestRevokeOperation::phoneRefreshToken(const QString& upn) const
{
    const QJsonObject answer = m_sim.passwordGrant(upn, QStringLiteral("openid profile offline_access User.Read"));
    const QString token = answer.value(QLatin1String("refresh_token")).toString();
    if (token.isEmpty()) {
        qWarning() << "ROPC sign-in failed" << answer;
    }
    return token;
}

TenantSim::Answer TestRevokeOperation::redeem(const QString& refreshToken) const
{
    const QByteArray form = "grant_type=refresh_token&client_id=" + QByteArray(TenantSim::kClientId) +
                            "&scope=" + QUrl::toPercentEncoding(QStringLiteral("openid offline_access User.Read")) +
                            "&refresh_token=" + QUrl::toPercentEncoding(refreshToken);
    return m_sim.request("POST", QStringLiteral("/%1/oauth2/v2.0/token").arg(QLatin1String(TenantSim::kTenant)), form,
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
}

QList<AuditRecord> TestRevokeOperation::auditRecords(const QString& attemptId) const
{
    int damaged = -1;
    QString error;
    QList<AuditRecord> all = m_audit->readAll(&error, &damaged);
    if (!error.isEmpty() || damaged != 0) {
        qWarning() << "audit read:" << error << damaged;
    }
    QList<AuditRecord> mine;
    for (const AuditRecord& r : all) {
        if (r.attemptId == attemptId) {
            mine.append(r);
        }
    }
    return mine;
}

void TestRevokeOperation::checkRevokedAndVerified(RevokeApi api)
{
    const bool beta = api == RevokeApi::InvalidateAllRefreshTokens;
    const QString phoneToken = phoneRefreshToken(kLost);
    QVERIFY(!phoneToken.isEmpty());
    QCOMPARE(redeem(phoneToken).status, 200); // alive before; the rotated token is not needed

    const QString phoneToken2 = phoneRefreshToken(kLost);
    const DirectoryUser lost = readUser(m_helpdesk->graph, kLost, beta);
    QCOMPARE(lost.displayName, QStringLiteral("Lou Stone"));

    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{lost, QStringLiteral("Lost phone, ticket 48213"), api, false});
    QSignalSpy sending(&operation, &RevokeOperation::sending);
    QSignalSpy verifying(&operation, &RevokeOperation::verifying);
    const RevokeOutcome outcome = run(operation);
    QVERIFY2(outcome.revoked, qPrintable(outcome.summary));
    QVERIFY2(outcome.verified, qPrintable(outcome.summary));
    QCOMPARE(sending.count(), 1);
    QCOMPARE(verifying.count(), 1);
    QCOMPARE(outcome.httpStatus, beta ? 204 : 200);
    QVERIFY(!outcome.requestId.isEmpty());
    QVERIFY(!outcome.clientRequestId.isEmpty());
    QVERIFY(outcome.auditError.isEmpty());
    QVERIFY(!outcome.error.isError());
    QVERIFY(outcome.sentAt.isValid());
    QVERIFY(outcome.validFrom.isValid());
    QVERIFY(outcome.validFrom >= QDateTime::fromSecsSinceEpoch(outcome.sentAt.toSecsSinceEpoch(), Qt::UTC));
    const QString sentText = outcome.sentAt.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    const QString validText = outcome.validFrom.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    QCOMPARE(outcome.summary, QStringLiteral("Sessions revoked for Lou Stone at %1 · verified (valid from %2) · "
                                             "request-id %3")
                                  .arg(sentText, validText, outcome.requestId));

    // What really happened, from the simulator's own records.
    const QJsonObject after = simUser(lost.id);
    QVERIFY(!after.value(QLatin1String("revoked_at")).isNull());
    QCOMPARE(QDateTime::fromString(after.value(QLatin1String("valid_from")).toString(), Qt::ISODate),
             outcome.validFrom);

    // The lost phone's refresh token is dead, the way Entra says it.
    const TenantSim::Answer refused = redeem(phoneToken2);
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.json().value(QLatin1String("error")).toString(), QStringLiteral("invalid_grant"));
    QVERIFY(refused.json().value(QLatin1String("error_codes")).toArray().contains(50173));

    // The audit trail: attempt (durable before sending), result, verification, one attempt id, no token.
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 3);
    const AuditRecord& attempt = records.at(0);
    QCOMPARE(attempt.phase, QStringLiteral("attempt"));
    QCOMPARE(attempt.outcome, QStringLiteral("pending"));
    QCOMPARE(attempt.operatorUpn, QStringLiteral("helpdesk@contoso.test"));
    QCOMPARE(attempt.operatorId, QStringLiteral("11111111-1111-4111-8111-000000000001"));
    QCOMPARE(attempt.targetId, lost.id);
    QCOMPARE(attempt.targetUpn, kLost);
    QCOMPARE(attempt.targetName, QStringLiteral("Lou Stone"));
    QCOMPARE(attempt.reason, QStringLiteral("Lost phone, ticket 48213"));
    QCOMPARE(attempt.api, RevokeOperation::apiName(api));
    QVERIFY(attempt.time <= outcome.sentAt);
    const AuditRecord& result = records.at(1);
    QCOMPARE(result.phase, QStringLiteral("result"));
    QCOMPARE(result.outcome, QStringLiteral("success"));
    QCOMPARE(result.httpStatus, beta ? 204 : 200);
    QCOMPARE(result.requestId, outcome.requestId);
    QCOMPARE(result.clientRequestId, outcome.clientRequestId);
    const AuditRecord& verification = records.at(2);
    QCOMPARE(verification.phase, QStringLiteral("verification"));
    QCOMPARE(verification.outcome, QStringLiteral("verified"));
    QCOMPARE(verification.validFrom, outcome.validFrom);
    QCOMPARE(verification.requestId, outcome.requestId);
    QVERIFY2(verification.detail.contains(beta ? QStringLiteral("refreshTokensValidFromDateTime")
                                               : QStringLiteral("signInSessionsValidFromDateTime")),
             qPrintable(verification.detail));
    QFile file(m_audit->path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray raw = file.readAll();
    QVERIFY(!raw.contains("eyJ"));
    QVERIFY(!raw.contains(phoneToken.toUtf8()));
}

void TestRevokeOperation::revokesWithV1AndVerifies()
{
    checkRevokedAndVerified(RevokeApi::RevokeSignInSessions);
}

void TestRevokeOperation::revokesWithBetaAndVerifies()
{
    checkRevokedAndVerified(RevokeApi::InvalidateAllRefreshTokens);
}

void TestRevokeOperation::deniedOnAnAdministrator()
{
    const DirectoryUser admin = readUser(m_helpdesk->graph, QStringLiteral("admin@contoso.test"));
    QVERIFY(!admin.id.isEmpty());
    const QJsonObject before = simUser(admin.id);
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{admin, QStringLiteral("test"), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy verifying(&operation, &RevokeOperation::verifying);
    const RevokeOutcome outcome = run(operation);
    QVERIFY(!outcome.revoked);
    QVERIFY(!outcome.verified);
    QCOMPARE(outcome.error.kind, GraphError::Kind::Forbidden);
    QCOMPARE(outcome.httpStatus, 403);
    QCOMPARE(outcome.outcomeName, QStringLiteral("denied"));
    QCOMPARE(verifying.count(), 0);
    QVERIFY(!outcome.requestId.isEmpty());
    QVERIFY2(outcome.summary.startsWith(QStringLiteral("Sessions not revoked for ")), qPrintable(outcome.summary));
    QVERIFY2(outcome.summary.contains(outcome.error.message), qPrintable(outcome.summary));

    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).phase, QStringLiteral("result"));
    QCOMPARE(records.at(1).outcome, QStringLiteral("denied"));
    QCOMPARE(records.at(1).httpStatus, 403);
    QCOMPARE(records.at(1).requestId, outcome.requestId);
    QVERIFY2(records.at(1).detail.contains(QStringLiteral("Authorization_RequestDenied")),
             qPrintable(records.at(1).detail));
    QCOMPARE(simUser(admin.id).value(QLatin1String("valid_from")), before.value(QLatin1String("valid_from")));
    QVERIFY(simUser(admin.id).value(QLatin1String("revoked_at")).isNull());
}

void TestRevokeOperation::deletedUserIsNotFound()
{
    const DirectoryUser mary = readUser(m_helpdesk->graph, QStringLiteral("mary.obrien@contoso.test"));
    QVERIFY(!mary.id.isEmpty());
    // Deleted after the operator confirmed: the call goes to the object id that no longer exists.
    QCOMPARE(m_sim.request("DELETE", QStringLiteral("/_sim/users/") + mary.id).status, 204);
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{mary, QString(), RevokeApi::RevokeSignInSessions, false});
    const RevokeOutcome outcome = run(operation);
    QVERIFY(!outcome.revoked);
    QCOMPARE(outcome.error.kind, GraphError::Kind::NotFound);
    QCOMPARE(outcome.httpStatus, 404);
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).outcome, QStringLiteral("not-found"));
    QCOMPARE(records.at(1).httpStatus, 404);
    QVERIFY(!records.at(1).requestId.isEmpty());
}

void TestRevokeOperation::throttledThenSucceeds()
{
    const DirectoryUser lost = readUser(m_helpdesk->graph, kLost);
    const QJsonObject fault{{QStringLiteral("path"), QStringLiteral("/revokeSignInSessions$")},
                            {QStringLiteral("method"), QStringLiteral("POST")},
                            {QStringLiteral("kind"), QStringLiteral("429")},
                            {QStringLiteral("count"), 1},
                            {QStringLiteral("retry_after"), 1}};
    QCOMPARE(m_sim.control("POST", QStringLiteral("/_sim/faults"), fault).status, 201);
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{lost, QStringLiteral("retry"), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy countdown(&operation, &RevokeOperation::retryCountdown);
    const RevokeOutcome outcome = run(operation);
    QVERIFY2(outcome.revoked, qPrintable(outcome.summary));
    QVERIFY2(outcome.verified, qPrintable(outcome.summary));
    QVERIFY(countdown.count() >= 1);
    QCOMPARE(countdown.at(0).at(0).toInt(), 1);
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(1).outcome, QStringLiteral("success"));
    QCOMPARE(records.at(1).httpStatus, 200);
}

void TestRevokeOperation::reReadFailureIsReportedNotHidden()
{
    const DirectoryUser lost = readUser(m_helpdesk->graph, kLost);
    QVERIFY(!lost.id.isEmpty());
    // The revocation goes through; every re-read of the user fails.
    const QJsonObject fault{{QStringLiteral("path"), QStringLiteral("^/v1\\.0/users/%1$").arg(lost.id)},
                            {QStringLiteral("method"), QStringLiteral("GET")},
                            {QStringLiteral("kind"), QStringLiteral("503")},
                            {QStringLiteral("count"), -1},
                            {QStringLiteral("retry_after"), 0}};
    QCOMPARE(m_sim.control("POST", QStringLiteral("/_sim/faults"), fault).status, 201);
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{lost, QString(), RevokeApi::RevokeSignInSessions, false});
    const RevokeOutcome outcome = run(operation);
    QVERIFY(outcome.revoked);
    QVERIFY(!outcome.verified);
    QCOMPARE(outcome.error.kind, GraphError::Kind::Unavailable);
    QVERIFY(!outcome.validFrom.isValid());
    QVERIFY2(outcome.summary.contains(QStringLiteral(" · not verified: ")), qPrintable(outcome.summary));
    QVERIFY2(outcome.summary.startsWith(QStringLiteral("Sessions revoked for Lou Stone at ")),
             qPrintable(outcome.summary));
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(1).outcome, QStringLiteral("success"));
    QCOMPARE(records.at(2).phase, QStringLiteral("verification"));
    QCOMPARE(records.at(2).outcome, QStringLiteral("verify-failed"));
    QVERIFY(!records.at(2).validFrom.isValid());
}

void TestRevokeOperation::cancelDuringTheRetryWait()
{
    const DirectoryUser nora = readUser(m_helpdesk->graph, QStringLiteral("nora@contoso.test"));
    QVERIFY(!nora.id.isEmpty());
    const QJsonObject before = simUser(nora.id);
    const QJsonObject fault{{QStringLiteral("path"), QStringLiteral("/revokeSignInSessions$")},
                            {QStringLiteral("method"), QStringLiteral("POST")},
                            {QStringLiteral("kind"), QStringLiteral("429")},
                            {QStringLiteral("count"), 1},
                            {QStringLiteral("retry_after"), 5}};
    QCOMPARE(m_sim.control("POST", QStringLiteral("/_sim/faults"), fault).status, 201);
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{nora, QStringLiteral("cancel me"), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy verifying(&operation, &RevokeOperation::verifying);
    QList<int> seen;
    connect(&operation, &RevokeOperation::retryCountdown, this, [&](int seconds) {
        seen.append(seconds);
        QVERIFY(operation.canCancel());
        operation.cancel();
    });
    const RevokeOutcome outcome = run(operation);
    QCOMPARE(seen, QList<int>{5});
    QVERIFY(!outcome.revoked);
    QCOMPARE(outcome.error.kind, GraphError::Kind::Cancelled);
    QCOMPARE(outcome.outcomeName, QStringLiteral("cancelled"));
    QCOMPARE(verifying.count(), 0);
    QVERIFY2(outcome.summary.startsWith(QStringLiteral("Cancelled")), qPrintable(outcome.summary));
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).outcome, QStringLiteral("cancelled"));
    // Nothing reached the user: the simulator never revoked.
    const QJsonObject after = simUser(nora.id);
    QVERIFY(after.value(QLatin1String("revoked_at")).isNull());
    QCOMPARE(after.value(QLatin1String("valid_from")), before.value(QLatin1String("valid_from")));
    QVERIFY(!operation.canCancel());
}

void TestRevokeOperation::cancelBeforeSending()
{
    const DirectoryUser user = readUser(m_helpdesk->graph, QStringLiteral("sean.o'brien@contoso.test"));
    QVERIFY(!user.id.isEmpty());
    RevokeOperation operation(m_helpdesk->graph, *m_audit, m_helpdesk->session,
                              RevokeRequest{user, QString(), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy sending(&operation, &RevokeOperation::sending);
    QSignalSpy finished(&operation, &RevokeOperation::finished);
    operation.start();
    QVERIFY(operation.canCancel());
    operation.cancel();
    QVERIFY(finished.wait(kTimeoutMs));
    const auto outcome = finished.at(0).at(0).value<RevokeOutcome>();
    QCOMPARE(outcome.error.kind, GraphError::Kind::Cancelled);
    QCOMPARE(sending.count(), 0);
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).outcome, QStringLiteral("pending"));
    QCOMPARE(records.at(1).outcome, QStringLiteral("cancelled"));
    QVERIFY(simUser(user.id).value(QLatin1String("revoked_at")).isNull());
    QTest::qWait(50);
    QCOMPARE(finished.count(), 1);
}

void TestRevokeOperation::unwritableAuditSendsNothing()
{
    const DirectoryUser user = readUser(m_helpdesk->graph, QStringLiteral("useradmin@contoso.test"));
    QVERIFY(!user.id.isEmpty());
    const QJsonObject before = simUser(user.id);
    const QString blocker = m_dir.filePath(QStringLiteral("not-a-folder"));
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    AuditLog unwritable(blocker + QStringLiteral("/audit.jsonl"));
    // useradmin is an administrator the helpdesk may not revoke, but no request must even reach Graph: a fault
    // that would answer the revoke shows whether one did.
    const QJsonObject fault{{QStringLiteral("path"), QStringLiteral("revokeSignInSessions")},
                            {QStringLiteral("method"), QStringLiteral("POST")},
                            {QStringLiteral("kind"), QStringLiteral("500")},
                            {QStringLiteral("count"), -1}};
    QCOMPARE(m_sim.control("POST", QStringLiteral("/_sim/faults"), fault).status, 201);
    RevokeOperation operation(m_helpdesk->graph, unwritable, m_helpdesk->session,
                              RevokeRequest{user, QStringLiteral("x"), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy sending(&operation, &RevokeOperation::sending);
    const RevokeOutcome outcome = run(operation);
    QVERIFY(!outcome.revoked);
    QCOMPARE(sending.count(), 0);
    QVERIFY(!outcome.auditError.isEmpty());
    QVERIFY(outcome.attemptId.isEmpty());
    QVERIFY2(outcome.summary.startsWith(QStringLiteral("Nothing was sent")), qPrintable(outcome.summary));
    QVERIFY2(outcome.summary.contains(QStringLiteral("audit log")), qPrintable(outcome.summary));
    QCOMPARE(outcome.httpStatus, 0);
    QVERIFY(outcome.requestId.isEmpty());
    const QJsonObject after = simUser(user.id);
    QCOMPARE(after.value(QLatin1String("valid_from")), before.value(QLatin1String("valid_from")));
    QCOMPARE(after.value(QLatin1String("revoked_at")), before.value(QLatin1String("revoked_at")));
}

void TestRevokeOperation::ownSessionsAreRevokedWithoutReRead()
{
    std::unique_ptr<Operator> self = signIn(QStringLiteral("useradmin@contoso.test"));
    QVERIFY(self);
    RevokeRequest request;
    request.self = true;
    request.reason = QStringLiteral("my laptop was stolen");
    RevokeOperation operation(self->graph, *m_audit, self->session, request);
    QSignalSpy verifying(&operation, &RevokeOperation::verifying);
    const RevokeOutcome outcome = run(operation);
    QVERIFY2(outcome.revoked, qPrintable(outcome.summary));
    QVERIFY(!outcome.verified);
    QCOMPARE(verifying.count(), 0);
    QVERIFY2(outcome.summary.startsWith(QStringLiteral("Your sessions were revoked everywhere at ")),
             qPrintable(outcome.summary));
    const QList<AuditRecord> records = auditRecords(outcome.attemptId);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).targetId, QStringLiteral("me"));
    QCOMPARE(records.at(0).targetUpn, QStringLiteral("useradmin@contoso.test"));
    QCOMPARE(records.at(0).operatorUpn, QStringLiteral("useradmin@contoso.test"));
    QCOMPARE(records.at(1).outcome, QStringLiteral("success"));
    QVERIFY(!simUser(QStringLiteral("useradmin@contoso.test")).value(QLatin1String("revoked_at")).isNull());
}

void TestRevokeOperation::signedOutOperatorSendsNothing()
{
    ConnectionSettings c = m_helpdesk->session.connection();
    MemoryTokenStore emptyStore;
    Operator nobody(c, emptyStore, *m_settings, m_clock, c.graphEndpoint());
    DirectoryUser lost;
    lost.id = QStringLiteral("11111111-1111-4111-8111-000000000005");
    RevokeOperation operation(nobody.graph, *m_audit, nobody.session,
                              RevokeRequest{lost, QString(), RevokeApi::RevokeSignInSessions, false});
    QSignalSpy sending(&operation, &RevokeOperation::sending);
    const RevokeOutcome outcome = run(operation);
    QVERIFY(!outcome.revoked);
    QCOMPARE(outcome.error.kind, GraphError::Kind::SignInRequired);
    QCOMPARE(sending.count(), 0);
    QVERIFY(!QFile::exists(m_audit->path()));
}

QTEST_GUILESS_MAIN(TestRevokeOperation)
#include "TestRevokeOperation.moc"
