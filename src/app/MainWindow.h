#pragma once

#include "AuditLog.h"
#include "AuthSession.h"
#include "ConnectionSettings.h"
#include "DirectoryUser.h"
#include "UserSearchModel.h"

#include <QMainWindow>
#include <QPointer>
#include <QScopedPointer>

#include <memory>
#include <optional>

namespace Ui {
class MainWindow;
}
class AboutDialog;
class AuditWindow;
class Clock;
class GraphClient;
class NetworkContext;
class QLabel;
class QNetworkAccessManager;
class RevokeDialog;
class SearchPage;
class SettingsStore;
class TokenStore;
class UserSearchController;
struct RevokeOutcome;
struct RevokeRequest;

// What the window needs from the outside, injected so tests can replace each part.
struct AppServices
{
    SettingsStore& settings;
    TokenStore& tokens;
    QNetworkAccessManager& network;
    const Clock& clock;
    AuthSession::BrowserLauncher browser;
    // The audit trail (AuditLog::defaultPath() in the app). Without one, nothing can be revoked: every revocation
    // is recorded before it is sent.
    QString auditLogPath = {};
};

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(const AppServices& services, const ConnectionSettings& connection, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Replaces the connection (Settings dialog): signs in silently to the new one if it remembers an account.
    void setConnection(const ConnectionSettings& connection);
    const ConnectionSettings& connection() const { return m_connection; }
    AuthSession* session() const { return m_session; }
    GraphClient* graphClient() const;
    UserSearchModel* searchModel() const { return m_searchModel; }
    UserSearchController* searchController() const { return m_searchController; }
    // The revoke dialog while it is open (it is window-modal, opened with open(), not exec()).
    RevokeDialog* revokeDialog() const;
    AuditWindow* auditWindow() const;
    // Help → About while it is open.
    AboutDialog* aboutDialog() const;
    // The user the details pane shows and "Revoke sessions…" would act on.
    std::optional<DirectoryUser> selectedUser() const { return m_selected; }

    // Shows the first-run dialog when nothing is configured yet; otherwise signs in silently.
    void start(bool firstRun);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void openSettings();
    void showAbout();
    void signIn();
    void onStateChanged(AuthSession::State state);
    void onWaitingForBrowser(const QUrl& url, bool opened);
    void showMessage(const QString& text);
    void clearMessage();
    void updateConnectionDisplay();
    void dropConnection();

    void onSearchStateChanged(UserSearchModel::State state);
    void onSelectionChanged();
    // The signed-in page, built on first use.
    SearchPage* searchPage();
    void updateActions();
    void copyObjectId();

    void openRevokeDialog();
    void openRevokeMineDialog();
    void showRevokeDialog(const RevokeRequest& request);
    void answerClaimsChallenge(const GraphError& error);
    void onRevokeFinished(const RevokeOutcome& outcome, const RevokeRequest& request);
    void showResult(const QString& text, const QString& copyText);
    void openAuditLog();

    const QScopedPointer<Ui::MainWindow> m_ui;
    AppServices m_services;
    ConnectionSettings m_connection;
    AuditLog m_audit;
    std::unique_ptr<NetworkContext> m_networkContext;
    QPointer<AuthSession> m_session;
    QPointer<GraphClient> m_graph;
    QLabel* m_connectionLabel;
    UserSearchModel* m_searchModel;
    UserSearchController* m_searchController;
    SearchPage* m_searchPage = nullptr;
    std::optional<DirectoryUser> m_selected;
    QPointer<RevokeDialog> m_revokeDialog;
    QPointer<AuditWindow> m_auditWindow;
    QPointer<AboutDialog> m_aboutDialog;
    QString m_resultCopyText;
    bool m_searchMessageShown = false;
};
