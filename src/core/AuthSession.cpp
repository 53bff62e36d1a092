#include "AuthSession.h"

#include "AuthorizationRequest.h"
#include "Clock.h"
#include "Logging.h"
#include "LoopbackReceiver.h"
#include "Pkce.h"
#include "SettingsStore.h"
#include "TokenJob.h"
#include "TokenStore.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace {
constexpr qint64 kRefreshMarginSecs = 5 * 60; // refresh an access token this long before it expires

QString tr(const char* text)
{
    return QCoreApplication::translate("AuthSession", text);
}

QString keychainMessage(const TokenStore::Result& result)
{
    return tr("The sign-in will not be remembered after Session Revoker closes: the system keychain could not be "
              "used (%1).")
        .arg(result.errorText);
}
} // namespace

AuthSession::AuthSession(const ConnectionSettings& connection, NetworkContext& network, TokenStore& store,
                         SettingsStore& settings, const Clock& clock, BrowserLauncher browser, QObject* parent)
    : QObject(parent), m_connection(connection), m_network(network), m_store(store), m_settings(settings),
      m_clock(clock), m_browser(std::move(browser)), m_browserTimer(new QTimer(this))
{
    m_browserTimer->setSingleShot(true);
    connect(m_browserTimer, &QTimer::timeout, this, [this] {
        failInteractive(
            AuthError::make(AuthError::Kind::Timeout, tr("The browser did not return a sign-in in time. Try again.")));
    });
}

AuthSession::~AuthSession()
{
    abortJobs();
}

QString AuthSession::connectionKey(const ConnectionSettings& connection)
{
    return TokenStore::keyFor(Clouds::id(connection.cloud), connection.tenant, connection.clientId, QString());
}

void AuthSession::setState(State state)
{
    if (m_state == state) {
        return;
    }
    const bool waitedFor = m_state == State::Restoring || m_state == State::WaitingForBrowser;
    m_state = state;
    Q_EMIT stateChanged(state);
    if (waitedFor) {
        // Requests that waited for a sign-in to end go on (signed in) or are answered (signed out), however it
        // ended: cancelled, failed, or done.
        serveWaiters();
    }
}

void AuthSession::abortJobs()
{
    if (m_discovery) {
        m_discovery->abort();
    }
    if (m_tokenJob) {
        m_tokenJob->abort();
    }
    if (m_receiver) {
        m_receiver->close();
        m_receiver->deleteLater();
    }
    m_browserTimer->stop();
    m_refreshing = false;
}

void AuthSession::withConfiguration(std::function<void(const AuthError&)> next)
{
    if (const QString problem = m_connection.validationError(); !problem.isEmpty()) {
        next(AuthError::make(AuthError::Kind::Configuration, problem));
        return;
    }
    if (m_oidc) {
        next({});
        return;
    }
    auto* job = new DiscoveryJob(m_network, m_connection.authorityUrl(), this);
    m_discovery = job;
    connect(job, &DiscoveryJob::finished, this, [this, next = std::move(next)](const DiscoveryResult& result) {
        if (!result.error.isError()) {
            m_oidc = result.configuration;
        }
        next(result.error);
    });
    job->start();
}

void AuthSession::restore()
{
    if (m_state != State::SignedOut) {
        return;
    }
    const QString accountId = m_settings.signedInAccount(connectionKey(m_connection));
    if (accountId.isEmpty() || !m_connection.validationError().isEmpty()) {
        Q_EMIT restoreFinished(false);
        return;
    }
    setState(State::Restoring);
    const QString key =
        TokenStore::keyFor(Clouds::id(m_connection.cloud), m_connection.tenant, m_connection.clientId, accountId);
    m_store.read(key, this, [this](const TokenStore::Result& result) {
        if (m_state != State::Restoring) {
            return; // cancelled or signed in interactively meanwhile
        }
        if (result.status != TokenStore::Status::Ok) {
            if (result.status == TokenStore::Status::NotFound) {
                m_settings.setSignedInAccount(connectionKey(m_connection), QString());
            } else {
                m_remembers = false;
                Q_EMIT keychainProblem(keychainMessage(result));
            }
            setState(State::SignedOut);
            Q_EMIT restoreFinished(false);
            return;
        }
        const QJsonObject entry = QJsonDocument::fromJson(result.secret).object();
        m_account = Account::fromJson(entry.value(QLatin1String("account")).toObject());
        m_refreshToken = entry.value(QLatin1String("refresh_token")).toString().toUtf8();
        if (!m_account.isValid() || m_refreshToken.isEmpty()) {
            qCWarning(lcAuth) << "stored account entry unreadable; forgetting it";
            forgetStored();
            m_account = {};
            m_refreshToken.clear();
            setState(State::SignedOut);
            Q_EMIT restoreFinished(false);
            return;
        }
        refresh();
    });
}

