#include "AuthCommand.h"
#include "AuthSession.h"
#include "Clock.h"
#include "Cloud.h"
#include "ConnectionOptions.h"
#include "ExitCodes.h"
#include "KeychainTokenStore.h"
#include "NetworkContext.h"
#include "SettingsStore.h"
#include "SystemBrowser.h"
#include "Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QTextStream>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("cli", text);
}

int printConfig(const ConnectionSettings& connection, const SettingsStore& store)
{
    QTextStream out(stdout);
    out << tr("Settings file: %1").arg(store.fileName()) << '\n'
        << tr("Cloud:         %1 (%2)").arg(Clouds::displayName(connection.cloud), Clouds::id(connection.cloud)) << '\n'
        << tr("Authority:     %1").arg(connection.authorityUrl().toDisplayString()) << '\n'
        << tr("Graph:         %1").arg(connection.graphEndpoint().toDisplayString()) << '\n'
        << tr("Tenant:        %1").arg(connection.tenant) << '\n'
        << tr("Client id:     %1").arg(connection.clientId) << '\n'
        << tr("Extra CA file: %1").arg(connection.caFile.isEmpty() ? tr("(none)") : connection.caFile) << '\n';
    const QString problem = connection.validationError();
    if (!problem.isEmpty()) {
        QTextStream(stderr) << tr("Not usable yet: %1").arg(problem) << '\n';
        return ExitFailure;
    }
    return ExitSuccess;
}

std::optional<AuthCommand::Kind> authCommand(const QString& name)
{
    if (name == QLatin1String("login")) {
        return AuthCommand::Kind::Login;
    }
    if (name == QLatin1String("whoami")) {
        return AuthCommand::Kind::WhoAmI;
    }
    if (name == QLatin1String("logout")) {
        return AuthCommand::Kind::Logout;
    }
    return std::nullopt;
}
} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QString::fromLatin1(SessionRevoker::kApplicationName));
    QCoreApplication::setOrganizationName(QString::fromLatin1(SessionRevoker::kOrganizationName));
    QCoreApplication::setOrganizationDomain(QString::fromLatin1(SessionRevoker::kOrganizationDomain));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(SessionRevoker::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Revoke a user's Microsoft Entra ID sessions after a lost or stolen device.\n\n"
           "Commands:\n"
           "  login     Sign in in the system browser and remember the sign-in in the system keychain.\n"
           "  whoami    Show who is signed in (signs in silently from the keychain).\n"
           "  logout    Forget the sign-in: tokens in memory and the keychain entry.\n"
           "  config    Show the effective connection settings (stored settings with options applied).\n\n"
           "Exit codes: 0 success, 1 failure, 2 usage, 3 not signed in, 4 denied or cancelled."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionOptions::addTo(parser);
    const QCommandLineOption browserTimeout(QStringLiteral("browser-timeout"),
                                            tr("login: give up after this many seconds without a sign-in in the "
                                               "browser (default 300)."),
                                            tr("seconds"), QStringLiteral("300"));
    parser.addOption(browserTimeout);
    parser.addPositionalArgument(QStringLiteral("command"), tr("The command to run (see above)."));
    parser.process(app);

    SettingsStore store;
    ConnectionSettings connection = store.loadConnection().value_or(ConnectionSettings{});
    if (const QString error = ConnectionOptions::applyTo(parser, connection); !error.isEmpty()) {
        QTextStream(stderr) << error << '\n';
        return ExitUsage;
    }

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        QTextStream(stderr) << tr("No command given.") << "\n\n" << parser.helpText();
        return ExitUsage;
    }
    const QString& command = args.first();
    if (command == QLatin1String("config") && args.size() == 1) {
        return printConfig(connection, store);
    }
    const std::optional<AuthCommand::Kind> kind = authCommand(command);
    if (!kind || args.size() != 1) {
        QTextStream(stderr) << tr("Unknown command or arguments: %1").arg(args.join(QLatin1Char(' '))) << "\n\n"
                            << parser.helpText();
        return ExitUsage;
    }
    if (const QString problem = connection.validationError(); !problem.isEmpty()) {
        QTextStream(stderr) << problem << '\n';
        return ExitUsage;
    }

    QNetworkProxyFactory::setUseSystemConfiguration(true);
    QNetworkAccessManager manager;
    NetworkContext network(&manager);
    if (!connection.caFile.isEmpty()) {
        if (const QString error = network.addCaFile(connection.caFile); !error.isEmpty()) {
            QTextStream(stderr) << error << '\n';
            return ExitUsage;
        }
    }
    KeychainTokenStore tokens(QString::fromLatin1(SessionRevoker::kApplicationName));
    const Clock clock;
    AuthSession session(connection, network, tokens, store, clock, &SystemBrowser::open);
    bool timeoutOk = false;
    const int timeoutSecs = parser.value(browserTimeout).toInt(&timeoutOk);
    if (!timeoutOk || timeoutSecs <= 0 || timeoutSecs > 3600) {
        QTextStream(stderr) << tr("--browser-timeout takes a number of seconds between 1 and 3600.") << '\n';
        return ExitUsage;
    }
    session.setBrowserTimeoutMs(timeoutSecs * 1000);
    AuthCommand runner(*kind, session);
    QMetaObject::invokeMethod(&runner, &AuthCommand::start, Qt::QueuedConnection);
    return QCoreApplication::exec();
}
