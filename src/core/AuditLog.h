#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

// One line of the audit trail. Never holds a token. A revocation writes, all with the same attemptId:
//   "attempt"      before anything is sent (outcome "pending"); if it cannot be written, nothing is sent.
//   "result"       as soon as Graph has answered (or the operator cancelled during a retry wait): outcome
//                  "success" | "denied" | "not-found" | "throttled" | "failed" | "cancelled", with the HTTP status
//                  and Graph's request ids. Written before verifying, so a crash cannot lose the call's outcome.
//   "verification" after a successful call on another user: the re-read valid-from compared with the time the call
//                  was sent (whole seconds): outcome "verified" | "not-verified" (not moved yet: Entra may take a
//                  few minutes) | "verify-failed" (the user could not be re-read). Not written for the operator's
//                  own sessions ("me"): the operator's token may no longer work.
// An "attempt" without a "result" means the process stopped while the call was under way: check the user.
struct AuditRecord
{
    QString attemptId; // UUID shared by the attempt, its result and its verification
    QString phase;     // "attempt" | "result" | "verification"
    QDateTime time;    // UTC
    QString operatorUpn;
    QString operatorId;
    QString targetId; // object id the call was sent to ("me" for the operator's own sessions)
    QString targetUpn;
    QString targetName;
    QString reason;
    QString api;     // "revokeSignInSessions (v1.0)" | "invalidateAllRefreshTokens (beta)"
    QString outcome; // see the phases above
    int httpStatus = 0;
    QString requestId;
    QString clientRequestId;
    QString detail;      // operator-readable message or verification note
    QDateTime validFrom; // "verification": the re-read valid-from (UTC); invalid when it could not be read

    QJsonObject toJson() const;
    // Who the attempt was for, as the audit views show it: "Name <upn>", else the UPN, else the object id.
    QString targetText() const;
    // Missing or mistyped members become empty values; never throws on damaged input.
    static AuditRecord fromJson(const QJsonObject& json);
};

// The audit trail: a JSON Lines file in the app's data folder, appended and flushed to disk (fsync) record by
// record, so a crash loses nothing. Readers skip (and count) damaged lines instead of failing.
class AuditLog
{
public:
    explicit AuditLog(const QString& path);
    // <AppDataLocation>/audit.jsonl
    static QString defaultPath();

    QString path() const { return m_path; }
    // Returns false with an operator-readable `error` when the record could not be made durable.
    bool append(const AuditRecord& record, QString* error);
    // A missing file is an empty trail, not an error. `damagedLines` counts lines that are not a record.
    QList<AuditRecord> readAll(QString* error = nullptr, int* damagedLines = nullptr) const;
    // RFC 4180 with a header row and CRLF line ends; cells that a spreadsheet would run as a formula (leading
    // = + - @, tab or CR) are prefixed with an apostrophe.
    static QString toCsv(const QList<AuditRecord>& records);

private:
    QString m_path;
};
