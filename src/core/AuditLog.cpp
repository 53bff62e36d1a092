#include "AuditLog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#ifdef Q_OS_WIN
#include <io.h>
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("AuditLog", text);
}

const QLatin1String kAttemptId("attemptId");
const QLatin1String kPhase("phase");
const QLatin1String kTime("time");
const QLatin1String kOperatorUpn("operatorUpn");
const QLatin1String kOperatorId("operatorId");
const QLatin1String kTargetId("targetId");
const QLatin1String kTargetUpn("targetUpn");
const QLatin1String kTargetName("targetName");
const QLatin1String kReason("reason");
const QLatin1String kApi("api");
const QLatin1String kOutcome("outcome");
const QLatin1String kHttpStatus("httpStatus");
const QLatin1String kRequestId("requestId");
const QLatin1String kClientRequestId("clientRequestId");
const QLatin1String kDetail("detail");
const QLatin1String kValidFrom("validFrom");

QString isoUtc(const QDateTime& time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime parseIso(const QJsonValue& value)
{
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

// Makes `path` (a file just created) survive a power loss: its directory entry must reach the disk too.
void syncDirectoryOf(const QString& path)
{
#ifndef Q_OS_WIN
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
#else
    Q_UNUSED(path)
#endif
}

// The data of an open file down to the disk, not just the OS cache.
bool syncToDisk(QFile& file, QString* why)
{
    const int fd = file.handle();
#ifdef Q_OS_WIN
    if (fd < 0 || _commit(fd) != 0) {
        *why = tr("the data could not be flushed to disk");
        return false;
    }
#else
    if (fd < 0 || ::fsync(fd) != 0) {
        *why = fd < 0 ? tr("the data could not be flushed to disk") : QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
#endif
    return true;
}

// One writer at a time appends (the GUI and the CLI may both run): an exclusive OS lock, held from before the check
// for a torn last line until the record is on disk. On POSIX, flock() on the file: advisory, readers never wait,
// and O_APPEND already makes each write whole. On Windows, where an append is a seek to the end and a write, it is
// what keeps two writers from writing at the same offset; LockFileEx() locks are mandatory, so the lock is on a
// byte far beyond any data (kLockOffset), which no reader ever reads. The wait is bounded (kLockWait): a writer
// that is stuck must not freeze the window for good, and an audit record is never dropped for want of a lock, so
// after the wait, or on a file system without locks, the record is written without one.
class AppendLock
{
public:
    explicit AppendLock(QFile& file) : m_fd(file.handle())
    {
        using namespace std::chrono_literals;
        constexpr auto kLockWait = 5s;
        const auto deadline = std::chrono::steady_clock::now() + kLockWait;
        auto pause = 1ms;
        while (m_fd >= 0) {
            const Attempt attempt = tryLock();
            if (attempt != Attempt::Busy) {
                m_locked = attempt == Attempt::Locked;
                return;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                return;
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(25));
        }
    }
    ~AppendLock() { unlock(); }
    AppendLock(const AppendLock&) = delete;
    AppendLock& operator=(const AppendLock&) = delete;

    // Before the file is closed (its descriptor's number may be reused at once).
    void unlock()
    {
        if (!std::exchange(m_locked, false)) {
            return;
        }
#ifdef Q_OS_WIN
        OVERLAPPED at = lockPosition();
        UnlockFileEx(osHandle(), 0, 1, 0, &at);
#else
        ::flock(m_fd, LOCK_UN);
#endif
    }

private:
    enum class Attempt
    {
        Locked,
        Busy,
        Unsupported
    };

#ifdef Q_OS_WIN
    static constexpr quint64 kLockOffset = Q_UINT64_C(0x7FFFFFFFFFFFFFF0);

    HANDLE osHandle() const
    {
        return reinterpret_cast<HANDLE>(_get_osfhandle(m_fd));
    }
    static OVERLAPPED lockPosition()
    {
        OVERLAPPED at{};
        at.Offset = static_cast<DWORD>(kLockOffset & 0xFFFFFFFFu);
        at.OffsetHigh = static_cast<DWORD>(kLockOffset >> 32);
        return at;
    }
    Attempt tryLock()
    {
        const HANDLE handle = osHandle();
        if (handle == INVALID_HANDLE_VALUE) {
            return Attempt::Unsupported;
        }
        OVERLAPPED at = lockPosition();
        if (LockFileEx(handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at) != 0) {
            return Attempt::Locked;
        }
        return GetLastError() == ERROR_LOCK_VIOLATION ? Attempt::Busy : Attempt::Unsupported;
    }
#else
    Attempt tryLock()
    {
        if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) {
            return Attempt::Locked;
        }
        return errno == EWOULDBLOCK || errno == EINTR ? Attempt::Busy : Attempt::Unsupported;
    }
#endif

    int m_fd;
    bool m_locked = false;
};

bool fail(QString* error, const QString& path, const QString& why)
{
    if (error) {
        *error = tr("The audit log %1 could not be written: %2").arg(QDir::toNativeSeparators(path), why);
    }
    return false;
}

// A cell a spreadsheet would evaluate (=, +, -, @, or a tab or CR before one) is shown as text instead.
bool looksLikeFormula(const QString& cell)
{
    if (cell.isEmpty()) {
        return false;
    }
    switch (cell.front().unicode()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
        return true;
    default:
        return false;
    }
}

QString csvCell(const QString& value)
{
    QString cell = value;
    bool quote = false;
    if (looksLikeFormula(cell)) {
        cell.prepend(QLatin1Char('\''));
        quote = true;
    }
    if (cell.contains(QLatin1Char(',')) || cell.contains(QLatin1Char('"')) || cell.contains(QLatin1Char('\n')) ||
        cell.contains(QLatin1Char('\r')) || cell.contains(QLatin1Char(';')) ||
        (!cell.isEmpty() && (cell.front().isSpace() || cell.back().isSpace()))) {
        quote = true;
    }
    if (!quote) {
        return cell;
    }
    cell.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + cell + QLatin1Char('"');
}
} // namespace

QString AuditRecord::targetText() const
{
    if (targetName.isEmpty()) {
        return targetUpn.isEmpty() ? targetId : targetUpn;
    }
    return targetUpn.isEmpty() ? targetName : QStringLiteral("%1 <%2>").arg(targetName, targetUpn);
}

QJsonObject AuditRecord::toJson() const
{
    QJsonObject json{
        {kAttemptId, attemptId},   {kPhase, phase},       {kTime, isoUtc(time)},   {kOperatorUpn, operatorUpn},
        {kOperatorId, operatorId}, {kTargetId, targetId}, {kTargetUpn, targetUpn}, {kTargetName, targetName},
        {kReason, reason},         {kApi, api},           {kOutcome, outcome},
    };
    if (httpStatus != 0) {
        json.insert(kHttpStatus, httpStatus);
    }
    if (!requestId.isEmpty()) {
        json.insert(kRequestId, requestId);
    }
    if (!clientRequestId.isEmpty()) {
        json.insert(kClientRequestId, clientRequestId);
    }
    if (!detail.isEmpty()) {
        json.insert(kDetail, detail);
    }
    if (validFrom.isValid()) {
        json.insert(kValidFrom, isoUtc(validFrom));
    }
    return json;
}

AuditRecord AuditRecord::fromJson(const QJsonObject& json)
{
    AuditRecord record;
    record.attemptId = json.value(kAttemptId).toString();
    record.phase = json.value(kPhase).toString();
    record.time = parseIso(json.value(kTime));
    record.operatorUpn = json.value(kOperatorUpn).toString();
    record.operatorId = json.value(kOperatorId).toString();
    record.targetId = json.value(kTargetId).toString();
    record.targetUpn = json.value(kTargetUpn).toString();
    record.targetName = json.value(kTargetName).toString();
    record.reason = json.value(kReason).toString();
    record.api = json.value(kApi).toString();
    record.outcome = json.value(kOutcome).toString();
    const double status = json.value(kHttpStatus).toDouble();
    record.httpStatus = status >= 0 && status < 1000 ? static_cast<int>(status) : 0;
    record.requestId = json.value(kRequestId).toString();
    record.clientRequestId = json.value(kClientRequestId).toString();
    record.detail = json.value(kDetail).toString();
    record.validFrom = parseIso(json.value(kValidFrom));
    return record;
}

AuditLog::AuditLog(const QString& path) : m_path(path) {}

QString AuditLog::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/audit.jsonl");
}

