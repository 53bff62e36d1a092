#include "GuiMain.h"

#include "AppIcon.h"
#include "AuditLog.h"
#include "Clock.h"
#include "ConnectionOptions.h"
#include "KeychainTokenStore.h"
#include "MainWindow.h"
#include "SettingsStore.h"
#include "Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDesktopServices>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>

#include <cstdio>

namespace {
void describe(QCommandLineParser& parser)
{
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Revoke a user's Microsoft Entra ID sessions after a lost or stolen device."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionOptions::addTo(parser);
}

void nameApplication()
{
    QCoreApplication::setApplicationName(QString::fromLatin1(SessionRevoker::kApplicationName));
    QCoreApplication::setOrganizationName(QString::fromLatin1(SessionRevoker::kOrganizationName));
    QCoreApplication::setOrganizationDomain(QString::fromLatin1(SessionRevoker::kOrganizationDomain));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(SessionRevoker::kVersion));
}

#ifndef Q_OS_WIN
// --help and --version answer in the terminal without a windowing system (over SSH, in scripts, on a server), so
// they must not wait for QApplication, which exits when there is no display. (On Windows Qt answers them in a message
// box, which needs the GUI application.)
void answerHelpOrVersion(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--") {
            return;
        }
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all" || arg == "-v" || arg == "--version") {
            QCoreApplication core(argc, argv);
            nameApplication();
            QCommandLineParser parser;
            describe(parser);
            parser.process(core); // prints and exits, or reports a usage error and exits
            return;
        }
    }
}
#endif
} // namespace

int guiMain(int argc, char* argv[], const GuiMainHooks& hooks)
{
#ifndef Q_OS_WIN
    answerHelpOrVersion(argc, argv);
#endif
    QApplication app(argc, argv);
    nameApplication();
    QGuiApplication::setDesktopFileName(QString::fromLatin1(SessionRevoker::kAppId));
    QApplication::setWindowIcon(AppIcon::icon());

    QCommandLineParser parser;
    describe(parser);
    parser.process(app);

    SettingsStore settings;
    const std::optional<ConnectionSettings> stored = settings.loadConnection();
    ConnectionSettings connection = stored.value_or(ConnectionSettings{});
    if (const QString error = ConnectionOptions::applyTo(parser, connection); !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qUtf8Printable(error));
        QMessageBox::critical(nullptr, QApplication::applicationName(), error);
        return 2;
    }
    const bool firstRun = !stored && !ConnectionOptions::anySet(parser);

    QNetworkProxyFactory::setUseSystemConfiguration(true);
    QNetworkAccessManager network;
    KeychainTokenStore tokens(QString::fromLatin1(SessionRevoker::kApplicationName));
    const Clock clock;
    const AppServices services{settings,
                               tokens,
                               network,
                               clock,
                               [](const QUrl& url) { return QDesktopServices::openUrl(url); },
                               AuditLog::defaultPath()};

    MainWindow window(services, connection);
    if (hooks.windowCreated) {
        hooks.windowCreated(window);
    }
    window.show();
    window.start(firstRun);
    if (hooks.windowShown) {
        hooks.windowShown();
    }
    return QApplication::exec();
}
