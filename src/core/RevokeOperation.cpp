#include "RevokeOperation.h"

#include "AuditLog.h"
#include "AuthSession.h"
#include "Logging.h"
#include "TimeText.h"

#include <QUuid>

#include <algorithm>

namespace {
// A resend can follow the last countdown tick by less than a second; cancel only while it surely has not.
constexpr qint64 kCancelMarginMs = 150;

QString outcomeName(GraphError::Kind kind)
{
    switch (kind) {
    case GraphError::Kind::None:
        return QStringLiteral("success");
    case GraphError::Kind::Cancelled:
        return QStringLiteral("cancelled");
    case GraphError::Kind::Forbidden:
        return QStringLiteral("denied");
    case GraphError::Kind::NotFound:
        return QStringLiteral("not-found");
    case GraphError::Kind::Throttled:
        return QStringLiteral("throttled");
    default:
        return QStringLiteral("failed");
    }
}

// Times for the operator: local, to the second (Entra keeps whole seconds).
QString clockTime(const QDateTime& utc)
{
    return utc.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

QString dayAndTime(const QDateTime& utc, const QDateTime& reference)
{
    const QDateTime local = utc.toLocalTime();
    return local.date() == reference.toLocalTime().date() ? clockTime(utc) : localTimeText(utc);
}

QString isoSeconds(const QDateTime& utc)
{
    return utc.toUTC().toString(Qt::ISODate);
}

QString errorDetail(const GraphError& error)
{
    QString detail = error.message;
    if (!error.code.isEmpty()) {
        detail += QStringLiteral(" [%1]").arg(error.code);
    }
    if (!error.serverMessage.isEmpty() && error.serverMessage != error.message) {
        detail += QStringLiteral(" Graph: %1").arg(error.serverMessage);
    }
    return detail;
}
} // namespace

RevokeOperation::RevokeOperation(GraphClient& graph, AuditLog& audit, AuthSession& auth, RevokeRequest request,
                                 QObject* parent)
    : QObject(parent), m_graph(graph), m_audit(audit), m_auth(auth), m_request(std::move(request))
{
}

QString RevokeOperation::apiName(RevokeApi api)
{
    return api == RevokeApi::InvalidateAllRefreshTokens ? QStringLiteral("invalidateAllRefreshTokens (beta)")
                                                        : QStringLiteral("revokeSignInSessions (v1.0)");
}

QString RevokeOperation::confirmationWord(const DirectoryUser& user)
{
    if (user.userPrincipalName.isEmpty()) {
        return user.id;
    }
    // The last @ splits a UPN: a guest's "ann_fabrikam.com#EXT#@contoso.com" keeps its #EXT# part.
    const qsizetype at = user.userPrincipalName.lastIndexOf(QLatin1Char('@'));
    return at > 0 ? user.userPrincipalName.left(at) : user.userPrincipalName;
}

bool RevokeOperation::confirms(const QString& typed, const DirectoryUser& user)
{
    const QString text = typed.trimmed();
    if (text.isEmpty()) {
        return false;
    }
    return text.compare(confirmationWord(user), Qt::CaseInsensitive) == 0 ||
           (!user.userPrincipalName.isEmpty() && text.compare(user.userPrincipalName, Qt::CaseInsensitive) == 0);
}

QString RevokeOperation::targetName() const
{
    const DirectoryUser& target = m_request.target;
    if (!target.displayName.isEmpty()) {
        return target.displayName;
    }
    if (!target.userPrincipalName.isEmpty()) {
        return target.userPrincipalName;
    }
    return m_request.self ? m_operatorName : target.id;
}

void RevokeOperation::start()
{
    if (m_state != State::Idle) {
        return;
    }
    const Account& account = m_auth.account();
    if (!account.isValid() || m_auth.state() != AuthSession::State::SignedIn) {
        m_outcome.error = GraphError::make(GraphError::Kind::SignInRequired,
                                           tr("Sign in before revoking sessions: nothing was sent."));
        m_outcome.summary = m_outcome.error.message;
        m_outcome.outcomeName = outcomeName(m_outcome.error.kind);
        finishSoon();
        return;
    }
    m_operatorUpn = account.username;
    m_operatorId = account.objectId;
    m_operatorName = account.name;
    if (!m_request.self && !GraphQuery::looksLikeObjectId(m_request.target.id)) {
        // Only the object id the operator saw identifies the user for certain; a name could resolve elsewhere.
        m_outcome.error = GraphError::make(GraphError::Kind::BadRequest,
                                           tr("The user has no object id to revoke by: nothing was sent."));
        m_outcome.summary = m_outcome.error.message;
        m_outcome.outcomeName = outcomeName(m_outcome.error.kind);
        finishSoon();
        return;
    }

    m_attemptId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    AuditRecord attempt = record(QStringLiteral("attempt"));
    attempt.outcome = QStringLiteral("pending");
    QString error;
    if (!m_audit.append(attempt, &error)) {
        qCWarning(lcAudit).noquote() << "revocation not sent: the attempt could not be audited:" << error;
        m_outcome.auditError = error;
        m_outcome.summary =
            tr("Nothing was sent: every revocation is written to the audit log first, and %1").arg(error);
        finishSoon();
        return;
    }
    m_outcome.attemptId = m_attemptId;
    qCInfo(lcAudit).noquote() << "attempt" << m_attemptId << "by" << m_operatorUpn << "for"
                              << (m_request.self ? QStringLiteral("me") : m_request.target.id) << "with"
                              << apiName(m_request.api);
    // Sent on the next turn of the event loop, so a cancel() right after start() still stops it.
    m_state = State::Starting;
    QMetaObject::invokeMethod(this, &RevokeOperation::send, Qt::QueuedConnection);
}

bool RevokeOperation::canCancel() const
{
    return m_state == State::Idle || m_state == State::Starting ||
           (m_state == State::WaitingToRetry && m_job && !m_cancelDeadline.hasExpired());
}

void RevokeOperation::cancel()
{
    if (!canCancel()) {
        if (m_state != State::Done) {
            qCInfo(lcAudit).noquote() << "cancel of" << m_attemptId
                                      << "ignored: the request is on its way; its real outcome will be recorded";
        }
        return;
    }
    switch (m_state) {
    case State::Idle:
        // Nothing was attempted, so there is nothing to audit.
        m_outcome.error = GraphError::make(GraphError::Kind::Cancelled, tr("Cancelled."));
        m_outcome.outcomeName = outcomeName(m_outcome.error.kind);
        m_outcome.summary = tr("Cancelled: the sessions of %1 were not revoked.").arg(targetName());
        finishSoon();
        break;
    case State::Starting: {
        m_outcome.error = GraphError::make(GraphError::Kind::Cancelled, tr("Cancelled before sending."));
        m_outcome.outcomeName = outcomeName(m_outcome.error.kind);
        AuditRecord result = record(QStringLiteral("result"));
        result.outcome = m_outcome.outcomeName;
        result.detail = tr("Cancelled by the operator before the request was sent.");
        audit(result);
        m_outcome.summary = tr("Cancelled: the sessions of %1 were not revoked.").arg(targetName());
        finishSoon();
        break;
    }
    case State::WaitingToRetry:
        m_job->abort(); // finished(Cancelled) follows, through onRevokeFinished()
        break;
    default:
        break;
    }
}

void RevokeOperation::send()
{
    if (m_state != State::Starting) {
        return;
    }
    m_state = State::Sending;
    Q_EMIT sending();
    GraphJob* job = m_request.self ? m_graph.revokeMySessions(m_request.api)
                                   : m_graph.revokeSessions(m_request.target.id, m_request.api);
    m_job = job;
    connect(job, &GraphJob::retryCountdown, this, [this](int seconds) {
        if (m_state != State::Sending && m_state != State::WaitingToRetry) {
            return;
        }
        m_state = State::WaitingToRetry;
        // `seconds` is rounded up: the resend is due in more than seconds - 1.
        m_cancelDeadline = QDeadlineTimer(std::max<qint64>(0, (seconds - 1) * qint64(1000) - kCancelMarginMs));
        Q_EMIT retryCountdown(seconds);
    });
    connect(job, &GraphJob::finished, this, &RevokeOperation::onRevokeFinished);
}

void RevokeOperation::onRevokeFinished(const GraphReply& reply)
{
    m_job.clear();
    const bool cancelled = reply.error.kind == GraphError::Kind::Cancelled;
    m_outcome.sentAt = reply.sentAt.isValid() ? reply.sentAt.toUTC() : QDateTime::currentDateTimeUtc();
    m_outcome.httpStatus = reply.httpStatus != 0 ? reply.httpStatus : reply.error.httpStatus;
    m_outcome.requestId = !reply.requestId.isEmpty() ? reply.requestId : reply.error.requestId;
    m_outcome.clientRequestId = !reply.clientRequestId.isEmpty() ? reply.clientRequestId : reply.error.clientRequestId;
    m_outcome.revoked = !reply.error.isError();
    m_outcome.error = reply.error;
    m_outcome.outcomeName = outcomeName(reply.error.kind);

    AuditRecord result = record(QStringLiteral("result"));
    result.outcome = m_outcome.outcomeName;
    result.httpStatus = m_outcome.httpStatus;
    result.requestId = m_outcome.requestId;
    result.clientRequestId = m_outcome.clientRequestId;
    if (m_outcome.revoked) {
        result.detail = tr("Microsoft Graph accepted the revocation (sent at %1).").arg(isoSeconds(m_outcome.sentAt));
    } else if (cancelled) {
        result.detail = tr("Cancelled by the operator while waiting to send the request again; it was not sent again.");
    } else {
        result.detail = errorDetail(reply.error);
    }
    audit(result);
    qCInfo(lcAudit).noquote() << "result" << m_attemptId << m_outcome.outcomeName << "HTTP" << m_outcome.httpStatus
                              << "request-id" << m_outcome.requestId << "client-request-id"
                              << m_outcome.clientRequestId;

    QStringList parts;
    if (cancelled) {
        parts.append(tr("Cancelled: the sessions of %1 were not revoked").arg(targetName()));
    } else if (!m_outcome.revoked) {
        parts.append(tr("Sessions not revoked for %1: %2").arg(targetName(), reply.error.message));
    } else if (m_request.self) {
        // Our own refresh token died with the call: no re-read; the caller signs the session out.
        parts.append(tr("Your sessions were revoked everywhere at %1").arg(clockTime(m_outcome.sentAt)));
        parts.append(tr("sign in again to continue"));
    } else {
        verify();
        return;
    }
    if (!m_outcome.requestId.isEmpty()) {
        parts.append(tr("request-id %1").arg(m_outcome.requestId));
    }
    if (!m_outcome.auditError.isEmpty()) {
        parts.append(tr("NOT recorded in the audit log: %1").arg(m_outcome.auditError));
    }
    m_outcome.summary = parts.join(QStringLiteral(" · "));
    finishSoon();
}

void RevokeOperation::verify()
{
    m_state = State::Verifying;
    Q_EMIT verifying();
    const bool beta = m_request.api == RevokeApi::InvalidateAllRefreshTokens;
    m_job = m_graph.getUser(m_request.target.id, beta);
    connect(m_job.data(), &GraphJob::finished, this, &RevokeOperation::onVerifyFinished);
}

void RevokeOperation::onVerifyFinished(const GraphReply& reply)
{
    m_job.clear();
    const bool beta = m_request.api == RevokeApi::InvalidateAllRefreshTokens;
    const QString property =
        beta ? QStringLiteral("refreshTokensValidFromDateTime") : QStringLiteral("signInSessionsValidFromDateTime");
    // Entra stores the revocation time truncated to the second.
    const QDateTime threshold = QDateTime::fromSecsSinceEpoch(m_outcome.sentAt.toSecsSinceEpoch(), Qt::UTC);

    // The verification repeats the revoke call's status and ids, so one row of the audit shows the call's ids;
    // the re-read's own request-id goes into the detail.
    AuditRecord verification = record(QStringLiteral("verification"));
    verification.httpStatus = m_outcome.httpStatus;
    verification.requestId = m_outcome.requestId;
    verification.clientRequestId = m_outcome.clientRequestId;
    QString readIds;
    if (!reply.requestId.isEmpty() || !reply.error.requestId.isEmpty()) {
        readIds =
            tr(" (re-read request-id %1)").arg(!reply.requestId.isEmpty() ? reply.requestId : reply.error.requestId);
    }

    QString state;
    if (reply.error.isError()) {
        m_outcome.error = reply.error;
        verification.outcome = QStringLiteral("verify-failed");
        verification.detail =
            tr("The user could not be read again to check %1: %2").arg(property, errorDetail(reply.error)) + readIds;
        state = tr("not verified: %1").arg(reply.error.message);
    } else {
        const DirectoryUser user = DirectoryUser::fromJson(reply.json);
        const QDateTime validFrom = beta ? user.refreshTokensValidFrom : user.signInSessionsValidFrom;
        if (!validFrom.isValid()) {
            verification.outcome = QStringLiteral("verify-failed");
            verification.detail = tr("Microsoft Graph did not return %1 for the user.").arg(property) + readIds;
            state = tr("not verified: Microsoft Graph did not return the sessions' valid-from time");
        } else {
            m_outcome.validFrom = validFrom;
            verification.validFrom = validFrom;
            if (validFrom >= threshold) {
                m_outcome.verified = true;
                verification.outcome = QStringLiteral("verified");
                verification.detail = tr("%1 is %2, at or after the call (%3).")
                                          .arg(property, isoSeconds(validFrom), isoSeconds(threshold)) +
                                      readIds;
                state = tr("verified (valid from %1)").arg(clockTime(validFrom));
            } else {
                verification.outcome = QStringLiteral("not-verified");
                verification.detail = tr("%1 is still %2, before the call (%3). Entra can take a few minutes to "
                                         "apply a revocation: read the user again later.")
                                          .arg(property, isoSeconds(validFrom), isoSeconds(threshold)) +
                                      readIds;
                state = tr("not verified yet: sessions still valid from %1 (Entra can take a few minutes; check "
                           "again later)")
                            .arg(dayAndTime(validFrom, m_outcome.sentAt));
            }
        }
    }
    audit(verification);
    qCInfo(lcAudit).noquote() << "verification" << m_attemptId << verification.outcome;

    QStringList parts{tr("Sessions revoked for %1 at %2").arg(targetName(), clockTime(m_outcome.sentAt)), state};
    if (!m_outcome.requestId.isEmpty()) {
        parts.append(tr("request-id %1").arg(m_outcome.requestId));
    }
    if (!m_outcome.auditError.isEmpty()) {
        parts.append(tr("NOT fully recorded in the audit log: %1").arg(m_outcome.auditError));
    }
    m_outcome.summary = parts.join(QStringLiteral(" · "));
    finishSoon();
}

AuditRecord RevokeOperation::record(const QString& phase) const
{
    AuditRecord r;
    r.attemptId = m_attemptId;
    r.phase = phase;
    r.time = QDateTime::currentDateTimeUtc();
    r.operatorUpn = m_operatorUpn;
    r.operatorId = m_operatorId;
    const DirectoryUser& target = m_request.target;
    if (m_request.self) {
        r.targetId = QStringLiteral("me");
        r.targetUpn = target.userPrincipalName.isEmpty() ? m_operatorUpn : target.userPrincipalName;
        r.targetName = target.displayName.isEmpty() ? m_operatorName : target.displayName;
    } else {
        r.targetId = target.id;
        r.targetUpn = target.userPrincipalName;
        r.targetName = target.displayName;
    }
    r.reason = m_request.reason;
    r.api = apiName(m_request.api);
    return r;
}

void RevokeOperation::audit(const AuditRecord& record)
{
    QString error;
    if (!m_audit.append(record, &error)) {
        qCWarning(lcAudit).noquote() << record.phase << "of" << m_attemptId << "(" << record.outcome
                                     << ") could not be audited:" << error;
        if (m_outcome.auditError.isEmpty()) {
            m_outcome.auditError = error;
        }
    }
}

void RevokeOperation::finishSoon()
{
    m_state = State::Done;
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT finished(m_outcome); }, Qt::QueuedConnection);
}
