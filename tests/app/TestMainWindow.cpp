#include "Clock.h"
#include "ConnectionDialog.h"
#include "MainWindow.h"
#include "MemoryTokenStore.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {
ConnectionSettings connectionTo(const QUrl& base)
{
    ConnectionSettings s;
    s.cloud = Cloud::Custom;
    s.customAuthority = base;
    s.customGraph = base;
    s.tenant = QStringLiteral("contoso.test");
    s.clientId = QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3");
    return s;
}

template <typename T> T* child(const QObject& parent, const char* name)
{
    return parent.findChild<T*>(QLatin1String(name));
}
} // namespace

// The real main window, driven as an operator would, with its services injected: an in-memory token store,
// a throwaway settings file, and a scripted browser against the real tenant-sim.
class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void showsConfiguredCloudAndTenant();
    void menusArePresent();
    void unusableConnectionExplainsWhy();
    void failureIsShownInPlace();
    void signInWaitCancel();
    void signInAndOut();
    void silentSignInAtStart();
    void firstRunAsksForSettings();

private:
    std::unique_ptr<MainWindow> makeWindow(const ConnectionSettings& connection);
    QString statusText(const MainWindow& window) const
    {
        return child<QLabel>(*window.statusBar(), "connectionLabel")->text();
    }

    TenantSim m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<MemoryTokenStore> m_tokens;
    QNetworkAccessManager m_network;
    Clock m_clock;
    QUrl m_launched;
};

void TestMainWindow::initTestCase()
{
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("100")}), qPrintable(m_sim.errorText()));
    m_tokens = std::make_unique<MemoryTokenStore>();
}

void TestMainWindow::init()
{
    m_settings = std::make_unique<SettingsStore>(
        m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".ini")));
    m_launched.clear();
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow(const ConnectionSettings& connection)
{
    const AppServices services{*m_settings, *m_tokens, m_network, m_clock, [this](const QUrl& url) {
                                   m_launched = url;
                                   return true;
                               }};
    auto window = std::make_unique<MainWindow>(services, connection);
    window->show();
    return window;
}

void TestMainWindow::showsConfiguredCloudAndTenant()
{
    auto window = makeWindow(connectionTo(m_sim.baseUrl()));
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    const QString text = statusText(*window);
    QVERIFY2(text.contains(QStringLiteral("Custom cloud")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("contoso.test")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("not signed in")), qPrintable(text));
    QVERIFY(!child<QLineEdit>(*window, "searchEdit")->isEnabled()); // searching needs a signed-in operator
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedOutPage"));
}

void TestMainWindow::menusArePresent()
{
    auto window = makeWindow(connectionTo(m_sim.baseUrl()));
    QStringList titles;
    const auto actions = window->menuBar()->actions();
    for (const QAction* action : actions) {
        titles.append(action->text());
    }
    QCOMPARE(titles, (QStringList{QStringLiteral("&File"), QStringLiteral("&Edit"), QStringLiteral("&Account"),
                                  QStringLiteral("&Help")}));
    QVERIFY(child<QAction>(*window, "actionSignIn")->isEnabled());
    QVERIFY(!child<QAction>(*window, "actionSignOut")->isEnabled());
    QVERIFY(!child<QAction>(*window, "actionRevokeMine")->isEnabled()); // needs a signed-in operator
    QVERIFY(!child<QAction>(*window, "actionRevoke")->isEnabled());     // needs a selected user
    QVERIFY(child<QAction>(*window, "actionSettings")->isEnabled());
    QVERIFY(child<QAction>(*window, "actionAuditLog")->isEnabled());
    QCOMPARE(child<QAction>(*window, "actionQuit")->shortcut(), QKeySequence(QStringLiteral("Ctrl+Q")));
    QCOMPARE(child<QAction>(*window, "actionRevoke")->shortcut(), QKeySequence(QStringLiteral("Ctrl+R")));
}

void TestMainWindow::unusableConnectionExplainsWhy()
{
    ConnectionSettings broken = connectionTo(m_sim.baseUrl());
    broken.clientId.clear();
    auto window = makeWindow(broken);
    QCOMPARE(statusText(*window), QStringLiteral("Not configured"));
    const QString hint = child<QLabel>(*window, "connectionHintLabel")->text();
    QVERIFY2(hint.contains(QStringLiteral("client id")), qPrintable(hint));
    QVERIFY(!child<QAction>(*window, "actionSignIn")->isEnabled());
    QVERIFY(!child<QPushButton>(*window, "signInButton")->isEnabled());

    window->setConnection(connectionTo(m_sim.baseUrl()));
    QVERIFY(child<QAction>(*window, "actionSignIn")->isEnabled());
}

void TestMainWindow::failureIsShownInPlace()
{
    ConnectionSettings wrongTenant = connectionTo(m_sim.baseUrl());
    wrongTenant.tenant = QStringLiteral("fabrikam.test");
    auto window = makeWindow(wrongTenant);
    QTest::mouseClick(child<QPushButton>(*window, "signInButton"), Qt::LeftButton);
    auto* message = child<QLabel>(*window, "messageLabel");
    QTRY_VERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("tenant")), qPrintable(message->text()));
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedOutPage"));
    QVERIFY(QApplication::topLevelWidgets().size() >= 1);
    for (QWidget* top : QApplication::topLevelWidgets()) {
        QVERIFY2(!top->inherits("QMessageBox"), "errors belong in the window, not in pop-ups");
    }
}