void AuthSession::signIn(const QByteArray& challengeClaims)
{
    if (m_state == State::WaitingForBrowser) {
        return;
    }
    abortJobs();
    m_challengeClaims = challengeClaims.isEmpty() ? m_pendingSignInClaims : challengeClaims;
    m_pendingSignInClaims.clear();
    setState(State::WaitingForBrowser);
    withConfiguration([this](const AuthError& error) {
        if (error.isError()) {
            failInteractive(error);
            return;
        }
        startInteractive();
    });
}

void AuthSession::startInteractive()
{
    auto* receiver = new LoopbackReceiver(this);
    m_receiver = receiver;
    AuthError listenError;
    if (!receiver->listen(&listenError)) {
        failInteractive(listenError);
        return;
    }
    const Pkce pkce = Pkce::generate();
    m_verifier = pkce.verifier;
    m_oauthState = Pkce::randomUrlSafe(24);
    m_nonce = Pkce::randomUrlSafe(24);
    m_redirectUri = receiver->redirectUri();
    receiver->setExpectedState(m_oauthState);
    connect(receiver, &LoopbackReceiver::finished, this,
            [this](const LoopbackReceiver::Result& result) { onBrowserReturned(result.code, result.error); });

    AuthorizationRequest request;
    request.authorizationEndpoint = m_oidc->authorizationEndpoint;
    request.clientId = m_connection.clientId;
    request.redirectUri = m_redirectUri;
    request.scopes = signInScopes(m_connection.graphEndpoint());
    request.state = m_oauthState;
    request.nonce = m_nonce;
    request.codeChallenge = pkce.challenge;
    request.loginHint = m_account.username;
    request.claims = clientCapabilityClaims(m_challengeClaims);
    const QUrl url = request.url();

    m_browserTimer->start(m_browserTimeoutMs);
    const bool opened = m_browser && m_browser(url);
    qCInfo(lcAuth) << "interactive sign-in started; browser opened:" << opened;
    Q_EMIT waitingForBrowser(url, opened);
}

void AuthSession::cancel()
{
    if (m_state != State::WaitingForBrowser && m_state != State::Restoring) {
        return;
    }
    const bool wasRestoring = m_state == State::Restoring;
    abortJobs();
    m_verifier.clear();
    setState(m_accessToken.isEmpty() ? State::SignedOut : State::SignedIn);
    if (wasRestoring) {
        Q_EMIT restoreFinished(false);
    }
    Q_EMIT signInFailed(AuthError::make(AuthError::Kind::Cancelled, tr("Sign-in was cancelled.")));
}

void AuthSession::onBrowserReturned(const QByteArray& code, const AuthError& error)
{
    m_browserTimer->stop();
    if (m_receiver) {
        m_receiver->deleteLater();
    }
    if (error.isError()) {
        failInteractive(error);
        return;
    }
    redeem(code);
}

