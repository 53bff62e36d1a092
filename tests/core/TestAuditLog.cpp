#include "AuditLog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#ifdef Q_OS_WIN
#include <io.h>
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace {
AuditRecord sampleRecord(const QString& phase = QStringLiteral("attempt"))
{
    AuditRecord r;
    r.attemptId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.phase = phase;
    r.time = QDateTime(QDate(2026, 11, 25), QTime(13, 2, 11, 345), Qt::UTC);
    r.operatorUpn = QStringLiteral("helpdesk@contoso.test");
    r.operatorId = QStringLiteral("11111111-1111-4111-8111-000000000001");
    r.targetId = QStringLiteral("11111111-1111-4111-8111-000000000005");
    r.targetUpn = QStringLiteral("sean.o'brien@contoso.test");
    r.targetName = QStringLiteral("Seán O'Brien");
    r.reason = QStringLiteral("Lost phone, ticket \"48213\"\nsecond line");
    r.api = QStringLiteral("revokeSignInSessions (v1.0)");
    r.outcome = QStringLiteral("pending");
    return r;
}

void compareRecords(const AuditRecord& a, const AuditRecord& b)
{
    QCOMPARE(a.attemptId, b.attemptId);
    QCOMPARE(a.phase, b.phase);
    QCOMPARE(a.time, b.time);
    QCOMPARE(a.operatorUpn, b.operatorUpn);
    QCOMPARE(a.operatorId, b.operatorId);
    QCOMPARE(a.targetId, b.targetId);
    QCOMPARE(a.targetUpn, b.targetUpn);
    QCOMPARE(a.targetName, b.targetName);
    QCOMPARE(a.reason, b.reason);
    QCOMPARE(a.api, b.api);
    QCOMPARE(a.outcome, b.outcome);
    QCOMPARE(a.httpStatus, b.httpStatus);
    QCOMPARE(a.requestId, b.requestId);
    QCOMPARE(a.clientRequestId, b.clientRequestId);
    QCOMPARE(a.detail, b.detail);
    QCOMPARE(a.validFrom, b.validFrom);
}

// A strict RFC 4180 reader, independent of the writer: rows of cells.
QList<QStringList> parseCsv(const QString& text, bool* ok)
{
    QList<QStringList> rows;
    QStringList row;
    QString cell;
    bool quoted = false;
    bool cellWasQuoted = false;
    *ok = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    cell += QLatin1Char('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cell += c;
            }
        } else if (c == QLatin1Char('"')) {
            if (!cell.isEmpty() || cellWasQuoted) {
                *ok = false; // a quote inside an unquoted cell
            }
            quoted = true;
            cellWasQuoted = true;
        } else if (c == QLatin1Char(',')) {
            row.append(cell);
            cell.clear();
            cellWasQuoted = false;
        } else if (c == QLatin1Char('\r')) {
            if (i + 1 >= text.size() || text.at(i + 1) != QLatin1Char('\n')) {
                *ok = false; // a bare CR outside quotes
            }
        } else if (c == QLatin1Char('\n')) {
            row.append(cell);
            rows.append(row);
            row.clear();
            cell.clear();
            cellWasQuoted = false;
        } else {
            if (cellWasQuoted) {
                *ok = false; // text after a closing quote
            }
            cell += c;
        }
    }
    if (quoted || !cell.isEmpty() || !row.isEmpty()) {
        *ok = false; // unterminated quote or missing final line end
    }
    return rows;
}
} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTrip();
    void recordHoldsOnlyKnownFields();
    void createsItsFolder();
    void missingFileIsAnEmptyTrail();
    void damagedLinesAreSkippedAndCounted();
    void appendAfterATornLineKeepsTheNewRecord();
    void csvQuotesAndNeutralisesFormulas();
    void appendToAnUnwritablePathFailsCleanly();
    void writeFailureIsReported();
    void fsyncFailureIsReported();
    void manyAppendsLoseNothing();
    void concurrentWritersNeverInterleave();
    void appendWaitsForAnotherWritersLock();
    void aStuckWriterDoesNotCostTheRecord();
    void defaultPathIsInAppData();

private:
    QString freshPath(const QString& name) const { return m_dir.filePath(name); }
    QTemporaryDir m_dir;
};

