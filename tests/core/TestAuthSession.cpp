#include "AuthSession.h"
#include "Clock.h"
#include "MemoryTokenStore.h"
#include "NetworkContext.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"
#include "TokenStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

namespace {
class FakeClock : public Clock
{
public:
    QDateTime nowUtc() const override { return m_now; }
    void advance(qint64 secs) { m_now = m_now.addSecs(secs); }

private:
    QDateTime m_now = QDateTime::currentDateTimeUtc();
};

// Reads one entry of a TokenStore synchronously (test convenience).
TokenStore::Result readStore(TokenStore& store, const QString& key)
{
    TokenStore::Result out;
    bool done = false;
    QObject context;
    store.read(key, &context, [&](const TokenStore::Result& r) {
        out = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10000)) {
        qWarning() << "timed out";
    }
    return out;
}
} // namespace

// AuthSession against the real tenant-sim over TCP (HTTP and HTTPS). The browser is scripted here; the
// Chromium tests under tests/e2e drive the same flow through a real browser.
class TestAuthSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void signsInInteractivelyAndRemembers();
    void secondSessionSignsInSilently();
    void requestsWaitingOnAFailedRestoreAreAnswered();
    void refreshesBeforeExpiryAndRotates();
    void refreshesAfterA401();
    void revokedRefreshTokenSignsOut();
    void claimsTheRefreshCannotMeetGoToTheNextSignIn();
    void cancelOnSignInPage();
    void cancelInTheApp();
    void forgedCallbackIsRejected();
    void browserTimeout();
    void browserThatCannotOpenStillWaits();
    void discoveryFailureIsExplained();
    void unknownClientIsExplained();
    void signOutForgetsEverything();
    void cancelledAccountSwitchServesWaitingRequests();
    void withoutKeychainTheSignInLastsTheSession();
    void signsInOverTlsWithExtraCa();
    void tlsWithoutTheCaFails();

private:
    struct Harness
    {
        Harness(const ConnectionSettings& connection, TokenStore& store, SettingsStore& settings, const Clock& clock)
            : network(&manager), session(connection, network, store, settings, clock, [this](const QUrl& url) {
                  launched = url;
                  return opens;
              })
        {
        }
        QNetworkAccessManager manager;
        NetworkContext network;
        QUrl launched;
        bool opens = true;
        AuthSession session;
    };
    ConnectionSettings connectionFor(const TenantSim& sim) const;
    // Starts an interactive sign-in and plays the operator in the scripted browser.
    bool signIn(Harness& h, const QString& user = QStringLiteral("helpdesk@contoso.test"), const QString& caFile = {});
    QString storedKey(const Harness& h) const;

    TenantSim m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<MemoryTokenStore> m_store;
    FakeClock m_clock;
};

void TestAuthSession::initTestCase()
{
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("200")}), qPrintable(m_sim.errorText()));
}

void TestAuthSession::init()
{
    m_settings = std::make_unique<SettingsStore>(
        m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".ini")));
    m_store = std::make_unique<MemoryTokenStore>();
}

void TestAuthSession::cleanup()
{
    m_sim.control("DELETE", QStringLiteral("/_sim/faults"));
    m_store.reset();
    m_settings.reset();
}

ConnectionSettings TestAuthSession::connectionFor(const TenantSim& sim) const
{
    ConnectionSettings c;
    c.cloud = Cloud::Custom;
    c.customAuthority = sim.baseUrl();
    c.customGraph = sim.baseUrl();
    c.tenant = QString::fromLatin1(TenantSim::kTenant);
    c.clientId = QString::fromLatin1(TenantSim::kClientId);
    return c;
}

bool TestAuthSession::signIn(Harness& h, const QString& user, const QString& caFile)
{
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    h.session.signIn();
    if (!waiting.wait(10000)) {
        qWarning() << "the session never opened the browser";
        return false;
    }
    ScriptedBrowser browser;
    if (!caFile.isEmpty()) {
        browser.setCaFile(caFile);
    }
    const ScriptedBrowser::Outcome outcome = browser.run(h.launched, user, QString::fromLatin1(TenantSim::kPassword));
    if (!outcome.reachedLoopback) {
        qWarning() << "browser failed:" << outcome.failure;
        return false;
    }
    if (!QTest::qWaitFor([&] { return h.session.state() == AuthSession::State::SignedIn; }, 10000)) {
        qWarning() << "the session did not sign in";
        return false;
    }
    if (!outcome.loopbackPage.contains("close this tab")) {
        qWarning() << "unexpected loopback page" << outcome.loopbackStatus << outcome.loopbackPage;
        return false;
    }
    return true;
}

