#pragma once

#include "DirectoryUser.h"
#include "GraphClient.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>

class AuditLog;
class AuthSession;
struct AuditRecord;

// What the operator confirmed: exactly this user (by object id), with this reason, through this API.
struct RevokeRequest
{
    DirectoryUser target; // as shown in the confirmation; the call goes to target.id and nothing else
    QString reason;
    RevokeApi api = RevokeApi::RevokeSignInSessions;
    bool self = false; // "Sign me out everywhere": /me instead of /users/{id}
};

struct RevokeOutcome
{
    bool revoked = false;  // Graph answered 2xx
    bool verified = false; // the re-read valid-from is at or after the time the call was sent
    QDateTime sentAt;      // UTC
    QDateTime validFrom;   // the re-read valid-from, UTC; invalid if it could not be read
    int httpStatus = 0;
    QString requestId;
    QString clientRequestId;
    GraphError error;  // the revoke call's error, or the verification's (then revoked is still true)
    QString summary;   // one line for the operator: "Sessions revoked for Ann O'Brien at 14:02:11 · verified ..."
    QString attemptId; // ties the outcome to its audit records; empty when nothing was attempted
    // Non-empty when a record could not be written to the audit log. If it was the "attempt", nothing was sent
    // (revoked is false and error.kind is None); otherwise the call's outcome above is still true.
    QString auditError;
    QString outcomeName; // the audit outcome of the call: "success", "denied", "not-found", ..., "cancelled"
};

// One confirmed revocation: audit "attempt" (durable before anything is sent), the Graph call (retried on
// 429/503 after Retry-After, cancellable during the wait), audit "result", then a re-read of the user's
// valid-from to verify (audit "verification"; not for the operator's own sessions). If the attempt cannot be
// audited, nothing is sent. Emits finished() once, never from inside start() or cancel().
class RevokeOperation : public QObject
{
    Q_OBJECT

public:
    RevokeOperation(GraphClient& graph, AuditLog& audit, AuthSession& auth, RevokeRequest request,
                    QObject* parent = nullptr);
    void start();
    // Cancels while waiting to retry (or before sending); a request already on the wire is not recalled. A cancel
    // that comes too late (the request is being sent again) is ignored and the call's real outcome is reported.
    void cancel();
    // True while cancel() would still stop the call before it (again) reaches Graph.
    bool canCancel() const;
    const RevokeRequest& request() const { return m_request; }

    // The audit's name for the API, e.g. "revokeSignInSessions (v1.0)".
    static QString apiName(RevokeApi api);
    // What the operator types to confirm (the GUI's dialog and the CLI alike): the part of the UPN before its last
    // @ (a guest's #EXT# part stays), or the object id when there is no UPN.
    static QString confirmationWord(const DirectoryUser& user);
    // Case-insensitive and trimmed: the confirmation word, or the whole UPN.
    static bool confirms(const QString& typed, const DirectoryUser& user);

Q_SIGNALS:
    void sending();
    void retryCountdown(int seconds);
    void verifying();
    void finished(const RevokeOutcome& outcome);

private:
    enum class State
    {
        Idle,
        Starting, // the attempt is audited; the request goes out on the next turn of the event loop
        Sending,
        WaitingToRetry,
        Verifying,
        Done,
    };

    void send();
    void onRevokeFinished(const GraphReply& reply);
    void verify();
    void onVerifyFinished(const GraphReply& reply);
    AuditRecord record(const QString& phase) const;
    void audit(const AuditRecord& record);
    void finishSoon();
    QString targetName() const;

    GraphClient& m_graph;
    AuditLog& m_audit;
    AuthSession& m_auth;
    RevokeRequest m_request;
    QPointer<GraphJob> m_job;
    RevokeOutcome m_outcome;
    QString m_attemptId;
    QString m_operatorUpn; // captured at start: a self-revocation may sign the session out before the result
    QString m_operatorId;
    QString m_operatorName;
    State m_state = State::Idle;
    QDeadlineTimer m_cancelDeadline; // during a retry wait: the latest moment the resend is surely not out yet
};
