#include "SignedInApp.h"

#include "MainWindow.h"
#include "ScriptedBrowser.h"
#include "TenantSim.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <cstdio>

SignedInApp::SignedInApp(const QUrl& simBase, const QElapsedTimer& clock)
    : m_settings(m_dir.filePath(QStringLiteral("settings.ini"))), m_network(clock), m_simBase(simBase)
{
    ConnectionSettings connection;
    connection.cloud = Cloud::Custom;
    connection.customAuthority = simBase;
    connection.customGraph = simBase;
    connection.tenant = QString::fromLatin1(TenantSim::kTenant);
    connection.clientId = QString::fromLatin1(TenantSim::kClientId);
    const AppServices services{m_settings,
                               m_tokens,
                               m_network,
                               m_clock,
                               [this](const QUrl& url) {
                                   m_launched = url;
                                   return true;
                               },
                               m_dir.filePath(QStringLiteral("audit.jsonl"))};
    m_window = std::make_unique<MainWindow>(services, connection);
}

SignedInApp::~SignedInApp() = default;

bool SignedInApp::signIn(const QString& upn)
{
    m_window->show();
    m_window->activateWindow();
    m_launched.clear();
    m_window->session()->signIn();
    if (!runUntil([this] { return m_launched.isValid(); }, 20000)) {
        std::fprintf(stderr, "the browser was never asked to open the sign-in page\n");
        return false;
    }
    ScriptedBrowser browser;
    const ScriptedBrowser::Outcome outcome = browser.run(m_launched, upn, QString::fromLatin1(TenantSim::kPassword));
    if (!outcome.reachedLoopback) {
        std::fprintf(stderr, "sign-in failed: %s\n", qUtf8Printable(outcome.failure));
        return false;
    }
    const bool signedIn =
        runUntil([this] { return m_window->session()->state() == AuthSession::State::SignedIn; }, 20000);
    if (!signedIn) {
        std::fprintf(stderr, "the app did not reach the signed-in state\n");
        return false;
    }
    // Let the window settle (layout, first paint of the signed-in page) before anything is measured.
    runFor(200);
    return true;
}

QLineEdit* SignedInApp::searchEdit() const
{
    return m_window->findChild<QLineEdit*>(QStringLiteral("searchEdit"));
}

QTableView* SignedInApp::resultsView() const
{
    return m_window->findChild<QTableView*>(QStringLiteral("resultsView"));
}

QByteArray SignedInApp::accessToken()
{
    QByteArray token;
    bool answered = false;
    QObject context;
    m_window->session()->requestAccessToken(&context, [&](const QByteArray& accessToken, const AuthError&) {
        token = accessToken;
        answered = true;
    });
    runUntil([&] { return answered; }, 20000);
    return token;
}

bool SignedInApp::runUntil(const std::function<bool()>& done, int timeoutMs, int holdMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    while (runUntilOnce(done, static_cast<int>(std::max<qint64>(0, timeoutMs - elapsed.elapsed())))) {
        if (holdMs <= 0) {
            return true;
        }
        runFor(holdMs);
        if (done()) {
            return true;
        }
        if (elapsed.elapsed() >= timeoutMs) {
            return false;
        }
    }
    return false;
}

bool SignedInApp::runUntilOnce(const std::function<bool()>& done, int timeoutMs)
{
    if (done()) {
        return true;
    }
    QEventLoop loop;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    poll.setInterval(1);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done()) {
            loop.quit();
        }
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    poll.start();
    loop.exec();
    return done();
}

void SignedInApp::runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}