void AuthSession::redeem(const QByteArray& code)
{
    const TokenJob::Form form{
        {QStringLiteral("client_id"), m_connection.clientId},
        {QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
        {QStringLiteral("code"), QString::fromUtf8(code)},
        {QStringLiteral("redirect_uri"), m_redirectUri.toString(QUrl::FullyEncoded)},
        {QStringLiteral("code_verifier"), QString::fromLatin1(m_verifier)},
        {QStringLiteral("scope"), signInScopes(m_connection.graphEndpoint()).join(QLatin1Char(' '))},
        {QStringLiteral("client_info"), QStringLiteral("1")},
        {QStringLiteral("claims"), QString::fromUtf8(clientCapabilityClaims(m_challengeClaims))},
    };
    m_verifier.clear();
    auto* job = new TokenJob(m_network, m_oidc->tokenEndpoint, form, m_clock.nowUtc(), this);
    m_tokenJob = job;
    connect(job, &TokenJob::finished, this, [this](const TokenResult& result) { onTokens(result, true); });
    job->start();
}

void AuthSession::refresh()
{
    if (m_refreshing) {
        return;
    }
    m_refreshing = true;
    m_refreshClaimsInFlight = std::exchange(m_refreshClaims, {});
    withConfiguration([this](const AuthError& error) {
        if (error.isError()) {
            failRefresh(error);
            return;
        }
        const TokenJob::Form form{
            {QStringLiteral("client_id"), m_connection.clientId},
            {QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
            {QStringLiteral("refresh_token"), QString::fromUtf8(m_refreshToken)},
            {QStringLiteral("scope"), signInScopes(m_connection.graphEndpoint()).join(QLatin1Char(' '))},
            {QStringLiteral("client_info"), QStringLiteral("1")},
            {QStringLiteral("claims"), QString::fromUtf8(clientCapabilityClaims(m_refreshClaimsInFlight))},
        };
        auto* job = new TokenJob(m_network, m_oidc->tokenEndpoint, form, m_clock.nowUtc(), this);
        m_tokenJob = job;
        connect(job, &TokenJob::finished, this, [this](const TokenResult& result) { onTokens(result, false); });
        job->start();
    });
}

void AuthSession::onTokens(const TokenResult& result, bool interactive)
{
    m_refreshing = false;
    if (result.error.isError()) {
        interactive ? failInteractive(result.error) : failRefresh(result.error);
        return;
    }
    AuthError accountError;
    const Account account =
        result.response.account(m_connection.clientId, interactive ? m_nonce : QByteArray(), &accountError);
    m_nonce.clear();
    if (accountError.isError()) {
        interactive ? failInteractive(accountError) : failRefresh(accountError);
        return;
    }
    if (!interactive && !m_account.homeAccountId.isEmpty() && account.homeAccountId != m_account.homeAccountId) {
        failRefresh(AuthError::make(AuthError::Kind::InvalidGrant,
                                    tr("The stored sign-in belongs to another account. Sign in again.")));
        return;
    }
    m_refreshClaimsInFlight.clear();
    m_refreshClaims.clear(); // asked for or not: a token came; a challenge still unmet comes back with the next 401
    m_account = account;
    m_accessToken = result.response.accessToken;
    m_expiresAt = result.response.expiresAt;
    if (!result.response.refreshToken.isEmpty()) {
        m_refreshToken = result.response.refreshToken; // rotation: the new one replaces the old
    }
    const bool wasSignedIn = m_state == State::SignedIn;
    const bool wasRestoring = m_state == State::Restoring;
    setState(State::SignedIn);
    persist();
    qCInfo(lcAuth) << (interactive ? "signed in interactively" : "refreshed silently");
    if (!wasSignedIn) {
        Q_EMIT signedIn(m_account);
    }
    if (wasRestoring) {
        Q_EMIT restoreFinished(true);
    }
    flushWaiters({});
}

void AuthSession::persist()
{
    if (m_refreshToken.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT tokensStored(false); }, Qt::QueuedConnection);
        return;
    }
    const QJsonObject entry{{QStringLiteral("account"), m_account.toJson()},
                            {QStringLiteral("refresh_token"), QString::fromUtf8(m_refreshToken)}};
    const QString key = TokenStore::keyFor(Clouds::id(m_connection.cloud), m_connection.tenant, m_connection.clientId,
                                           m_account.homeAccountId);
    const QString accountId = m_account.homeAccountId;
    // Point at the account before the write completes: the window may close (and this object go) before the
    // keychain answers, and the entry must still be found next time. A failed write takes the pointer back.
    m_settings.setSignedInAccount(connectionKey(m_connection), accountId);
    m_store.write(key, QJsonDocument(entry).toJson(QJsonDocument::Compact), this,
                  [this, accountId](const TokenStore::Result& result) {
                      if (result.status == TokenStore::Status::Ok) {
                          m_remembers = true;
                          Q_EMIT tokensStored(true);
                          return;
                      }
                      qCWarning(lcAuth) << "could not store the sign-in in the keychain:" << result.errorText;
                      if (m_settings.signedInAccount(connectionKey(m_connection)) == accountId) {
                          m_settings.setSignedInAccount(connectionKey(m_connection), QString());
                      }
                      if (m_remembers) {
                          m_remembers = false;
                          Q_EMIT keychainProblem(keychainMessage(result));
                      }
                      Q_EMIT tokensStored(false);
                  });
}