bool AuditLog::append(const AuditRecord& record, QString* error)
{
    if (m_path.isEmpty()) {
        return fail(error, m_path, tr("no audit file is configured"));
    }
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        return fail(error, m_path,
                    tr("its folder %1 cannot be created").arg(QDir::toNativeSeparators(info.absolutePath())));
    }
    const bool created = !info.exists();
    QFile file(m_path);
    // Unbuffered + Append: one write(2) on an O_APPEND descriptor, so records of two processes never interleave.
    if (!file.open(QIODevice::ReadWrite | QIODevice::Append | QIODevice::Unbuffered)) {
        return fail(error, m_path, file.errorString());
    }
    QByteArray line = QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact);
    line.append('\n');
    AppendLock lock(file);
    // A crash in the middle of an earlier write can leave a line without its end: start a fresh line, so only the
    // damaged line is lost and not this record as well. (The read leaves the position at the end, where the
    // write goes: what matters on Windows, where another writer may have appended since this one opened.)
    if (const qint64 size = file.isSequential() ? 0 : file.size(); size > 0) {
        char last = '\n';
        if (!file.seek(size - 1) || file.read(&last, 1) != 1) {
            return fail(error, m_path, file.errorString());
        }
        if (last != '\n') {
            line.prepend('\n');
        }
    }
    if (file.write(line) != line.size()) {
        return fail(error, m_path, file.errorString());
    }
    QString why;
    if (!file.flush() || !syncToDisk(file, &why)) {
        return fail(error, m_path, why.isEmpty() ? file.errorString() : why);
    }
    lock.unlock();
    file.close();
    if (file.error() != QFileDevice::NoError) {
        return fail(error, m_path, file.errorString());
    }
    if (created) {
        syncDirectoryOf(m_path);
    }
    return true;
}

