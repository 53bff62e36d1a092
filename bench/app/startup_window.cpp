// session-revoker's start-up up to its first painted frame: main() of src/app/main.cpp, step for step (the same
// services, options and settings), with the first-paint probe of bare_window.cpp added. Kept in step with main.cpp
// by hand; bench/README.md ("app") says why the product itself has no such option.

#include "AuditLog.h"
#include "Clock.h"
#include "ConnectionOptions.h"
#include "FirstPaintProbe.h"
#include "KeychainTokenStore.h"
#include "MainWindow.h"
#include "SettingsStore.h"
#include "Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDesktopServices>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>

#include <cstdio>

int main(int argc, char* argv[])
{
    const qint64 mainEntered = FirstPaintProbe::monotonicNs();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QString::fromLatin1(SessionRevoker::kApplicationName));
    QApplication::setOrganizationName(QString::fromLatin1(SessionRevoker::kOrganizationName));
    QApplication::setOrganizationDomain(QString::fromLatin1(SessionRevoker::kOrganizationDomain));
    QApplication::setApplicationVersion(QString::fromLatin1(SessionRevoker::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Revoke a user's Microsoft Entra ID sessions after a lost or stolen device."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionOptions::addTo(parser);
    parser.process(app);

    SettingsStore settings;
    const std::optional<ConnectionSettings> stored = settings.loadConnection();
    ConnectionSettings connection = stored.value_or(ConnectionSettings{});
    if (const QString error = ConnectionOptions::applyTo(parser, connection); !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qUtf8Printable(error));
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
    FirstPaintProbe probe(window, mainEntered);
    window.show();
    window.start(firstRun);
    probe.markShown();
    return QApplication::exec();
}