void AuthSession::forgetStored(std::function<void()> then)
{
    const QString key = connectionKey(m_connection);
    const QString accountId =
        m_account.homeAccountId.isEmpty() ? m_settings.signedInAccount(key) : m_account.homeAccountId;
    m_settings.setSignedInAccount(key, QString());
    if (accountId.isEmpty()) {
        if (then) {
            QMetaObject::invokeMethod(this, then, Qt::QueuedConnection);
        }
        return;
    }
    m_store.remove(
        TokenStore::keyFor(Clouds::id(m_connection.cloud), m_connection.tenant, m_connection.clientId, accountId), this,
        [then = std::move(then)](const TokenStore::Result& result) {
            if (result.status != TokenStore::Status::Ok) {
                qCWarning(lcAuth) << "could not delete the keychain entry:" << result.errorText;
            }
            if (then) {
                then();
            }
        });
}

void AuthSession::failInteractive(const AuthError& error)
{
    abortJobs();
    m_verifier.clear();
    m_nonce.clear();
    qCWarning(lcAuth) << "interactive sign-in failed:" << error.logText();
    setState(m_accessToken.isEmpty() ? State::SignedOut : State::SignedIn);
    if (m_state == State::SignedOut) {
        flushWaiters(error);
    }
    Q_EMIT signInFailed(error);
}

void AuthSession::failRefresh(const AuthError& error)
{
    m_refreshing = false;
    const bool wasRestoring = m_state == State::Restoring;
    const QByteArray askedForClaims = std::exchange(m_refreshClaimsInFlight, {});
    m_refreshClaims.clear();
    qCWarning(lcAuth) << "silent sign-in failed:" << error.logText();
    if (error.requiresInteractiveSignIn()) {
        // A CAE challenge the refresh could not meet (step-up: MFA after a move, a policy): the sign-in that
        // follows must carry its claims, or Entra issues a token Graph refuses again.
        m_pendingSignInClaims = error.kind == AuthError::Kind::InteractionRequired ? askedForClaims : QByteArray();
        // The refresh token is dead (revoked, expired, policy): it must not be tried again.
        forgetStored();
        m_accessToken.clear();
        m_refreshToken.clear();
        m_expiresAt = {};
        const bool wasSignedIn = m_state == State::SignedIn;
        setState(State::SignedOut);
        flushWaiters(error);
        if (wasSignedIn) {
            Q_EMIT signedOut(error.message);
        }
        Q_EMIT signInFailed(error);
    } else {
        // Transient (network, server): keep the stored account and let the operator retry.
        if (wasRestoring) {
            setState(State::SignedOut);
        }
        flushWaiters(error);
        Q_EMIT signInFailed(error);
    }
    if (wasRestoring) {
        Q_EMIT restoreFinished(false);
    }
}

void AuthSession::signOut()
{
    abortJobs();
    m_refreshClaims.clear();
    m_refreshClaimsInFlight.clear();
    m_pendingSignInClaims.clear();
    // signedOut() follows the keychain deletion, so a caller that exits on it leaves nothing behind.
    forgetStored([this] { Q_EMIT signedOut(QString()); });
    m_account = {};
    m_accessToken.clear();
    m_refreshToken.clear();
    m_expiresAt = {};
    m_oauthState.clear();
    setState(State::SignedOut);
    flushWaiters(AuthError::make(AuthError::Kind::Cancelled, tr("Signed out.")));
}

void AuthSession::requestAccessToken(QObject* context, TokenCallback done)
{
    m_waiters.append({context, std::move(done)});
    serveWaiters();
}

void AuthSession::serveWaiters()
{
    if (m_waiters.isEmpty()) {
        return;
    }
    if (m_state != State::SignedIn) {
        if (m_state == State::SignedOut) {
            QMetaObject::invokeMethod(
                this,
                [this] { flushWaiters(AuthError::make(AuthError::Kind::InteractionRequired, tr("Sign in first."))); },
                Qt::QueuedConnection);
        }
        return; // restoring or waiting for the browser: served when that ends
    }
    const bool fresh = !m_accessToken.isEmpty() && m_clock.nowUtc().secsTo(m_expiresAt) > kRefreshMarginSecs;
    if (fresh) {
        // Deliver later, never inside this call, as documented.
        QMetaObject::invokeMethod(
            this, [this] { flushWaiters({}); }, Qt::QueuedConnection);
        return;
    }
    refresh();
}

void AuthSession::accessTokenRejected(const QByteArray& claimsChallenge)
{
    m_expiresAt = m_clock.nowUtc().addSecs(-1);
    m_refreshClaims = claimsChallenge;
}

void AuthSession::flushWaiters(const AuthError& error)
{
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter& waiter : waiters) {
        if (waiter.context) {
            waiter.done(error.isError() ? QByteArray() : m_accessToken, error);
        }
    }
}