QString TestAuthSession::storedKey(const Harness& h) const
{
    const ConnectionSettings& c = h.session.connection();
    return TokenStore::keyFor(Clouds::id(c.cloud), c.tenant, c.clientId, h.session.account().homeAccountId);
}

void TestAuthSession::signsInInteractivelyAndRemembers()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy signedIn(&h.session, &AuthSession::signedIn);
    QVERIFY(signIn(h));
    QCOMPARE(signedIn.count(), 1);
    const Account& account = h.session.account();
    QCOMPARE(account.username, QStringLiteral("helpdesk@contoso.test"));
    QCOMPARE(account.tenantId, QStringLiteral("eab3a016-fcf8-474d-95ca-6878c36cb3b2"));
    QCOMPARE(account.objectId, QStringLiteral("11111111-1111-4111-8111-000000000001"));
    QCOMPARE(directoryRoleNames(account.roleTemplateIds), QStringList{QStringLiteral("Helpdesk Administrator")});

    // The authorize URL asked for what MSAL asks for.
    const QString launched = h.launched.toString(QUrl::FullyDecoded);
    QVERIFY2(launched.contains(QStringLiteral("code_challenge_method=S256")), qPrintable(launched));
    QVERIFY(launched.contains(QStringLiteral("prompt=select_account")));
    QVERIFY(launched.contains(QStringLiteral("User.RevokeSessions.All")));
    const QString redirect = QUrlQuery(h.launched).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded);
    QVERIFY2(redirect.startsWith(QStringLiteral("http://127.0.0.1:")), qPrintable(redirect));

    // The refresh token and account are in the store; the settings only point at the account.
    QTRY_COMPARE(m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())),
                 account.homeAccountId);
    const TokenStore::Result stored = readStore(*m_store, storedKey(h));
    QCOMPARE(stored.status, TokenStore::Status::Ok);
    const QJsonObject entry = QJsonDocument::fromJson(stored.secret).object();
    QVERIFY(!entry.value(QLatin1String("refresh_token")).toString().isEmpty());
    QCOMPARE(entry.value(QLatin1String("account")).toObject().value(QLatin1String("username")).toString(),
             account.username);
    QFile ini(m_settings->fileName());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains(entry.value(QLatin1String("refresh_token")).toString().toUtf8()));
}

void TestAuthSession::secondSessionSignsInSilently()
{
    {
        Harness first(connectionFor(m_sim), *m_store, *m_settings, m_clock);
        QVERIFY(signIn(first));
        QTRY_VERIFY(!m_settings->signedInAccount(AuthSession::connectionKey(first.session.connection())).isEmpty());
    }
    Harness second(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy restored(&second.session, &AuthSession::restoreFinished);
    second.session.restore();
    QVERIFY(restored.wait(10000));
    QCOMPARE(restored.at(0).at(0).toBool(), true);
    QCOMPARE(second.session.state(), AuthSession::State::SignedIn);
    QCOMPARE(second.session.account().username, QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(!second.launched.isValid()); // no browser involved
}

void TestAuthSession::requestsWaitingOnAFailedRestoreAreAnswered()
{
    // The settings remember an account, the keychain no longer has it: a request made while the silent sign-in
    // runs gets an answer ("sign in first") when it fails, instead of waiting for ever.
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    m_settings->setSignedInAccount(AuthSession::connectionKey(h.session.connection()), QStringLiteral("gone"));
    h.session.restore();
    QCOMPARE(h.session.state(), AuthSession::State::Restoring);
    bool answered = false;
    AuthError seen;
    h.session.requestAccessToken(this, [&](const QByteArray& token, const AuthError& e) {
        answered = true;
        seen = e;
        QVERIFY(token.isEmpty());
    });
    QTRY_VERIFY(answered);
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
    QCOMPARE(seen.kind, AuthError::Kind::InteractionRequired);
}

void TestAuthSession::refreshesBeforeExpiryAndRotates()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h));
    const auto token = [&] {
        QByteArray out;
        bool done = false;
        h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError& e) {
            if (e.isError()) {
                qWarning() << e.message;
            }
            out = t;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 10000)) {
            qWarning() << "timed out";
        }
        return out;
    };
    const QByteArray first = token();
    QVERIFY(!first.isEmpty());
    QCOMPARE(token(), first); // still fresh: no refresh
    QTRY_COMPARE(readStore(*m_store, storedKey(h)).status, TokenStore::Status::Ok);
    const QByteArray storedBefore = readStore(*m_store, storedKey(h)).secret;

    m_clock.advance(3600 * 2); // past any Entra access token lifetime
    const QByteArray second = token();
    QVERIFY(!second.isEmpty());
    QVERIFY(second != first);
    // Refresh-token rotation is persisted.
    QTRY_VERIFY(readStore(*m_store, storedKey(h)).secret != storedBefore);
}

