#pragma once

#include "Account.h"
#include "AuthError.h"
#include "ConnectionSettings.h"
#include "OidcConfiguration.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class Clock;
class DiscoveryJob;
class LoopbackReceiver;
class NetworkContext;
class SettingsStore;
class TokenJob;
class TokenStore;
class QTimer;
struct TokenResult;

// The operator's sign-in, the way MSAL does it for a desktop app: authorization code + PKCE in the system browser
// with a loopback redirect, the refresh token in the OS keychain, silent sign-in at start-up, silent refresh before
// expiry. The access token lives in this object's memory only.
class AuthSession : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        SignedOut,
        Restoring,         // silent sign-in from the keychain
        WaitingForBrowser, // interactive sign-in in progress
        SignedIn,
    };
    Q_ENUM(State)

    // Opens a URL in the system browser; returns false when no browser could be started.
    using BrowserLauncher = std::function<bool(const QUrl&)>;
    using TokenCallback = std::function<void(const QByteArray& accessToken, const AuthError& error)>;

    AuthSession(const ConnectionSettings& connection, NetworkContext& network, TokenStore& store,
                SettingsStore& settings, const Clock& clock, BrowserLauncher browser, QObject* parent = nullptr);
    ~AuthSession() override;

    State state() const { return m_state; }
    const Account& account() const { return m_account; }
    const ConnectionSettings& connection() const { return m_connection; }
    // False when the keychain was unavailable: the sign-in lasts for this session only.
    bool remembersSignIn() const { return m_remembers; }
    void setBrowserTimeoutMs(int ms) { m_browserTimeoutMs = ms; }

    // Silent sign-in from the keychain (start-up). Ends in SignedIn, or SignedOut with restoreFinished(false).
    void restore();
    // Interactive sign-in in the system browser. `challengeClaims`: claims of a CAE challenge, if any; without,
    // the claims of a challenge that the last refresh could not meet (it ended in interaction_required), if any.
    void signIn(const QByteArray& challengeClaims = {});
    // Stops an interactive sign-in that is waiting for the browser.
    void cancel();
    // Forgets the tokens in memory and deletes the keychain entries; signedOut() follows once they are gone.
    void signOut();

    // Hands a valid access token to `done` (refreshing first when it expires within five minutes). `done` runs
    // later, never inside this call, and not at all if `context` is destroyed.
    void requestAccessToken(QObject* context, TokenCallback done);
    // A resource answered 401 for the current access token: the next request refreshes first. `claimsChallenge`:
    // the claims of a CAE challenge (WWW-Authenticate: ... error="insufficient_claims", claims="..."), decoded;
    // that refresh asks for them, as MSAL does, so a token that satisfies them comes back when one can.
    void accessTokenRejected(const QByteArray& claimsChallenge = {});

    // Keychain key of the signed-in account (app, cloud, tenant, client and account).
    static QString connectionKey(const ConnectionSettings& connection);

Q_SIGNALS:
    void stateChanged(AuthSession::State state);
    void signedIn(const Account& account);
    // An interactive or silent sign-in did not succeed; for requiresInteractiveSignIn() the stored account is gone.
    void signInFailed(const AuthError& error);
    // Signed out: by the operator (empty reason) or because the sign-in can no longer be used (reason given).
    void signedOut(const QString& reason);
    void restoreFinished(bool signedIn);
    // The sign-in page was handed to the browser; `opened` is false when no browser could be started.
    void waitingForBrowser(const QUrl& url, bool opened);
    // The keychain could not be used; the message says what that means for the operator.
    void keychainProblem(const QString& message);
    // The latest tokens were handed to the keychain (after every sign-in and refresh); `remembered` is false when
    // they could not be stored. A process that exits after signing in waits for this.
    void tokensStored(bool remembered);

private:
    void setState(State state);
    void withConfiguration(std::function<void(const AuthError&)> next);
    void startInteractive();
    void onBrowserReturned(const QByteArray& code, const AuthError& error);
    void redeem(const QByteArray& code);
    void refresh();
    void onTokens(const TokenResult& result, bool interactive);
    void persist();
    void forgetStored(std::function<void()> then = {});
    void failInteractive(const AuthError& error);
    void failRefresh(const AuthError& error);
    void serveWaiters();
    void flushWaiters(const AuthError& error);
    void abortJobs();

    ConnectionSettings m_connection;
    NetworkContext& m_network;
    TokenStore& m_store;
    SettingsStore& m_settings;
    const Clock& m_clock;
    BrowserLauncher m_browser;

    State m_state = State::SignedOut;
    std::optional<OidcConfiguration> m_oidc;
    Account m_account;
    QByteArray m_accessToken;
    QByteArray m_refreshToken;
    QDateTime m_expiresAt;
    bool m_remembers = true;
    bool m_refreshing = false;
    int m_browserTimeoutMs = 5 * 60 * 1000;

    // One interactive attempt at a time.
    QByteArray m_oauthState;
    QByteArray m_nonce;
    QByteArray m_verifier;
    QByteArray m_challengeClaims;
    QByteArray m_refreshClaims;         // the next refresh's CAE claims (accessTokenRejected)
    QByteArray m_refreshClaimsInFlight; // the claims the running refresh asked for
    QByteArray m_pendingSignInClaims;   // claims a refresh could not meet, for the next interactive sign-in
    QUrl m_redirectUri;
    QPointer<LoopbackReceiver> m_receiver;
    QTimer* m_browserTimer;

    QPointer<DiscoveryJob> m_discovery;
    QPointer<TokenJob> m_tokenJob;
    struct Waiter
    {
        QPointer<QObject> context;
        TokenCallback done;
    };
    QList<Waiter> m_waiters;
};