QList<AuditRecord> AuditLog::readAll(QString* error, int* damagedLines) const
{
    QList<AuditRecord> records;
    int damaged = 0;
    if (damagedLines) {
        *damagedLines = 0;
    }
    if (error) {
        error->clear();
    }
    QFile file(m_path);
    if (!file.exists()) {
        return records;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        if (error) {
            *error =
                tr("The audit log %1 could not be read: %2").arg(QDir::toNativeSeparators(m_path), file.errorString());
        }
        return records;
    }
    while (!file.atEnd() && file.error() == QFileDevice::NoError) { // a read error would not move on
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty()) {
            continue;
        }
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            ++damaged;
            continue;
        }
        AuditRecord record = AuditRecord::fromJson(document.object());
        if (record.attemptId.isEmpty() || record.phase.isEmpty() || !record.time.isValid()) {
            ++damaged;
            continue;
        }
        records.append(std::move(record));
    }
    if (file.error() != QFileDevice::NoError && error) {
        *error = tr("The audit log %1 could not be read completely: %2")
                     .arg(QDir::toNativeSeparators(m_path), file.errorString());
    }
    if (damagedLines) {
        *damagedLines = damaged;
    }
    return records;
}

QString AuditLog::toCsv(const QList<AuditRecord>& records)
{
    const QStringList header{
        QStringLiteral("time"),      QStringLiteral("attemptId"),       QStringLiteral("phase"),
        QStringLiteral("operator"),  QStringLiteral("operatorId"),      QStringLiteral("targetName"),
        QStringLiteral("targetUpn"), QStringLiteral("targetId"),        QStringLiteral("reason"),
        QStringLiteral("api"),       QStringLiteral("outcome"),         QStringLiteral("httpStatus"),
        QStringLiteral("requestId"), QStringLiteral("clientRequestId"), QStringLiteral("validFrom"),
        QStringLiteral("detail"),
    };
    const QLatin1String lineEnd("\r\n");
    QString csv = header.join(QLatin1Char(',')) + lineEnd;
    for (const AuditRecord& r : records) {
        const QStringList cells{
            isoUtc(r.time), r.attemptId,       r.phase,
            r.operatorUpn,  r.operatorId,      r.targetName,
            r.targetUpn,    r.targetId,        r.reason,
            r.api,          r.outcome,         r.httpStatus != 0 ? QString::number(r.httpStatus) : QString(),
            r.requestId,    r.clientRequestId, isoUtc(r.validFrom),
            r.detail,
        };
        QStringList quoted;
        quoted.reserve(cells.size());
        for (const QString& cell : cells) {
            quoted.append(csvCell(cell));
        }
        csv += quoted.join(QLatin1Char(',')) + lineEnd;
    }
    return csv;
}