void TestAuthSession::refreshesAfterA401()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h));
    QByteArray first;
    QByteArray second;
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError&) { first = t; });
    QTRY_VERIFY(!first.isEmpty());
    h.session.accessTokenRejected();
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError&) { second = t; });
    QTRY_VERIFY_WITH_TIMEOUT(!second.isEmpty(), 10000);
    QVERIFY(second != first);
}

void TestAuthSession::revokedRefreshTokenSignsOut()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h, QStringLiteral("nora@contoso.test")));
    QByteArray token;
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError&) { token = t; });
    QTRY_VERIFY(!token.isEmpty());
    QTRY_VERIFY(!m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())).isEmpty());
    const QString key = storedKey(h);

    // The operator's own sessions are revoked (e.g. "Sign me out everywhere" from another device).
    QTest::qWait(1100); // valid-from has whole-second resolution
    const TenantSim::Answer revoked = m_sim.request("POST", QStringLiteral("/v1.0/me/revokeSignInSessions"), {},
                                                    {{"Authorization", "Bearer " + token}});
    QCOMPARE(revoked.status, 200);

    QSignalSpy signedOut(&h.session, &AuthSession::signedOut);
    AuthError seen;
    h.session.accessTokenRejected();
    h.session.requestAccessToken(this, [&](const QByteArray&, const AuthError& e) { seen = e; });
    QTRY_VERIFY_WITH_TIMEOUT(seen.isError(), 10000);
    QCOMPARE(seen.kind, AuthError::Kind::InvalidGrant);
    QVERIFY(seen.errorCodes.contains(50173));
    QVERIFY(seen.requiresInteractiveSignIn());
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
    QCOMPARE(signedOut.count(), 1);
    QVERIFY2(signedOut.at(0).at(0).toString().contains(QStringLiteral("revoked")),
             qPrintable(signedOut.at(0).at(0).toString()));
    // The dead refresh token is gone from the store and the settings.
    QTRY_COMPARE(readStore(*m_store, key).status, TokenStore::Status::NotFound);
    QVERIFY(m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())).isEmpty());
}

void TestAuthSession::claimsTheRefreshCannotMeetGoToTheNextSignIn()
{
    // A CAE challenge asks for more than a refresh token can give (multi-factor authentication after a move to a
    // new location): the refresh carries the claims, Entra answers interaction_required (AADSTS50076). As for any
    // interaction_required, the stored account is cleared and the operator asked to sign in; that sign-in carries
    // the claims, or the token it gets would be refused again.
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h));
    QByteArray first;
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError&) { first = t; });
    QTRY_VERIFY(!first.isEmpty());
    const QString key = storedKey(h);
    QTRY_COMPARE(readStore(*m_store, key).status, TokenStore::Status::Ok);
    QVERIFY(m_sim.addFault(QStringLiteral("/oauth2/v2.0/token$"), QStringLiteral("mfa-required")));

    QSignalSpy signedOut(&h.session, &AuthSession::signedOut);
    AuthError seen;
    h.session.accessTokenRejected(R"({"access_token":{"nbf":{"essential":true,"value":"1700000000"}}})");
    h.session.requestAccessToken(this, [&](const QByteArray&, const AuthError& e) { seen = e; });
    QTRY_VERIFY_WITH_TIMEOUT(seen.isError(), 10000);
    QCOMPARE(seen.kind, AuthError::Kind::InteractionRequired);
    QVERIFY(seen.errorCodes.contains(50076));
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
    QCOMPARE(signedOut.count(), 1);
    QTRY_COMPARE(readStore(*m_store, key).status, TokenStore::Status::NotFound);

    const auto claimsOfNextSignIn = [&h] {
        h.launched.clear();
        h.session.signIn();
        if (!QTest::qWaitFor([&h] { return h.launched.isValid(); }, 10000)) {
            return QString();
        }
        const QString claims = QUrlQuery(h.launched).queryItemValue(QStringLiteral("claims"), QUrl::FullyDecoded);
        h.session.cancel();
        return claims;
    };
    const QString carried = claimsOfNextSignIn();
    QVERIFY2(carried.contains(QStringLiteral("\"nbf\"")) && carried.contains(QStringLiteral("cp1")),
             qPrintable(carried));
    // Once: a sign-in after that one asks for the client capability alone.
    const QString plain = claimsOfNextSignIn();
    QVERIFY2(plain.contains(QStringLiteral("cp1")) && !plain.contains(QStringLiteral("nbf")), qPrintable(plain));
}

