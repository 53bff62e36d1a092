#pragma once

#include "AuthSession.h"
#include "ConnectionSettings.h"

#include <QMainWindow>
#include <QPointer>
#include <QScopedPointer>

#include <memory>

namespace Ui {
class MainWindow;
}
class Clock;
class NetworkContext;
class QLabel;
class QNetworkAccessManager;
class SettingsStore;
class TokenStore;

// What the window needs from the outside, injected so tests can replace each part.
struct AppServices
{
    SettingsStore& settings;
    TokenStore& tokens;
    QNetworkAccessManager& network;
    const Clock& clock;
    AuthSession::BrowserLauncher browser;
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

    // Shows the first-run dialog when nothing is configured yet; otherwise signs in silently.
    void start(bool firstRun);

private:
    void openSettings();
    void showAbout();
    void signIn();
    void onStateChanged(AuthSession::State state);
    void onWaitingForBrowser(const QUrl& url, bool opened);
    void showMessage(const QString& text);
    void clearMessage();
    void updateConnectionDisplay();

    const QScopedPointer<Ui::MainWindow> m_ui;
    AppServices m_services;
    ConnectionSettings m_connection;
    std::unique_ptr<NetworkContext> m_networkContext;
    QPointer<AuthSession> m_session;
    QLabel* m_connectionLabel;
};