void TestMainWindow::signInWaitCancel()
{
    auto window = makeWindow(connectionTo(m_sim.baseUrl()));
    child<QAction>(*window, "actionSignIn")->trigger();
    auto* pages = child<QStackedWidget>(*window, "pages");
    QTRY_COMPARE(pages->currentWidget()->objectName(), QStringLiteral("waitingPage"));
    QTRY_VERIFY(m_launched.isValid());
    QVERIFY(child<QLabel>(*window, "waitingLabel")->text().contains(QStringLiteral("Waiting for the browser")));
    QVERIFY(!child<QAction>(*window, "actionSignIn")->isEnabled()); // one sign-in at a time
    QTest::mouseClick(child<QPushButton>(*window, "cancelSignInButton"), Qt::LeftButton);
    QCOMPARE(pages->currentWidget()->objectName(), QStringLiteral("signedOutPage"));
    QVERIFY(!child<QLabel>(*window, "messageLabel")->isVisible()); // cancelling is not an error
}

void TestMainWindow::signInAndOut()
{
    auto window = makeWindow(connectionTo(m_sim.baseUrl()));
    // The results page is built on the first sign-in, not for the first paint (bench/README.md, "app").
    QVERIFY(!window->findChild<QTableView*>(QStringLiteral("resultsView")));
    QTest::mouseClick(child<QPushButton>(*window, "signInButton"), Qt::LeftButton);
    QTRY_VERIFY(m_launched.isValid());
    ScriptedBrowser browser;
    const auto outcome = browser.run(m_launched, QStringLiteral("helpdesk@contoso.test"), QStringLiteral("Passw0rd!"));
    QVERIFY2(outcome.reachedLoopback, qPrintable(outcome.failure));
    QTRY_VERIFY(statusText(*window).contains(QStringLiteral("signed in as helpdesk@contoso.test")));
    QVERIFY2(statusText(*window).contains(QStringLiteral("(Helpdesk Administrator)")), qPrintable(statusText(*window)));
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedInPage"));
    QCOMPARE(window->session()->account().name, QStringLiteral("Hal Desmond"));
    auto* search = child<QLineEdit>(*window, "searchEdit");
    QVERIFY(search->isEnabled());
    QVERIFY(search->isClearButtonEnabled());
    QVERIFY(window->findChild<QTableView*>(QStringLiteral("resultsView")));
    QCOMPARE(window->focusWidget(), search); // the operator starts typing a name at once
    QVERIFY2(child<QLabel>(*window, "resultsHintLabel")->text().contains(QStringLiteral("Type at least 2 characters")),
             qPrintable(child<QLabel>(*window, "resultsHintLabel")->text()));
    QCOMPARE(child<QAction>(*window, "actionSignIn")->text(), QStringLiteral("&Switch account…"));
    QVERIFY(child<QAction>(*window, "actionSignOut")->isEnabled());
    QVERIFY(child<QAction>(*window, "actionRevokeMine")->isEnabled());

    child<QAction>(*window, "actionSignOut")->trigger();
    QTRY_VERIFY(statusText(*window).contains(QStringLiteral("not signed in")));
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedOutPage"));
    QVERIFY(!search->isEnabled());
    QVERIFY(!child<QAction>(*window, "actionRevokeMine")->isEnabled());
}

void TestMainWindow::silentSignInAtStart()
{
    {
        auto first = makeWindow(connectionTo(m_sim.baseUrl()));
        first->session()->signIn();
        QTRY_VERIFY(m_launched.isValid());
        ScriptedBrowser browser;
        QVERIFY(browser.run(m_launched, QStringLiteral("useradmin@contoso.test"), QStringLiteral("Passw0rd!"))
                    .reachedLoopback);
        QTRY_VERIFY(statusText(*first).contains(QStringLiteral("useradmin@contoso.test")));
        QTRY_VERIFY(!m_settings->signedInAccount(AuthSession::connectionKey(first->connection())).isEmpty());
    }
    m_launched.clear();
    auto second = makeWindow(connectionTo(m_sim.baseUrl()));
    second->start(false);
    QTRY_VERIFY_WITH_TIMEOUT(statusText(*second).contains(QStringLiteral("signed in as useradmin@contoso.test")),
                             10000);
    QVERIFY(statusText(*second).contains(QStringLiteral("User Administrator")));
    QVERIFY(!m_launched.isValid()); // no browser
}

void TestMainWindow::firstRunAsksForSettings()
{
    auto window = makeWindow(ConnectionSettings{});
    bool answered = false;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = window->findChild<ConnectionDialog*>();
        QVERIFY(dialog);
        auto* ok = child<QDialogButtonBox>(*dialog, "buttonBox")->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled()); // nothing usable yet
        auto* cloud = child<QComboBox>(*dialog, "cloudCombo");
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("custom")));
        child<QLineEdit>(*dialog, "authorityEdit")->setText(m_sim.baseUrl().toString());
        child<QLineEdit>(*dialog, "graphEdit")->setText(m_sim.baseUrl().toString());
        child<QLineEdit>(*dialog, "tenantEdit")->setText(QStringLiteral("contoso.test"));
        child<QLineEdit>(*dialog, "clientIdEdit")->setText(QStringLiteral("not-a-guid"));
        QVERIFY(!ok->isEnabled());
        QVERIFY(child<QLabel>(*dialog, "problemLabel")->text().contains(QStringLiteral("GUID")));
        child<QLineEdit>(*dialog, "clientIdEdit")->setText(QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3"));
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        answered = true;
    });
    window->start(true);
    QVERIFY(answered);
    const auto saved = m_settings->loadConnection();
    QVERIFY(saved.has_value());
    QCOMPARE(saved->cloud, Cloud::Custom);
    QCOMPARE(saved->tenant, QStringLiteral("contoso.test"));
    QVERIFY(statusText(*window).contains(QStringLiteral("Custom cloud · tenant contoso.test")));
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
