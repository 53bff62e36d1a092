#include "Clock.h"
#include "KeychainTokenStore.h"
#include "MainWindow.h"
#include "SettingsStore.h"
#include "TenantSim.h"

#include <QDesktopServices>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QPushButton>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

namespace {
const QString kService = QStringLiteral("Session Revoker (GUI e2e)");

// secret-tool search output of our service: the stored secrets (QtKeychain marks base64 data with type=base64).
QList<QByteArray> keychainSecrets()
{
    QProcess tool;
    tool.start(QStringLiteral("secret-tool"), {QStringLiteral("search"), QStringLiteral("--all"),
                                               QStringLiteral("--unlock"), QStringLiteral("server"), kService});
    if (!tool.waitForFinished(30000)) {
        return {};
    }
    const QList<QByteArray> lines = (tool.readAllStandardOutput() + tool.readAllStandardError()).split('\n');
    QList<QByteArray> secrets;
    bool base64 = false;
    QByteArray secret;
    const auto flush = [&] {
        if (!secret.isEmpty()) {
            secrets.append(base64 ? QByteArray::fromBase64(secret) : secret);
        }
        secret.clear();
        base64 = false;
    };
    for (const QByteArray& line : lines) {
        if (line.startsWith("[/")) {
            flush();
        } else if (line.startsWith("secret = ")) {
            secret = line.mid(9);
        } else if (line == "attribute.type = base64") {
            base64 = true;
        }
    }
    flush();
    return secrets;
}
} // namespace

// The GUI's sign-in with every real part: QDesktopServices::openUrl -> xdg-open -> $BROWSER, a headless Chromium
// that signs in on tenant-sim's page, the refresh token in a real gnome-keyring (Secret Service), silent sign-in
// in a second window, sign-out removing the entry. Runs under Xvfb (xcb) inside tests/e2e/with-keyring.sh.
class TestGuiSignIn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signInRememberSignOut();

private:
    TenantSim m_sim;
    QTemporaryDir m_emptyXdg;
};

void TestGuiSignIn::initTestCase()
{
    QVERIFY2(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"), "run inside tests/e2e/with-keyring.sh");
    QVERIFY2(qEnvironmentVariableIsSet("BROWSER"), "BROWSER must name tests/e2e/browser/system-browser.sh");
    // Under a display, xdg-open would prefer the desktop's browser association over $BROWSER: hide them.
    for (const char* name : {"XDG_DATA_DIRS", "XDG_CONFIG_DIRS"}) {
        qputenv(name, m_emptyXdg.path().toLocal8Bit());
    }
    for (const char* name : {"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID",
                             "MATE_DESKTOP_SESSION_ID"}) {
        qunsetenv(name);
    }
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("100")}), qPrintable(m_sim.errorText()));
}

void TestGuiSignIn::signInRememberSignOut()
{
    QTemporaryDir dir;
    SettingsStore settings(dir.filePath(QStringLiteral("settings.ini")));
    KeychainTokenStore tokens(kService);
    QNetworkAccessManager network;
    const Clock clock;
    const AppServices services{settings, tokens, network, clock, [](const QUrl& url) {
                                   return QDesktopServices::openUrl(url);
                               }};
    ConnectionSettings connection;
    connection.cloud = Cloud::Custom;
    connection.customAuthority = m_sim.baseUrl();
    connection.customGraph = m_sim.baseUrl();
    connection.tenant = QStringLiteral("contoso.test");
    connection.clientId = QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3");
    QVERIFY(keychainSecrets().isEmpty());

    QByteArray refreshToken;
    {
        MainWindow window(services, connection);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::mouseClick(window.findChild<QPushButton*>(QStringLiteral("signInButton")), Qt::LeftButton);
        const auto* status = window.statusBar()->findChild<QLabel*>(QStringLiteral("connectionLabel"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("signed in as helpdesk@contoso.test")), 60000);
        QVERIFY2(!status->text().contains(QStringLiteral("not remembered")), qPrintable(status->text()));
        QTRY_COMPARE_WITH_TIMEOUT(keychainSecrets().size(), 1, 10000);
        const QJsonObject entry = QJsonDocument::fromJson(keychainSecrets().first()).object();
        refreshToken = entry.value(QLatin1String("refresh_token")).toString().toUtf8();
        QVERIFY(!refreshToken.isEmpty());
        QCOMPARE(entry.value(QLatin1String("account")).toObject().value(QLatin1String("username")).toString(),
                 QStringLiteral("helpdesk@contoso.test"));
    }

    // Next day: a new window signs in silently from the keychain.
    MainWindow again(services, connection);
    again.show();
    again.start(false);
    const auto* status = again.statusBar()->findChild<QLabel*>(QStringLiteral("connectionLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("signed in as helpdesk@contoso.test")), 20000);

    // Nothing secret outside the keychain: settings, config, cache, data folders.
    for (const char* root : {"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"}) {
        QDirIterator it(qEnvironmentVariable(root), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly)) {
                QVERIFY2(!file.readAll().contains(refreshToken), qPrintable(file.fileName()));
            }
        }
    }
    QFile ini(settings.fileName());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains(refreshToken));

    again.findChild<QAction*>(QStringLiteral("actionSignOut"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(keychainSecrets().isEmpty(), 10000);
    QTRY_VERIFY(status->text().contains(QStringLiteral("not signed in")));
}

QTEST_MAIN(TestGuiSignIn)
#include "TestGuiSignIn.moc"