void TestAuditLog::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestAuditLog::roundTrip()
{
    AuditLog log(freshPath(QStringLiteral("roundtrip.jsonl")));
    const AuditRecord attempt = sampleRecord();
    AuditRecord result = sampleRecord(QStringLiteral("result"));
    result.attemptId = attempt.attemptId;
    result.outcome = QStringLiteral("success");
    result.httpStatus = 200;
    result.requestId = QStringLiteral("7c1e0000-aaaa-bbbb-cccc-000000000001");
    result.clientRequestId = QStringLiteral("7c1e0000-aaaa-bbbb-cccc-000000000002");
    result.detail = QStringLiteral("ok");
    AuditRecord verification = result;
    verification.phase = QStringLiteral("verification");
    verification.outcome = QStringLiteral("verified");
    verification.validFrom = QDateTime(QDate(2026, 11, 25), QTime(13, 2, 11), Qt::UTC);

    QString error;
    QVERIFY2(log.append(attempt, &error), qPrintable(error));
    QVERIFY2(log.append(result, &error), qPrintable(error));
    QVERIFY2(log.append(verification, &error), qPrintable(error));

    int damaged = -1;
    const QList<AuditRecord> read = log.readAll(&error, &damaged);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(damaged, 0);
    QCOMPARE(read.size(), 3);
    compareRecords(read.at(0), attempt);
    compareRecords(read.at(1), result);
    compareRecords(read.at(2), verification);

    // JSON Lines: one compact record per line, UTF-8, the newline in the reason escaped.
    QFile file(log.path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.endsWith('\n'));
    const QList<QByteArray> lines = bytes.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    for (const QByteArray& line : lines) {
        QVERIFY(QJsonDocument::fromJson(line).isObject());
    }
    QVERIFY(bytes.contains(QStringLiteral("Seán O'Brien").toUtf8()));
    QVERIFY(lines.at(0).contains("\"time\":\"2026-11-25T13:02:11.345Z\""));
}

void TestAuditLog::recordHoldsOnlyKnownFields()
{
    AuditRecord r = sampleRecord();
    r.httpStatus = 403;
    r.requestId = QStringLiteral("r");
    r.clientRequestId = QStringLiteral("c");
    r.detail = QStringLiteral("d");
    r.validFrom = QDateTime::currentDateTimeUtc();
    const QStringList keys = r.toJson().keys();
    const QSet<QString> allowed{
        QStringLiteral("attemptId"),   QStringLiteral("phase"),           QStringLiteral("time"),
        QStringLiteral("operatorUpn"), QStringLiteral("operatorId"),      QStringLiteral("targetId"),
        QStringLiteral("targetUpn"),   QStringLiteral("targetName"),      QStringLiteral("reason"),
        QStringLiteral("api"),         QStringLiteral("outcome"),         QStringLiteral("httpStatus"),
        QStringLiteral("requestId"),   QStringLiteral("clientRequestId"), QStringLiteral("detail"),
        QStringLiteral("validFrom"),
    };
    QCOMPARE(QSet<QString>(keys.begin(), keys.end()), allowed);
    // Mistyped members of a hand-edited line become empty values.
    const AuditRecord odd = AuditRecord::fromJson(QJsonObject{{QStringLiteral("attemptId"), 5},
                                                              {QStringLiteral("httpStatus"), QStringLiteral("x")},
                                                              {QStringLiteral("time"), true}});
    QVERIFY(odd.attemptId.isEmpty());
    QCOMPARE(odd.httpStatus, 0);
    QVERIFY(!odd.time.isValid());
}