void TestAuthSession::cancelOnSignInPage()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(waiting.wait(10000));
    ScriptedBrowser browser;
    const auto outcome = browser.run(h.launched, {}, {}, ScriptedBrowser::Action::Cancel);
    QVERIFY2(outcome.reachedLoopback, qPrintable(outcome.failure));
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<AuthError>().kind, AuthError::Kind::AccessDenied);
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
}

void TestAuthSession::cancelInTheApp()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(waiting.wait(10000));
    const QUrl redirect =
        QUrl(QUrlQuery(h.launched).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    h.session.cancel();
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<AuthError>().kind, AuthError::Kind::Cancelled);
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
    QTcpSocket probe;
    probe.connectToHost(redirect.host(), static_cast<quint16>(redirect.port()));
    QVERIFY(!probe.waitForConnected(1000)); // the listener is closed
}

void TestAuthSession::forgedCallbackIsRejected()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(waiting.wait(10000));
    QUrl forged(QUrlQuery(h.launched).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    forged.setQuery(QStringLiteral("code=attacker-code&state=forged"));
    ScriptedBrowser browser;
    const auto outcome = browser.run(forged, {}, {});
    QCOMPARE(outcome.loopbackStatus, 400);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).value<AuthError>().kind, AuthError::Kind::Callback);
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
}

void TestAuthSession::browserTimeout()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    h.session.setBrowserTimeoutMs(300);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.at(0).at(0).value<AuthError>().kind, AuthError::Kind::Timeout);
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
}

void TestAuthSession::browserThatCannotOpenStillWaits()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    h.opens = false;
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    h.session.signIn();
    QVERIFY(waiting.wait(10000));
    QCOMPARE(waiting.at(0).at(1).toBool(), false);
    QCOMPARE(h.session.state(), AuthSession::State::WaitingForBrowser);
    // The operator pastes the printed URL into a browser by hand.
    ScriptedBrowser browser;
    QVERIFY(browser
                .run(waiting.at(0).at(0).toUrl(), QStringLiteral("helpdesk@contoso.test"),
                     QString::fromLatin1(TenantSim::kPassword))
                .reachedLoopback);
    QTRY_COMPARE(h.session.state(), AuthSession::State::SignedIn);
}

void TestAuthSession::discoveryFailureIsExplained()
{
    ConnectionSettings c = connectionFor(m_sim);
    c.tenant = QStringLiteral("fabrikam.test");
    Harness h(c, *m_store, *m_settings, m_clock);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(failed.wait(10000));
    const AuthError error = failed.at(0).at(0).value<AuthError>();
    QCOMPARE(error.kind, AuthError::Kind::Configuration);
    QVERIFY2(error.message.contains(QStringLiteral("tenant")), qPrintable(error.message));
    QVERIFY(!h.launched.isValid());
}

void TestAuthSession::unknownClientIsExplained()
{
    // Entra shows AADSTS700016 on its page and never redirects; the token endpoint says the same.
    const QByteArray form = "grant_type=refresh_token&client_id=00000000-0000-0000-0000-000000000001&refresh_token=x";
    const TenantSim::Answer answer = m_sim.request("POST", QStringLiteral("/contoso.test/oauth2/v2.0/token"), form,
                                                   {{"Content-Type", "application/x-www-form-urlencoded"}});
    QVERIFY(answer.status == 400 || answer.status == 401);
    QVERIFY(answer.json().value(QLatin1String("error_codes")).toArray().contains(700016));
    const AuthError mapped = AuthError::fromOAuth(answer.json().value(QLatin1String("error")).toString(),
                                                  answer.json().value(QLatin1String("error_description")).toString(),
                                                  {700016}, answer.status);
    QCOMPARE(mapped.kind, AuthError::Kind::Configuration);
}

