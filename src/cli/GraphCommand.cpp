#include "GraphCommand.h"

#include "AuditLog.h"
#include "AuthSession.h"
#include "ExitCodes.h"
#include "RevokeOperation.h"
#include "TextTable.h"
#include "TimeText.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {
// After the last answer, how long to wait for the rotated refresh token to reach the keychain.
constexpr int kKeychainWaitMs = 10000;

bool stdinIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stdin)) != 0;
#else
    return ::isatty(fileno(stdin)) != 0;
#endif
}

QJsonValue isoOrNull(const QDateTime& utc)
{
    return utc.isValid() ? QJsonValue(utc.toUTC().toString(Qt::ISODate)) : QJsonValue();
}

QJsonObject userJson(const DirectoryUser& user)
{
    QJsonObject json{
        {QStringLiteral("id"), user.id},
        {QStringLiteral("displayName"), user.displayName},
        {QStringLiteral("userPrincipalName"), user.userPrincipalName},
        {QStringLiteral("mail"), user.mail},
        {QStringLiteral("department"), user.department},
        {QStringLiteral("jobTitle"), user.jobTitle},
        {QStringLiteral("userType"), user.userType},
        {QStringLiteral("accountEnabled"), user.accountEnabled ? QJsonValue(*user.accountEnabled) : QJsonValue()},
        {QStringLiteral("signInSessionsValidFromDateTime"), isoOrNull(user.signInSessionsValidFrom)},
    };
    if (user.refreshTokensValidFrom.isValid()) {
        json.insert(QStringLiteral("refreshTokensValidFromDateTime"), isoOrNull(user.refreshTokensValidFrom));
    }
    return json;
}

QJsonObject errorJson(const GraphError& error)
{
    return {{QStringLiteral("kind"), GraphError::kindName(error.kind)},
            {QStringLiteral("code"), error.code},
            {QStringLiteral("message"), error.message},
            {QStringLiteral("httpStatus"), error.httpStatus}};
}

void printJson(const QJsonObject& json)
{
    QTextStream(stdout) << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
}

QString enabledText(const DirectoryUser& user)
{
    if (!user.accountEnabled) {
        return QCoreApplication::translate("GraphCommand", "unknown");
    }
    return *user.accountEnabled ? QCoreApplication::translate("GraphCommand", "enabled")
                                : QCoreApplication::translate("GraphCommand", "disabled");
}

void printUser(QTextStream& out, const DirectoryUser& user)
{
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("GraphCommand", text);
    };
    const auto line = [&out](const QString& label, const QString& value) {
        out << "  " << label.leftJustified(22) << (value.isEmpty() ? QStringLiteral("-") : value) << '\n';
    };
    out << (user.displayName.isEmpty() ? user.userPrincipalName : user.displayName) << '\n';
    line(tr("User principal name"), user.userPrincipalName);
    line(tr("Object id"), user.id);
    line(tr("Mail"), user.mail);
    line(tr("Department"), user.department);
    line(tr("Job title"), user.jobTitle);
    line(tr("Account"), enabledText(user));
    line(tr("User type"), user.userType);
    line(tr("Sessions valid from"), localTimeText(user.signInSessionsValidFrom));
    if (user.refreshTokensValidFrom.isValid()) {
        line(tr("Refresh tokens valid from"), localTimeText(user.refreshTokensValidFrom));
    }
    out.flush();
}

} // namespace

