#include "AuditCommand.h"
#include "AuditLog.h"
#include "AuthCommand.h"
#include "AuthSession.h"
#include "Clock.h"
#include "Cloud.h"
#include "ConnectionOptions.h"
#include "ExitCodes.h"
#include "GraphClient.h"
#include "GraphCommand.h"
#include "KeychainTokenStore.h"
#include "NetworkContext.h"
#include "SettingsStore.h"
#include "SystemBrowser.h"
#include "Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
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

std::optional<GraphCommand::Kind> graphCommand(const QString& name)
{
    if (name == QLatin1String("search")) {
        return GraphCommand::Kind::Search;
    }
    if (name == QLatin1String("show")) {
        return GraphCommand::Kind::Show;
    }
    if (name == QLatin1String("revoke")) {
        return GraphCommand::Kind::Revoke;
    }
    return std::nullopt;
}

// The options of search, show and revoke.
struct GraphOptions
{
    QCommandLineOption json{QStringLiteral("json"),
                            tr("search, show, revoke, audit: print machine-readable JSON (never a token).")};
    QCommandLineOption yes{QStringLiteral("yes"), tr("revoke: confirmed; do not ask (for scripts).")};
    QCommandLineOption me{QStringLiteral("me"), tr("revoke: your own sessions, everywhere (you are signed out).")};
    QCommandLineOption reason{QStringLiteral("reason"), tr("revoke: why, for the audit log (e.g. \"Lost phone\")."),
                              tr("text")};
    QCommandLineOption api{QStringLiteral("api"),
                           tr("revoke: v1 (revokeSignInSessions, the default unless set in Settings) or beta "
                              "(invalidateAllRefreshTokens)."),
                           tr("v1|beta")};
    QCommandLineOption top{QStringLiteral("top"), tr("search: at most this many users (1-999, default 50)."),
                           tr("count"), QStringLiteral("50")};
    QCommandLineOption csv{QStringLiteral("csv"), tr("audit: write CSV to standard output.")};
    QCommandLineOption auditFile{QStringLiteral("audit-file"),
                                 tr("revoke, audit: the audit log to use instead of the default (%1).")
                                     .arg(QDir::toNativeSeparators(AuditLog::defaultPath())),
                                 tr("path")};

    void addTo(QCommandLineParser& parser) const
    {
        parser.addOptions({json, yes, me, reason, api, top, csv, auditFile});
    }
};