void TestAuthSession::signOutForgetsEverything()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h));
    QTRY_VERIFY(!m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())).isEmpty());
    const QString key = storedKey(h);
    QCOMPARE(readStore(*m_store, key).status, TokenStore::Status::Ok);
    QSignalSpy signedOut(&h.session, &AuthSession::signedOut);
    h.session.signOut();
    QVERIFY(signedOut.wait(10000));
    QCOMPARE(signedOut.at(0).at(0).toString(), QString());
    QCOMPARE(h.session.state(), AuthSession::State::SignedOut);
    QCOMPARE(readStore(*m_store, key).status, TokenStore::Status::NotFound);
    QVERIFY(m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())).isEmpty());
    AuthError error;
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError& e) {
        QVERIFY(t.isEmpty());
        error = e;
    });
    QTRY_VERIFY(error.isError());
}

void TestAuthSession::cancelledAccountSwitchServesWaitingRequests()
{
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QVERIFY(signIn(h));
    QSignalSpy waiting(&h.session, &AuthSession::waitingForBrowser);
    h.session.signIn(); // "Switch account…"
    QTRY_COMPARE(waiting.count(), 1);
    bool served = false;
    QByteArray token;
    h.session.requestAccessToken(this, [&](const QByteArray& t, const AuthError& e) {
        served = true;
        token = e.isError() ? QByteArray() : t;
    });
    QTest::qWait(50);
    QVERIFY(!served); // waits for the new sign-in
    h.session.cancel();
    QTRY_VERIFY(served);
    QVERIFY(!token.isEmpty()); // the operator is still signed in with the old account
    QCOMPARE(h.session.state(), AuthSession::State::SignedIn);
}

void TestAuthSession::withoutKeychainTheSignInLastsTheSession()
{
    m_store->setFailure(TokenStore::Status::Unavailable, QStringLiteral("no Secret Service"));
    Harness h(connectionFor(m_sim), *m_store, *m_settings, m_clock);
    QSignalSpy problem(&h.session, &AuthSession::keychainProblem);
    QSignalSpy stored(&h.session, &AuthSession::tokensStored);
    QVERIFY(signIn(h));
    QTRY_COMPARE(stored.count(), 1);
    QCOMPARE(stored.at(0).at(0).toBool(), false);
    QCOMPARE(problem.count(), 1);
    QVERIFY2(problem.at(0).at(0).toString().contains(QStringLiteral("will not be remembered")),
             qPrintable(problem.at(0).at(0).toString()));
    QVERIFY(!h.session.remembersSignIn());
    QCOMPARE(h.session.state(), AuthSession::State::SignedIn); // works for this session
    QVERIFY(m_settings->signedInAccount(AuthSession::connectionKey(h.session.connection())).isEmpty());
}

void TestAuthSession::signsInOverTlsWithExtraCa()
{
    TenantSim tlsSim;
    QVERIFY2(tlsSim.start({QStringLiteral("--users"), QStringLiteral("100")}, true), qPrintable(tlsSim.errorText()));
    QCOMPARE(tlsSim.baseUrl().scheme(), QStringLiteral("https"));
    Harness h(connectionFor(tlsSim), *m_store, *m_settings, m_clock);
    QCOMPARE(h.network.addCaFile(tlsSim.caFile()), QString());
    QVERIFY(signIn(h, QStringLiteral("helpdesk@contoso.test"), tlsSim.caFile()));
    QCOMPARE(h.session.account().username, QStringLiteral("helpdesk@contoso.test"));
}

void TestAuthSession::tlsWithoutTheCaFails()
{
    TenantSim tlsSim;
    QVERIFY2(tlsSim.start({QStringLiteral("--users"), QStringLiteral("100")}, true), qPrintable(tlsSim.errorText()));
    Harness h(connectionFor(tlsSim), *m_store, *m_settings, m_clock);
    QSignalSpy failed(&h.session, &AuthSession::signInFailed);
    h.session.signIn();
    QVERIFY(failed.wait(10000));
    const AuthError error = failed.at(0).at(0).value<AuthError>();
    QCOMPARE(error.kind, AuthError::Kind::Tls);
    QVERIFY2(error.message.contains(QStringLiteral("CA file")), qPrintable(error.message));
}

QTEST_GUILESS_MAIN(TestAuthSession)
#include "TestAuthSession.moc"