GraphCommand::GraphCommand(Options options, AuthSession& session, GraphClient& graph, AuditLog& audit, QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_session(session), m_graph(graph), m_audit(audit)
{
}

int GraphCommand::exitCodeFor(const GraphError& error)
{
    switch (error.kind) {
    case GraphError::Kind::None:
        return ExitSuccess;
    case GraphError::Kind::SignInRequired:
    case GraphError::Kind::Unauthorized:
        return ExitNotSignedIn;
    case GraphError::Kind::Forbidden:
    case GraphError::Kind::Cancelled:
        return ExitDenied;
    case GraphError::Kind::NotFound:
        return ExitNotFound;
    case GraphError::Kind::Throttled:
        return ExitThrottled;
    default:
        return ExitFailure;
    }
}

void GraphCommand::start()
{
    connect(&m_session, &AuthSession::keychainProblem, this,
            [](const QString& message) { QTextStream(stderr) << message << Qt::endl; });
    connect(&m_session, &AuthSession::signInFailed, this, [this](const AuthError& error) {
        QTextStream(stderr) << error.message << Qt::endl;
        m_transientFailure = !error.requiresInteractiveSignIn();
    });
    connect(&m_session, &AuthSession::tokensStored, this, [this] {
        m_tokensStored = true;
        if (m_exiting) {
            exitNow();
        }
    });
    connect(&m_session, &AuthSession::restoreFinished, this, [this](bool signedIn) {
        if (signedIn) {
            run();
            return;
        }
        if (m_transientFailure) {
            finish(ExitFailure); // the stored sign-in is kept: try again when the network is back
            return;
        }
        QTextStream(stderr) << tr("Not signed in. Run: session-revoker-cli login") << Qt::endl;
        finish(ExitNotSignedIn);
    });
    m_session.restore();
}

void GraphCommand::run()
{
    switch (m_options.kind) {
    case Kind::Search:
        search();
        break;
    case Kind::Show:
        show();
        break;
    case Kind::Revoke:
        revoke();
        break;
    case Kind::RevokeMe:
        revokeMe();
        break;
    }
}

bool GraphCommand::fail(const GraphReply& reply)
{
    if (!reply.error.isError()) {
        return false;
    }
    QTextStream err(stderr);
    err << reply.error.message << Qt::endl;
    const QString requestId = !reply.requestId.isEmpty() ? reply.requestId : reply.error.requestId;
    if (!requestId.isEmpty()) {
        err << tr("request-id %1").arg(requestId) << Qt::endl;
    }
    finish(exitCodeFor(reply.error));
    return true;
}

void GraphCommand::search()
{
    GraphJob* job = m_graph.searchUsers(m_options.argument, m_options.top);
    connect(job, &GraphJob::finished, this, &GraphCommand::onSearchFinished);
}

void GraphCommand::onSearchFinished(const GraphReply& reply)
{
    if (fail(reply)) {
        return;
    }
    const UserPage page = UserPage::fromReply(reply);
    const bool more = !page.nextLink.isEmpty();
    if (m_options.json) {
        QJsonArray users;
        for (const DirectoryUser& user : page.users) {
            users.append(userJson(user));
        }
        QJsonObject json{{QStringLiteral("query"), m_options.argument},
                         {QStringLiteral("users"), users},
                         {QStringLiteral("more"), more}};
        if (page.count) {
            json.insert(QStringLiteral("count"), static_cast<double>(*page.count));
        }
        printJson(json);
        finish(ExitSuccess);
        return;
    }
    QTextStream out(stdout);
    if (page.users.isEmpty()) {
        out << tr("No one matches '%1'.").arg(m_options.argument) << Qt::endl;
        finish(ExitSuccess);
        return;
    }
    const QStringList header{tr("Name"), tr("User principal name"), tr("Department"), tr("Account"), tr("Object id")};
    QList<QStringList> rows;
    for (const DirectoryUser& user : page.users) {
        rows.append({user.displayName, user.userPrincipalName, user.department, enabledText(user), user.id});
    }
    TextTable::print(out, header, rows, 40);
    if (page.count && *page.count > page.users.size()) {
        out << tr("%1 of %2 shown: refine the search.").arg(page.users.size()).arg(*page.count) << '\n';
    } else if (more) {
        out << tr("More users match: refine the search.") << '\n';
    }
    out.flush();
    finish(ExitSuccess);
}

void GraphCommand::show()
{
    GraphJob* job = m_graph.getUser(m_options.argument, m_options.api == RevokeApi::InvalidateAllRefreshTokens);
    connect(job, &GraphJob::finished, this, &GraphCommand::onUserRead);
}

void GraphCommand::revoke()
{
    // Read first: the operator sees who it is, and the call goes to the object id read here.
    GraphJob* job = m_graph.getUser(m_options.argument, m_options.api == RevokeApi::InvalidateAllRefreshTokens);
    connect(job, &GraphJob::finished, this, &GraphCommand::onUserRead);
}

void GraphCommand::onUserRead(const GraphReply& reply)
{
    if (fail(reply)) {
        return;
    }
    const DirectoryUser user = DirectoryUser::fromJson(reply.json);
    if (m_options.kind == Kind::Show) {
        if (m_options.json) {
            printJson(userJson(user));
        } else {
            QTextStream out(stdout);
            printUser(out, user);
        }
        finish(ExitSuccess);
        return;
    }
    confirmAndRevoke(user);
}

void GraphCommand::confirmAndRevoke(const DirectoryUser& target)
{
    // With --json, stdout carries only the JSON outcome: the confirmation text goes to stderr.
    QTextStream info(m_options.json ? stderr : stdout);
    if (!GraphQuery::looksLikeObjectId(target.id)) {
        QTextStream(stderr)
            << tr("Microsoft Graph returned no object id for %1: nothing was sent.").arg(m_options.argument)
            << Qt::endl;
        finish(ExitFailure);
        return;
    }
    if (target.id.compare(m_session.account().objectId, Qt::CaseInsensitive) == 0) {
        QTextStream(stderr) << tr("That is your own account. To revoke your own sessions, run: "
                                  "session-revoker-cli revoke --me")
                            << Qt::endl;
        finish(ExitUsage);
        return;
    }
    info << tr("Revoke all sessions for:") << '\n';
    printUser(info, target);
    info << tr("This signs %1 out of every app and browser, on every device: all refresh tokens and session cookies "
               "stop working. Access tokens already issued may keep working for up to about an hour.")
                .arg(target.displayName.isEmpty() ? target.userPrincipalName : target.displayName)
         << '\n';
    if (target.isGuest()) {
        info << tr("Note: %1 is a guest. Guests sign in at their home organization, whose sessions this does not "
                   "revoke.")
                    .arg(target.userPrincipalName)
             << '\n';
    }
    info << tr("Graph call: %1").arg(RevokeOperation::apiName(m_options.api)) << Qt::endl;
    if (const int refused = confirm(target); refused != 0) {
        finish(refused);
        return;
    }
    startRevocation(target, false);
}

void GraphCommand::revokeMe()
{
    const Account& account = m_session.account();
    DirectoryUser me;
    me.id = account.objectId;
    me.displayName = account.name;
    me.userPrincipalName = account.username;
    QTextStream info(m_options.json ? stderr : stdout);
    info << tr("Revoke all sessions of YOUR account %1 <%2>, on every device, this one included. You will have to "
               "sign in again.")
                .arg(account.name, account.username)
         << '\n'
         << tr("Graph call: %1 for /me").arg(RevokeOperation::apiName(m_options.api)) << Qt::endl;
    if (const int refused = confirm(me); refused != 0) {
        finish(refused);
        return;
    }
    startRevocation(me, true);
}

int GraphCommand::confirm(const DirectoryUser& target)
{
    if (m_options.yes) {
        return 0;
    }
    QTextStream err(stderr);
    if (!stdinIsTerminal()) {
        err << tr("Not revoking: nobody confirmed. Standard input is not a terminal; pass --yes to confirm from a "
                  "script.")
            << Qt::endl;
        return ExitUsage;
    }
    err << tr("Type %1 to confirm: ").arg(RevokeOperation::confirmationWord(target)) << Qt::flush;
    if (!RevokeOperation::confirms(QTextStream(stdin).readLine(), target)) {
        err << tr("Not confirmed: nothing was sent.") << Qt::endl;
        return ExitDenied;
    }
    return 0;
}

void GraphCommand::startRevocation(const DirectoryUser& target, bool self)
{
    auto* operation = new RevokeOperation(m_graph, m_audit, m_session,
                                          RevokeRequest{target, m_options.reason, m_options.api, self}, this);
    connect(operation, &RevokeOperation::sending, this,
            [] { QTextStream(stderr) << tr("Revoking sessions…") << Qt::endl; });
    connect(operation, &RevokeOperation::retryCountdown, this, [this](int seconds) {
        // One line per wait, not one per second.
        if (seconds >= m_lastCountdown) {
            QTextStream(stderr) << tr("Microsoft Graph asked us to wait: retrying in %1 s…").arg(seconds) << Qt::endl;
        }
        m_lastCountdown = seconds;
    });
    connect(operation, &RevokeOperation::verifying, this,
            [] { QTextStream(stderr) << tr("Revoked. Checking the sessions' new valid-from time…") << Qt::endl; });
    connect(operation, &RevokeOperation::finished, this,
            [this, target, self](const RevokeOutcome& outcome) { onRevokeFinished(outcome, target, self); });
    operation->start();
}

void GraphCommand::onRevokeFinished(const RevokeOutcome& outcome, const DirectoryUser& target, bool self)
{
    const bool notSent = !outcome.revoked && outcome.attemptId.isEmpty();
    int code = ExitSuccess;
    if (outcome.revoked) {
        code = outcome.auditError.isEmpty() ? ExitSuccess : ExitFailure;
    } else if (!outcome.auditError.isEmpty() && !outcome.error.isError()) {
        code = ExitFailure; // the attempt could not be audited, so nothing was sent
    } else {
        code = exitCodeFor(outcome.error);
    }

    if (m_options.json) {
        QJsonObject json{
            {QStringLiteral("attemptId"), outcome.attemptId.isEmpty() ? QJsonValue() : QJsonValue(outcome.attemptId)},
            {QStringLiteral("outcome"), notSent ? QStringLiteral("not-sent") : outcome.outcomeName},
            {QStringLiteral("revoked"), outcome.revoked},
            {QStringLiteral("verified"), outcome.verified},
            {QStringLiteral("self"), self},
            {QStringLiteral("api"), RevokeOperation::apiName(m_options.api)},
            {QStringLiteral("sentAt"), isoOrNull(outcome.sentAt)},
            {QStringLiteral("validFrom"), isoOrNull(outcome.validFrom)},
            {QStringLiteral("httpStatus"), outcome.httpStatus},
            {QStringLiteral("requestId"), outcome.requestId},
            {QStringLiteral("clientRequestId"), outcome.clientRequestId},
            {QStringLiteral("summary"), outcome.summary},
            {QStringLiteral("auditFile"), QDir::toNativeSeparators(m_audit.path())},
            {QStringLiteral("target"), userJson(target)},
        };
        if (outcome.error.isError()) {
            json.insert(QStringLiteral("error"), errorJson(outcome.error));
        }
        if (!outcome.auditError.isEmpty()) {
            json.insert(QStringLiteral("auditError"), outcome.auditError);
        }
        printJson(json);
    } else {
        QTextStream(code == ExitSuccess ? stdout : stderr) << outcome.summary << Qt::endl;
    }

    if (self && outcome.revoked) {
        // Our own refresh token died with the call: forget it here too, as the GUI does.
        connect(&m_session, &AuthSession::signedOut, this, [this, code] {
            QTextStream(stderr) << tr("Signed out here too. Run session-revoker-cli login to sign in again.")
                                << Qt::endl;
            m_tokensStored = true; // nothing left to store
            finish(code);
        });
        m_session.signOut();
        return;
    }
    finish(code);
}

void GraphCommand::finish(int exitCode)
{
    if (m_exiting) {
        return;
    }
    m_exiting = true;
    m_exitCode = exitCode;
    // A silent sign-in rotated the refresh token: exit once the new one is in the keychain, or the next run would
    // find only the old one.
    if (m_tokensStored || m_session.state() != AuthSession::State::SignedIn) {
        exitNow();
        return;
    }
    QTimer::singleShot(kKeychainWaitMs, this, &GraphCommand::exitNow);
}

void GraphCommand::exitNow()
{
    disconnect(&m_session, nullptr, this, nullptr);
    QCoreApplication::exit(m_exitCode);
}