// The command line of search, show or revoke as GraphCommand options; an operator-readable error when unusable.
QString graphOptionsFrom(const QCommandLineParser& parser, const GraphOptions& o, GraphCommand::Kind kind,
                         const QStringList& args, RevokeApi defaultApi, GraphCommand::Options* out)
{
    out->kind = kind;
    out->json = parser.isSet(o.json);
    out->yes = parser.isSet(o.yes);
    out->reason = parser.value(o.reason).trimmed();
    out->api = defaultApi;
    if (parser.isSet(o.api)) {
        const QString api = parser.value(o.api).toLower();
        if (api == QLatin1String("v1") || api == QLatin1String("v1.0")) {
            out->api = RevokeApi::RevokeSignInSessions;
        } else if (api == QLatin1String("beta")) {
            out->api = RevokeApi::InvalidateAllRefreshTokens;
        } else {
            return tr("--api takes v1 or beta.");
        }
    }
    bool topOk = false;
    out->top = parser.value(o.top).toInt(&topOk);
    if (!topOk || out->top < 1 || out->top > 999) {
        return tr("--top takes a number between 1 and 999.");
    }
    const QStringList rest = args.mid(1);
    switch (kind) {
    case GraphCommand::Kind::Search:
        out->argument = rest.join(QLatin1Char(' ')).trimmed();
        if (out->argument.isEmpty()) {
            return tr("search needs some text: session-revoker-cli search <name, UPN or e-mail>");
        }
        break;
    case GraphCommand::Kind::Show:
        if (rest.size() != 1) {
            return tr("show needs one user: session-revoker-cli show <object id or UPN>");
        }
        out->argument = rest.first();
        break;
    case GraphCommand::Kind::Revoke:
    case GraphCommand::Kind::RevokeMe:
        if (parser.isSet(o.me)) {
            if (!rest.isEmpty()) {
                return tr("revoke --me takes no user: it revokes your own sessions.");
            }
            out->kind = GraphCommand::Kind::RevokeMe;
        } else if (rest.size() != 1) {
            return tr("revoke needs one user: session-revoker-cli revoke <object id or UPN> [--reason <text>] "
                      "[--api v1|beta] [--yes]");
        } else {
            out->argument = rest.first();
        }
        break;
    }
    return {};
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
           "  login                 Sign in in the system browser and remember the sign-in in the system keychain.\n"
           "  whoami                Show who is signed in (signs in silently from the keychain).\n"
           "  logout                Forget the sign-in: tokens in memory and the keychain entry.\n"
           "  config                Show the effective connection settings (stored settings with options applied).\n"
           "  search <text>         Find users by name, user principal name or e-mail.\n"
           "  show <id|upn>         Show one user, with the time their sessions are valid from.\n"
           "  revoke <id|upn>       Revoke all of the user's sessions: shows who it is, asks you to type the\n"
           "                        part of the UPN before @, records it in the audit log, then verifies.\n"
           "  revoke --me           Revoke your own sessions everywhere, and sign out.\n"
           "  audit                 Print the audit log (a table, --json or --csv).\n\n"
           "Exit codes: 0 success, 1 failure, 2 usage (or a revocation nobody confirmed), 3 not signed in,\n"
           "4 denied (HTTP 403) or cancelled, 5 user not found (HTTP 404), 6 throttled (HTTP 429)."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionOptions::addTo(parser);
    const QCommandLineOption browserTimeout(QStringLiteral("browser-timeout"),
                                            tr("login: give up after this many seconds without a sign-in in the "
                                               "browser (default 300)."),
                                            tr("seconds"), QStringLiteral("300"));
    parser.addOption(browserTimeout);
    const GraphOptions graphOptions;
    graphOptions.addTo(parser);
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
    const QString auditPath =
        parser.isSet(graphOptions.auditFile) ? parser.value(graphOptions.auditFile) : AuditLog::defaultPath();
    if (command == QLatin1String("audit") && args.size() == 1) {
        if (parser.isSet(graphOptions.json) && parser.isSet(graphOptions.csv)) {
            QTextStream(stderr) << tr("audit prints either --json or --csv, not both.") << '\n';
            return ExitUsage;
        }
        const AuditCommand::Format format = parser.isSet(graphOptions.json)  ? AuditCommand::Format::Json
                                            : parser.isSet(graphOptions.csv) ? AuditCommand::Format::Csv
                                                                             : AuditCommand::Format::Table;
        return AuditCommand(auditPath, format).run();
    }
    const std::optional<AuthCommand::Kind> kind = authCommand(command);
    const std::optional<GraphCommand::Kind> graphKind = graphCommand(command);
    if ((!kind || args.size() != 1) && !graphKind) {
        QTextStream(stderr) << tr("Unknown command or arguments: %1").arg(args.join(QLatin1Char(' '))) << "\n\n"
                            << parser.helpText();
        return ExitUsage;
    }
    GraphCommand::Options graphCommandOptions;
    if (graphKind) {
        const QString error =
            graphOptionsFrom(parser, graphOptions, *graphKind, args, store.revokeApi(), &graphCommandOptions);
        if (!error.isEmpty()) {
            QTextStream(stderr) << error << '\n';
            return ExitUsage;
        }
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
    if (kind) {
        AuthCommand runner(*kind, session);
        QMetaObject::invokeMethod(&runner, &AuthCommand::start, Qt::QueuedConnection);
        return QCoreApplication::exec();
    }
    GraphClient graph(network, session, connection.graphEndpoint());
    AuditLog audit(auditPath);
    GraphCommand runner(graphCommandOptions, session, graph, audit);
    QMetaObject::invokeMethod(&runner, &GraphCommand::start, Qt::QueuedConnection);
    return QCoreApplication::exec();
}
