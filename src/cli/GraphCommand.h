#pragma once

#include "DirectoryUser.h"
#include "GraphClient.h"

#include <QObject>
#include <QString>

class AuditLog;
class AuthSession;
struct RevokeOutcome;

// `search`, `show` and `revoke` of session-revoker-cli: signs in silently from the keychain, talks to Microsoft
// Graph through the core, and exits the event loop with the command's exit code (ExitCodes.h). A revocation goes
// through RevokeOperation (audited before sending, verified after) to the object id that was read and shown,
// never to the raw argument. Prints users and outcomes, never tokens.
class GraphCommand : public QObject
{
    Q_OBJECT

public:
    enum class Kind
    {
        Search,
        Show,
        Revoke,
        RevokeMe,
    };
    struct Options
    {
        Kind kind = Kind::Show;
        QString argument; // search text, or the user's object id or UPN
        bool json = false;
        bool yes = false; // confirmed on the command line: no prompt
        QString reason;
        RevokeApi api = RevokeApi::RevokeSignInSessions;
        int top = 50;
    };

    GraphCommand(Options options, AuthSession& session, GraphClient& graph, AuditLog& audit, QObject* parent = nullptr);
    void start();

    // Exit code for a Graph failure: 3 sign-in, 4 denied or cancelled, 5 not found, 6 throttled, else 1.
    static int exitCodeFor(const GraphError& error);

private:
    void run();
    void search();
    void show();
    void revoke();
    void revokeMe();
    void onSearchFinished(const GraphReply& reply);
    void onUserRead(const GraphReply& reply);
    void confirmAndRevoke(const DirectoryUser& target);
    // Asks for the target's confirmation word on the terminal (RevokeOperation::confirms) unless --yes; prints why
    // and returns the exit code when not confirmed, else 0.
    int confirm(const DirectoryUser& target);
    void startRevocation(const DirectoryUser& target, bool self);
    void onRevokeFinished(const RevokeOutcome& outcome, const DirectoryUser& target, bool self);
    bool fail(const GraphReply& reply);
    void finish(int exitCode);
    void exitNow();

    Options m_options;
    AuthSession& m_session;
    GraphClient& m_graph;
    AuditLog& m_audit;
    bool m_transientFailure = false;
    bool m_tokensStored = false;
    bool m_exiting = false;
    int m_exitCode = 0;
    int m_lastCountdown = 0;
};