void TestAuditLog::createsItsFolder()
{
    const QString path = freshPath(QStringLiteral("a/b/c/audit.jsonl"));
    AuditLog log(path);
    QString error;
    QVERIFY2(log.append(sampleRecord(), &error), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QCOMPARE(log.readAll().size(), 1);
}

void TestAuditLog::missingFileIsAnEmptyTrail()
{
    AuditLog log(freshPath(QStringLiteral("never-written.jsonl")));
    QString error = QStringLiteral("unchanged?");
    int damaged = -1;
    QVERIFY(log.readAll(&error, &damaged).isEmpty());
    QVERIFY(error.isEmpty());
    QCOMPARE(damaged, 0);
}

void TestAuditLog::damagedLinesAreSkippedAndCounted()
{
    const QString path = freshPath(QStringLiteral("damaged.jsonl"));
    const AuditRecord good = sampleRecord();
    const AuditRecord good2 = sampleRecord(QStringLiteral("result"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(good.toJson()).toJson(QJsonDocument::Compact) + '\n');
    file.write("this is not json\n");
    file.write("{\"attemptId\":\"x\",\"phase\":\"attempt\",\"time\":\"2026-11-\n"); // torn by a crash
    file.write("[1,2,3]\n");
    file.write("{\"attemptId\":\"x\",\"time\":\"2026-11-25T13:02:11Z\"}\n"); // no phase
    file.write("\n\r\n");                                                    // blank lines are not damage
    file.write(QByteArray("\xff\xfe garbage \x01\n"));
    file.write(QJsonDocument(good2.toJson()).toJson(QJsonDocument::Compact) + "\r\n");
    file.close();

    AuditLog log(path);
    QString error;
    int damaged = -1;
    const QList<AuditRecord> read = log.readAll(&error, &damaged);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(damaged, 5);
    QCOMPARE(read.size(), 2);
    compareRecords(read.at(0), good);
    compareRecords(read.at(1), good2);
}

void TestAuditLog::appendAfterATornLineKeepsTheNewRecord()
{
    const QString path = freshPath(QStringLiteral("torn.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(sampleRecord().toJson()).toJson(QJsonDocument::Compact) + '\n');
    file.write("{\"attemptId\":\"abc\",\"pha"); // the process died mid-write
    file.close();

    AuditLog log(path);
    const AuditRecord next = sampleRecord(QStringLiteral("result"));
    QString error;
    QVERIFY2(log.append(next, &error), qPrintable(error));
    int damaged = -1;
    const QList<AuditRecord> read = log.readAll(&error, &damaged);
    QCOMPARE(damaged, 1);
    QCOMPARE(read.size(), 2);
    compareRecords(read.at(1), next);
}

void TestAuditLog::csvQuotesAndNeutralisesFormulas()
{
    AuditRecord r = sampleRecord();
    r.targetName = QStringLiteral("=HYPERLINK(\"http://evil.test\",\"click\")");
    r.targetUpn = QStringLiteral("+31 555");
    r.reason = QStringLiteral("-2+3, then \"quoted\"\r\nand a new line");
    r.detail = QStringLiteral("@SUM(A1:A2)");
    r.operatorUpn = QStringLiteral("\t=1+1");
    r.api = QStringLiteral("plain text");
    r.requestId = QStringLiteral("semi;colon");
    r.httpStatus = 403;
    AuditRecord second = sampleRecord(QStringLiteral("result"));
    second.targetName = QStringLiteral("Ann O'Brien");

    const QString csv = AuditLog::toCsv({r, second});
    QVERIFY(csv.endsWith(QLatin1String("\r\n")));
    bool ok = false;
    const QList<QStringList> rows = parseCsv(csv, &ok);
    QVERIFY2(ok, qPrintable(csv));
    QCOMPARE(rows.size(), 3);
    const QStringList& header = rows.at(0);
    QCOMPARE(header.first(), QStringLiteral("time"));
    for (const QStringList& row : rows) {
        QCOMPARE(row.size(), header.size());
    }
    const auto cell = [&](int row, const char* column) {
        return rows.at(row).at(header.indexOf(QLatin1String(column)));
    };
    QCOMPARE(cell(1, "targetName"), QStringLiteral("'=HYPERLINK(\"http://evil.test\",\"click\")"));
    QCOMPARE(cell(1, "targetUpn"), QStringLiteral("'+31 555"));
    QCOMPARE(cell(1, "reason"), QStringLiteral("'-2+3, then \"quoted\"\r\nand a new line"));
    QCOMPARE(cell(1, "detail"), QStringLiteral("'@SUM(A1:A2)"));
    QCOMPARE(cell(1, "operator"), QStringLiteral("'\t=1+1"));
    QCOMPARE(cell(1, "api"), QStringLiteral("plain text"));
    QCOMPARE(cell(1, "requestId"), QStringLiteral("semi;colon"));
    QCOMPARE(cell(1, "httpStatus"), QStringLiteral("403"));
    QCOMPARE(cell(1, "time"), QStringLiteral("2026-11-25T13:02:11.345Z"));
    QCOMPARE(cell(2, "targetName"), QStringLiteral("Ann O'Brien"));
    QCOMPARE(cell(2, "httpStatus"), QString());
    // No cell of the raw text starts with a formula character, quoted or not.
    QVERIFY(!csv.contains(QLatin1String(",=")));
    QVERIFY(!csv.contains(QLatin1String(",\"=")));
    QVERIFY(!csv.contains(QLatin1String(",+")));
    QVERIFY(!csv.contains(QLatin1String(",\"@")));
    // A plain value is not quoted needlessly.
    QVERIFY(csv.contains(QLatin1String(",plain text,")));
}

void TestAuditLog::appendToAnUnwritablePathFailsCleanly()
{
    // A regular file where the folder should be: the folder cannot be created, even for root.
    const QString blocker = freshPath(QStringLiteral("blocker"));
    {
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("I am a file\n");
    }
    AuditLog underFile(blocker + QStringLiteral("/audit.jsonl"));
    QString error;
    QVERIFY(!underFile.append(sampleRecord(), &error));
    QVERIFY2(error.contains(QStringLiteral("could not be written")), qPrintable(error));
    QVERIFY2(error.contains(QDir::toNativeSeparators(underFile.path())), qPrintable(error));

    // The audit path is a folder.
    const QString folder = freshPath(QStringLiteral("a-folder.jsonl"));
    QVERIFY(QDir().mkpath(folder));
    AuditLog onFolder(folder);
    error.clear();
    QVERIFY(!onFolder.append(sampleRecord(), &error));
    QVERIFY(!error.isEmpty());

#ifndef Q_OS_WIN
    // Unwritable by permissions (only meaningful when not root).
    const QString locked = freshPath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(locked));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    if (::geteuid() != 0) {
        AuditLog denied(locked + QStringLiteral("/audit.jsonl"));
        error.clear();
        QVERIFY(!denied.append(sampleRecord(), &error));
        QVERIFY(!error.isEmpty());
    }
    QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
#endif

    AuditLog empty{QString()};
    QVERIFY(!empty.append(sampleRecord(), &error));
    QVERIFY(!error.isEmpty());
    // Nothing half-written appeared.
    QVERIFY(QFileInfo(blocker).isFile());
    QCOMPARE(QDir(folder).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);
}

void TestAuditLog::writeFailureIsReported()
{
    if (!QFile::exists(QStringLiteral("/dev/full"))) {
        QSKIP("no /dev/full");
    }
    AuditLog full(QStringLiteral("/dev/full"));
    QString error;
    QVERIFY(!full.append(sampleRecord(), &error));
    QVERIFY2(error.contains(QStringLiteral("/dev/full")), qPrintable(error));
    QVERIFY2(error.contains(QString::fromLocal8Bit(std::strerror(ENOSPC))), qPrintable(error));
}

void TestAuditLog::fsyncFailureIsReported()
{
    // The write to a FIFO succeeds (into the pipe buffer) but fsync(2) fails with EINVAL: proves append() does not
    // report success before the data is synced, and that the sync's failure is reported.
#ifdef Q_OS_WIN
    QSKIP("no FIFOs on Windows");
#else
    const QString fifo = freshPath(QStringLiteral("fifo.jsonl"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    AuditLog log(fifo);
    QString error;
    QVERIFY(!log.append(sampleRecord(), &error));
    QVERIFY2(error.contains(QStringLiteral("could not be written")), qPrintable(error));
    QVERIFY2(error.contains(QString::fromLocal8Bit(std::strerror(EINVAL))), qPrintable(error));
#endif
}

void TestAuditLog::manyAppendsLoseNothing()
{
    AuditLog log(freshPath(QStringLiteral("many.jsonl")));
    QStringList ids;
    for (int i = 0; i < 300; ++i) {
        AuditRecord r = sampleRecord(i % 2 ? QStringLiteral("result") : QStringLiteral("attempt"));
        r.detail = QString::number(i);
        ids.append(r.attemptId);
        QString error;
        QVERIFY2(log.append(r, &error), qPrintable(error));
    }
    int damaged = -1;
    const QList<AuditRecord> read = log.readAll(nullptr, &damaged);
    QCOMPARE(damaged, 0);
    QCOMPARE(read.size(), ids.size());
    for (int i = 0; i < read.size(); ++i) {
        QCOMPARE(read.at(i).attemptId, ids.at(i));
        QCOMPARE(read.at(i).detail, QString::number(i));
    }
}

void TestAuditLog::concurrentWritersNeverInterleave()
{
    // Two writers (the GUI and the CLI, say) on the same file: every record arrives whole.
    const QString path = freshPath(QStringLiteral("concurrent.jsonl"));
    constexpr int kEach = 150;
    std::atomic<int> failures{0};
    const auto writer = [&](const QString& tag) {
        AuditLog log(path);
        for (int i = 0; i < kEach; ++i) {
            AuditRecord r = sampleRecord();
            r.detail = tag + QString::number(i);
            r.reason = QString(2000, QLatin1Char('x')); // long lines make torn writes likelier
            QString error;
            if (!log.append(r, &error)) {
                ++failures;
            }
        }
    };
    std::thread a(writer, QStringLiteral("a"));
    std::thread b(writer, QStringLiteral("b"));
    a.join();
    b.join();
    QCOMPARE(failures.load(), 0);
    int damaged = -1;
    const QList<AuditRecord> read = AuditLog(path).readAll(nullptr, &damaged);
    QCOMPARE(damaged, 0);
    QCOMPARE(read.size(), 2 * kEach);
    QSet<QString> details;
    for (const AuditRecord& r : read) {
        details.insert(r.detail);
    }
    QCOMPARE(details.size(), 2 * kEach);
}

// Takes the OS lock an appending AuditLog takes, as another process would: flock() on the file, or on Windows
// LockFileEx() on the one byte at 0x7FFFFFFFFFFFFFF0 (far beyond any data, so readers are never locked out).
class ForeignLock
{
public:
    explicit ForeignLock(const QString& path) : m_file(path)
    {
        if (!m_file.open(QIODevice::ReadWrite | QIODevice::Append)) {
            return;
        }
#ifdef Q_OS_WIN
        m_handle = reinterpret_cast<HANDLE>(_get_osfhandle(m_file.handle()));
        OVERLAPPED at = lockPosition();
        m_locked = LockFileEx(m_handle, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &at) != 0;
#else
        m_locked = ::flock(m_file.handle(), LOCK_EX) == 0;
#endif
    }
    ~ForeignLock()
    {
        release();
    }
    ForeignLock(const ForeignLock&) = delete;
    ForeignLock& operator=(const ForeignLock&) = delete;

    bool isLocked() const
    {
        return m_locked;
    }
    void release()
    {
        if (!std::exchange(m_locked, false)) {
            return;
        }
#ifdef Q_OS_WIN
        OVERLAPPED at = lockPosition();
        UnlockFileEx(m_handle, 0, 1, 0, &at);
#else
        ::flock(m_file.handle(), LOCK_UN);
#endif
        m_file.close();
    }

private:
#ifdef Q_OS_WIN
    static OVERLAPPED lockPosition()
    {
        OVERLAPPED at{};
        at.Offset = 0xFFFFFFF0u;
        at.OffsetHigh = 0x7FFFFFFFu;
        return at;
    }
#endif

    QFile m_file;
    bool m_locked = false;
#ifdef Q_OS_WIN
    HANDLE m_handle = INVALID_HANDLE_VALUE;
#endif
};

void TestAuditLog::appendWaitsForAnotherWritersLock()
{
    // While another writer holds the file, an append waits for it (it neither fails nor writes alongside), then
    // lands whole after the other writer's record. (The wait is bounded at 5 s; this one is 300 ms.)
    const QString path = freshPath(QStringLiteral("locked.jsonl"));
    AuditLog log(path);
    QVERIFY(log.append(sampleRecord(), nullptr));
    ForeignLock other(path);
    QVERIFY(other.isLocked());

    std::atomic<bool> done{false};
    std::atomic<bool> ok{false};
    std::thread writer([&] {
        AuditRecord record = sampleRecord(QStringLiteral("outcome"));
        record.detail = QStringLiteral("waited");
        ok = log.append(record, nullptr);
        done = true;
    });
    // Not written while the lock is held (a broken lock would have written at once; a slow machine only makes
    // this check easier to pass, never harder).
    QTest::qWait(300);
    const bool writtenWhileLocked = done.load();
    const qsizetype recordsWhileLocked = AuditLog(path).readAll().size();
    other.release();
    writer.join();
    QVERIFY(!writtenWhileLocked);
    QCOMPARE(recordsWhileLocked, 1);
    QVERIFY(ok.load());
    const QList<AuditRecord> records = AuditLog(path).readAll();
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.last().detail, QStringLiteral("waited"));
}

void TestAuditLog::aStuckWriterDoesNotCostTheRecord()
{
    // Another writer holds the lock and never lets go (hung, suspended): after a bounded wait the record is written
    // all the same, whole; losing it would be worse than the small risk of writing alongside.
    const QString path = freshPath(QStringLiteral("stuck.jsonl"));
    AuditLog log(path);
    QVERIFY(log.append(sampleRecord(), nullptr));
    ForeignLock other(path);
    QVERIFY(other.isLocked());
    AuditRecord record = sampleRecord(QStringLiteral("outcome"));
    record.detail = QStringLiteral("written anyway");
    QString error;
    QVERIFY2(log.append(record, &error), qPrintable(error));
    QVERIFY(other.isLocked());
    int damaged = -1;
    const QList<AuditRecord> records = AuditLog(path).readAll(nullptr, &damaged);
    QCOMPARE(damaged, 0);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.last().detail, QStringLiteral("written anyway"));
}

void TestAuditLog::defaultPathIsInAppData()
{
    QStandardPaths::setTestModeEnabled(true);
    const QString path = AuditLog::defaultPath();
    QVERIFY2(path.endsWith(QLatin1String("/audit.jsonl")), qPrintable(path));
    QCOMPARE(QFileInfo(path).absolutePath(), QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    QStandardPaths::setTestModeEnabled(false);
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "TestAuditLog.moc"
