#include "KeychainTokenStore.h"
#include "TokenStore.h"

#include <QDir>
#include <QDirIterator>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>

#include <memory>
#include <optional>

// Runs inside tests/e2e/with-keyring.sh: a private D-Bus session with a real, unlocked gnome-keyring. What the
// store wrote is checked with secret-tool, which asks the Secret Service directly instead of going through
// QtKeychain.

namespace {
const QString kService = QStringLiteral("Session Revoker tests");
// This binary's second role: a child process that tries the keychain where there is none.
constexpr char kChildVariable[] = "SR_TEST_KEYCHAIN_CHILD";
constexpr char kChildSecretVariable[] = "SR_TEST_KEYCHAIN_CHILD_SECRET";
const QByteArray kHeaderPrefix = QByteArrayLiteral("session-revoker-chunked-entry/1 ");
constexpr int kDeadlineMs = 20000; // only reached when the keychain is broken; answers take milliseconds

QString keyFor(const QString& account)
{
    return TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("contoso.onmicrosoft.com"),
                              QStringLiteral("11111111-2222-3333-4444-555555555555"), account);
}

QString chunkKey(const QString& key, int index)
{
    return key + QLatin1Char('/') + QString::number(index);
}

// Letters and digits that appear nowhere by chance, so the disk scans below cannot match by accident.
QByteArray randomSecret(qsizetype size)
{
    QByteArray secret;
    while (secret.size() < size) {
        secret += QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    }
    secret.truncate(size);
    return secret;
}

// Runs one store operation until it answers.
TokenStore::Result await(const std::function<void(QObject*, TokenStore::Callback)>& operation)
{
    QEventLoop loop;
    std::optional<TokenStore::Result> answer;
    operation(&loop, [&answer, &loop](const TokenStore::Result& result) {
        answer = result;
        loop.quit();
    });
    if (!answer) {
        QTimer::singleShot(kDeadlineMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return answer.value_or(TokenStore::Result{TokenStore::Status::Failed, {}, QStringLiteral("no answer in time")});
}

TokenStore::Result writeNow(TokenStore& store, const QString& key, const QByteArray& secret)
{
    return await([&](QObject* context, TokenStore::Callback done) { store.write(key, secret, context, done); });
}

TokenStore::Result readNow(TokenStore& store, const QString& key)
{
    return await([&](QObject* context, TokenStore::Callback done) { store.read(key, context, done); });
}

TokenStore::Result removeNow(TokenStore& store, const QString& key)
{
    return await([&](QObject* context, TokenStore::Callback done) { store.remove(key, context, done); });
}

// `secret-tool lookup user <key> server <service>`: what the Secret Service holds, as stored. QtKeychain stores
// binary data base64-encoded. std::nullopt only for a clean "no such item"; a failing tool gives a value that
// matches nothing a test expects.
std::optional<QByteArray> secretToolLookup(const QString& key)
{
    QProcess tool;
    tool.start(QStringLiteral(SR_SECRET_TOOL),
               {QStringLiteral("lookup"), QStringLiteral("user"), key, QStringLiteral("server"), kService});
    if (!tool.waitForFinished(kDeadlineMs) || tool.exitStatus() != QProcess::NormalExit) {
        return QByteArrayLiteral("<secret-tool did not finish>");
    }
    const QByteArray errors = tool.readAllStandardError();
    if (tool.exitCode() == 1 && errors.isEmpty()) {
        return std::nullopt;
    }
    if (tool.exitCode() != 0) {
        return "<secret-tool failed: " + errors + '>';
    }
    return tool.readAllStandardOutput();
}

bool secretToolClear(const QString& key)
{
    QProcess tool;
    tool.start(QStringLiteral(SR_SECRET_TOOL),
               {QStringLiteral("clear"), QStringLiteral("user"), key, QStringLiteral("server"), kService});
    return tool.waitForFinished(kDeadlineMs) && tool.exitStatus() == QProcess::NormalExit && tool.exitCode() == 0;
}

// The files under `root` that hold `secret` in a form a careless store would write: raw, base64 or hex.
QStringList filesContaining(const QString& root, const QByteArray& secret)
{
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!it.fileInfo().isFile() || !file.open(QIODevice::ReadOnly)) { // sockets and pipes are no files
            continue;
        }
        const QByteArray content = file.readAll();
        if (content.contains(secret) || content.contains(secret.toBase64()) || content.contains(secret.toHex())) {
            hits << file.fileName();
        }
    }
    return hits;
}

// The child's side of TestKeychainTokenStore::withoutSecretServiceIsUnavailable: one line per operation, as
// "<operation>\t<status>\t<errorText>".
int runAsChildWithoutSecretService()
{
    const QByteArray secret = qgetenv(kChildSecretVariable);
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("no-secret-service"));
    QTextStream out(stdout);
    const auto report = [&out](const char* operation, const TokenStore::Result& result) {
        out << operation << '\t' << static_cast<int>(result.status) << '\t' << result.errorText << '\n';
    };
    report("write", writeNow(store, key, secret));
    report("read", readNow(store, key));
    report("remove", removeNow(store, key));
    return 0;
}
} // namespace

class TestKeychainTokenStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripThroughTheSecretService_data();
    void roundTripThroughTheSecretService();
    void overwriteReplaces();
    void readMissingIsNotFound();
    void removeMissingIsOk();
    void answerIsNeverSynchronous();
    void operationsOnOneKeyRunInCallOrder();
    void destroyedContextGetsNoAnswer();
    void destroyingTheStoreAnswersPendingOperations();
    void largeSecretIsChunked();
    void rewritingShorterLeavesNoStaleChunk();
    void chunkedEntryIsReadableWithoutChunking();
    void secretThatLooksLikeAHeaderRoundTrips();
    void missingChunkIsReportedAndRemovable();
    void alteredChunkIsReported();
    void withoutSecretServiceIsUnavailable_data();
    void withoutSecretServiceIsUnavailable();
    void nothingReachesTheDiskInPlaintext(); // scans for every secret written above
    void lockedKeyringFailsWithoutPrompt();  // last: locks the keyring for good (its password is gone)

private:
    // Secrets written to the keychain during this run, for the final disk scan.
    QList<QByteArray> m_written;
};

void TestKeychainTokenStore::initTestCase()
{
    // This test writes to the Secret Service: only ever to the throwaway one of with-keyring.sh.
    const QString sandbox = qEnvironmentVariable("SR_KEYRING_SANDBOX");
    QVERIFY2(!sandbox.isEmpty(), "run this test through tests/e2e/with-keyring.sh (CTest does)");
    QVERIFY(QDir::homePath().startsWith(sandbox));
}

void TestKeychainTokenStore::roundTripThroughTheSecretService_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::newRow("account record") << QByteArray(R"({"refresh_token":")" + randomSecret(40) + R"(","account":{}})");
    QTest::newRow("binary with NUL bytes") << QByteArray("\0\x01\xff\xfe\0", 5) + randomSecret(24);
    QTest::newRow("8 KB, one item") << randomSecret(8 * 1024);
    QTest::newRow("empty") << QByteArray();
}

void TestKeychainTokenStore::roundTripThroughTheSecretService()
{
    QFETCH(QByteArray, secret);
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("round-trip-%1").arg(QLatin1String(QTest::currentDataTag())));
    m_written << secret;

    const TokenStore::Result written = writeNow(store, key, secret);
    QCOMPARE(written.status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::optional<QByteArray>(secret.toBase64()));
    QCOMPARE(secretToolLookup(chunkKey(key, 1)), std::nullopt);

    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret);

    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::nullopt);
    QCOMPARE(readNow(store, key).status, TokenStore::Status::NotFound);
}

void TestKeychainTokenStore::overwriteReplaces()
{
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("overwrite"));
    const QByteArray first = randomSecret(32);
    const QByteArray second = randomSecret(32);
    m_written << first << second;
    QCOMPARE(writeNow(store, key, first).status, TokenStore::Status::Ok);
    QCOMPARE(writeNow(store, key, second).status, TokenStore::Status::Ok);
    QCOMPARE(readNow(store, key).secret, second);
    QCOMPARE(secretToolLookup(key), std::optional<QByteArray>(second.toBase64()));
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
}

void TestKeychainTokenStore::readMissingIsNotFound()
{
    KeychainTokenStore store(kService);
    const TokenStore::Result read = readNow(store, keyFor(QStringLiteral("never-written")));
    QCOMPARE(read.status, TokenStore::Status::NotFound);
    QVERIFY(read.secret.isEmpty());
    QVERIFY(!read.errorText.isEmpty());
}

void TestKeychainTokenStore::removeMissingIsOk()
{
    KeychainTokenStore store(kService);
    QCOMPARE(removeNow(store, keyFor(QStringLiteral("never-written"))).status, TokenStore::Status::Ok);
}

void TestKeychainTokenStore::answerIsNeverSynchronous()
{
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("asynchronous"));
    int answers = 0;
    store.write(key, "x", this, [&answers](const TokenStore::Result&) { ++answers; });
    store.read(key, this, [&answers](const TokenStore::Result&) { ++answers; });
    store.remove(key, this, [&answers](const TokenStore::Result&) { ++answers; });
    QCOMPARE(answers, 0);
    QTRY_COMPARE_WITH_TIMEOUT(answers, 3, kDeadlineMs);
    QCoreApplication::processEvents(); // any second answer would be queued by now
    QCOMPARE(answers, 3);
}

void TestKeychainTokenStore::operationsOnOneKeyRunInCallOrder()
{
    // Chunked, so each write is several keychain jobs that would interleave with the other operations if the store
    // did not run one operation per key at a time.
    KeychainTokenStore store(kService, 64);
    const QString key = keyFor(QStringLiteral("call-order"));
    const QByteArray first = randomSecret(300);
    const QByteArray second = randomSecret(200);
    m_written << first << second;
    QStringList order;
    QByteArray readBack;
    const auto note = [&order](const char* operation) {
        return [&order, operation](const TokenStore::Result& result) {
            order << QStringLiteral("%1:%2").arg(QLatin1String(operation)).arg(static_cast<int>(result.status));
        };
    };
    store.write(key, first, this, note("write"));
    store.write(key, second, this, note("write"));
    store.read(key, this, [&order, &readBack](const TokenStore::Result& result) {
        order << QStringLiteral("read:%1").arg(static_cast<int>(result.status));
        readBack = result.secret;
    });
    store.remove(key, this, note("remove"));
    store.read(key, this, note("read"));
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 5, kDeadlineMs);
    QCOMPARE(order, QStringList({QStringLiteral("write:0"), QStringLiteral("write:0"), QStringLiteral("read:0"),
                                 QStringLiteral("remove:0"), QStringLiteral("read:1")}));
    QCOMPARE(readBack, second);
    QCOMPARE(secretToolLookup(key), std::nullopt);
    QCOMPARE(secretToolLookup(chunkKey(key, 1)), std::nullopt);
}

void TestKeychainTokenStore::destroyedContextGetsNoAnswer()
{
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("destroyed-context"));
    const QByteArray secret = randomSecret(32);
    m_written << secret;
    int answers = 0;
    auto context = std::make_unique<QObject>();
    store.write(key, secret, context.get(), [&answers](const TokenStore::Result&) { ++answers; });
    context.reset();

    // Queued behind the write on the same key: once this answers, the write's answer would have arrived.
    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(answers, 0);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret); // the write itself still happened
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
}

void TestKeychainTokenStore::destroyingTheStoreAnswersPendingOperations()
{
    const QString key = keyFor(QStringLiteral("store-destroyed"));
    QList<TokenStore::Status> answers;
    {
        KeychainTokenStore store(kService);
        store.write(key, "x", this, [&answers](const TokenStore::Result& r) { answers << r.status; });
        store.read(key, this, [&answers](const TokenStore::Result& r) { answers << r.status; });
    }
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 2, kDeadlineMs);
    QCOMPARE(answers, QList<TokenStore::Status>({TokenStore::Status::Failed, TokenStore::Status::Failed}));

    // The job already running finishes on its own and deletes itself; the key stays usable.
    KeychainTokenStore store(kService);
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(readNow(store, key).status, TokenStore::Status::NotFound);
}

void TestKeychainTokenStore::largeSecretIsChunked()
{
    KeychainTokenStore store(kService, 64);
    const QString key = keyFor(QStringLiteral("chunked"));
    const QByteArray secret = randomSecret(1000); // 15 chunks of 64 bytes and one of 40
    m_written << secret;
    QCOMPARE(writeNow(store, key, secret).status, TokenStore::Status::Ok);

    const std::optional<QByteArray> header = secretToolLookup(key);
    QVERIFY(header);
    QVERIFY2(QByteArray::fromBase64(*header).startsWith(kHeaderPrefix + "16 1000 "), header->constData());
    for (int i = 1; i <= 16; ++i) {
        const std::optional<QByteArray> chunk = secretToolLookup(chunkKey(key, i));
        QVERIFY2(chunk, qPrintable(chunkKey(key, i)));
        QCOMPARE(QByteArray::fromBase64(*chunk), secret.mid((i - 1) * 64, 64));
    }
    QCOMPARE(secretToolLookup(chunkKey(key, 17)), std::nullopt);

    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret);

    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::nullopt);
    for (int i = 1; i <= 16; ++i) {
        QCOMPARE(secretToolLookup(chunkKey(key, i)), std::nullopt);
    }
}

void TestKeychainTokenStore::rewritingShorterLeavesNoStaleChunk()
{
    KeychainTokenStore store(kService, 64);
    const QString key = keyFor(QStringLiteral("shrinking"));
    const QByteArray large = randomSecret(1000);
    const QByteArray medium = randomSecret(130);
    const QByteArray small = randomSecret(20);
    m_written << large << medium << small;

    QCOMPARE(writeNow(store, key, large).status, TokenStore::Status::Ok);
    QVERIFY(secretToolLookup(chunkKey(key, 16)));

    QCOMPARE(writeNow(store, key, medium).status, TokenStore::Status::Ok);
    QCOMPARE(readNow(store, key).secret, medium);
    for (int i = 1; i <= 3; ++i) {
        QVERIFY2(secretToolLookup(chunkKey(key, i)), qPrintable(chunkKey(key, i)));
    }
    for (int i = 4; i <= 16; ++i) {
        QCOMPARE(secretToolLookup(chunkKey(key, i)), std::nullopt);
    }

    // Small enough for one item: the key holds the secret itself and no chunk is left.
    QCOMPARE(writeNow(store, key, small).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::optional<QByteArray>(small.toBase64()));
    for (int i = 1; i <= 3; ++i) {
        QCOMPARE(secretToolLookup(chunkKey(key, i)), std::nullopt);
    }
    QCOMPARE(readNow(store, key).secret, small);
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::nullopt);
}

void TestKeychainTokenStore::chunkedEntryIsReadableWithoutChunking()
{
    KeychainTokenStore chunking(kService, 64);
    KeychainTokenStore plain(kService);
    const QString key = keyFor(QStringLiteral("chunked-then-plain"));
    const QByteArray secret = randomSecret(500);
    m_written << secret;
    QCOMPARE(writeNow(chunking, key, secret).status, TokenStore::Status::Ok);
    const TokenStore::Result read = readNow(plain, key);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret);

    // A store that does not split still removes every chunk of an entry written by one that does.
    QCOMPARE(removeNow(plain, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::nullopt);
    QCOMPARE(secretToolLookup(chunkKey(key, 1)), std::nullopt);
    QCOMPARE(secretToolLookup(chunkKey(key, 8)), std::nullopt);
}

void TestKeychainTokenStore::secretThatLooksLikeAHeaderRoundTrips()
{
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("header-lookalike"));
    const QByteArray secret = kHeaderPrefix + "2 10 " + QByteArray(64, 'a');
    QCOMPARE(writeNow(store, key, secret).status, TokenStore::Status::Ok);
    // Stored behind a real header, so it cannot be mistaken for one.
    QVERIFY(secretToolLookup(key) != std::optional<QByteArray>(secret.toBase64()));
    QVERIFY(secretToolLookup(chunkKey(key, 1)));
    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret);
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(chunkKey(key, 1)), std::nullopt);
}

void TestKeychainTokenStore::missingChunkIsReportedAndRemovable()
{
    KeychainTokenStore store(kService, 64);
    const QString key = keyFor(QStringLiteral("missing-chunk"));
    const QByteArray secret = randomSecret(300);
    m_written << secret;
    QCOMPARE(writeNow(store, key, secret).status, TokenStore::Status::Ok);
    QVERIFY(secretToolClear(chunkKey(key, 2)));

    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(read.status, TokenStore::Status::Failed);
    QVERIFY(read.secret.isEmpty());
    QVERIFY(!read.errorText.isEmpty());

    // Signing out must still clean up a damaged entry.
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(key), std::nullopt);
    for (int i = 1; i <= 5; ++i) {
        QCOMPARE(secretToolLookup(chunkKey(key, i)), std::nullopt);
    }
}

void TestKeychainTokenStore::alteredChunkIsReported()
{
    KeychainTokenStore store(kService, 64);
    const QString key = keyFor(QStringLiteral("altered-chunk"));
    const QByteArray secret = randomSecret(300);
    m_written << secret;
    QCOMPARE(writeNow(store, key, secret).status, TokenStore::Status::Ok);
    // Same length, other bytes: as if another process had rewritten the entry halfway.
    QCOMPARE(writeNow(store, chunkKey(key, 3), randomSecret(64)).status, TokenStore::Status::Ok);

    const TokenStore::Result read = readNow(store, key);
    QCOMPARE(read.status, TokenStore::Status::Failed);
    QVERIFY(read.secret.isEmpty());
    QCOMPARE(removeNow(store, key).status, TokenStore::Status::Ok);
    QCOMPARE(secretToolLookup(chunkKey(key, 3)), std::nullopt);
}

void TestKeychainTokenStore::withoutSecretServiceIsUnavailable_data()
{
    QTest::addColumn<QString>("bus");     // none, missing-socket, no-services
    QTest::addColumn<QString>("desktop"); // what QtKeychain picks its backend by
    QTest::newRow("no session bus, no display") << QStringLiteral("none") << QString();
    QTest::newRow("bus address of a missing socket") << QStringLiteral("missing-socket") << QString();
    QTest::newRow("bus without a Secret Service") << QStringLiteral("no-services") << QString();
    // QtKeychain goes to KWallet here, the path where an insecure fallback would write a plaintext file.
    QTest::newRow("KDE 4 session without KWallet") << QStringLiteral("no-services") << QStringLiteral("4");
    QTest::newRow("Plasma 5 session without KWallet") << QStringLiteral("no-services") << QStringLiteral("5");
}

void TestKeychainTokenStore::withoutSecretServiceIsUnavailable()
{
    QFETCH(QString, bus);
    QFETCH(QString, desktop);
    QTemporaryDir sandbox;
    QVERIFY(sandbox.isValid());
    QDir root(sandbox.path());
    for (const char* dir : {"home", "runtime", "data", "config", "cache"}) {
        QVERIFY(root.mkdir(QLatin1String(dir)));
    }
    QVERIFY(QFile::setPermissions(root.filePath(QStringLiteral("runtime")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const QByteArray secret = randomSecret(48);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "DBUS_STARTER_ADDRESS",
                             "DBUS_STARTER_BUS_TYPE", "SR_KEYRING_SANDBOX", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION",
                             "KDE_FULL_SESSION", "KDE_SESSION_VERSION", "QT_MESSAGE_PATTERN"}) {
        env.remove(QLatin1String(name));
    }
    env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root.filePath(QStringLiteral("runtime")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
    env.insert(QLatin1String(kChildVariable), QStringLiteral("1"));
    env.insert(QLatin1String(kChildSecretVariable), QString::fromLatin1(secret));
    if (!desktop.isEmpty()) {
        env.insert(QStringLiteral("XDG_CURRENT_DESKTOP"), QStringLiteral("KDE"));
        env.insert(QStringLiteral("KDE_SESSION_VERSION"), desktop);
    }

    QString program = QCoreApplication::applicationFilePath();
    QStringList arguments;
    if (bus == QLatin1String("missing-socket")) {
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                   QStringLiteral("unix:path=") + root.filePath(QStringLiteral("no-bus-here")));
    } else if (bus == QLatin1String("no-services")) {
        // A session bus that can start nothing: no service directories, so no gnome-keyring by activation.
        QFile config(root.filePath(QStringLiteral("bus.conf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                     " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                     "<busconfig><type>session</type><listen>unix:tmpdir=" +
                     root.path().toUtf8() +
                     "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                     "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
                     "<allow own=\"*\"/></policy></busconfig>\n");
        config.close();
        arguments = {QStringLiteral("--config-file=") + config.fileName(), QStringLiteral("--"), program};
        program = QStringLiteral(SR_DBUS_RUN_SESSION);
    }

    QProcess child;
    child.setProcessEnvironment(env);
    child.start(program, arguments);
    QVERIFY(child.waitForFinished(2 * kDeadlineMs));
    const QByteArray out = child.readAllStandardOutput();
    const QByteArray err = child.readAllStandardError();
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, err.constData());

    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    for (const QByteArray& line : lines) {
        const QList<QByteArray> fields = line.split('\t');
        QCOMPARE(fields.size(), 3);
        QVERIFY2(fields.at(1).toInt() == static_cast<int>(TokenStore::Status::Unavailable),
                 (line + "\n" + err).constData());
        QVERIFY2(fields.at(2).contains("keychain"), line.constData()); // a sentence for the operator
    }
    // A line for the administrator, with QtKeychain's reason, and never the secret.
    QVERIFY2(err.contains("sr.auth: keychain write of"), err.constData());
    QVERIFY(!err.contains(secret) && !out.contains(secret));
    // No plaintext fallback anywhere in the child's home or XDG folders.
    const QStringList leaks = filesContaining(root.path(), secret);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));
}

void TestKeychainTokenStore::nothingReachesTheDiskInPlaintext()
{
    // One entry stays in the keyring, so its file on disk certainly holds it (encrypted).
    KeychainTokenStore store(kService);
    const QByteArray kept = randomSecret(64);
    m_written << kept;
    QCOMPARE(writeNow(store, keyFor(QStringLiteral("kept")), kept).status, TokenStore::Status::Ok);
    const QString keyring =
        QDir(qEnvironmentVariable("XDG_DATA_HOME")).filePath(QStringLiteral("keyrings/login.keyring"));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(keyring).size() > 0, kDeadlineMs);

    const QString sandbox = qEnvironmentVariable("SR_KEYRING_SANDBOX");
    int scanned = 0;
    for (const QByteArray& secret : std::as_const(m_written)) {
        if (secret.size() < 16) {
            continue; // too short to search for without false alarms
        }
        ++scanned;
        const QStringList leaks = filesContaining(sandbox, secret);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));
    }
    QVERIFY(scanned >= 10);
}

void TestKeychainTokenStore::lockedKeyringFailsWithoutPrompt()
{
    KeychainTokenStore store(kService);
    const QString key = keyFor(QStringLiteral("locked"));
    QCOMPARE(writeNow(store, key, "before").status, TokenStore::Status::Ok);

    // As after a screen lock or a session without the PAM unlock: unlocking needs a prompt, which cannot be shown
    // here (no display), so the keyring must answer at once instead of waiting for one.
    QProcess gdbus;
    gdbus.start(QStringLiteral(SR_GDBUS),
                {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
                 QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
                 QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
                 QStringLiteral("org.freedesktop.Secret.Service.Lock"),
                 QStringLiteral("['/org/freedesktop/secrets/collection/login']")});
    QVERIFY(gdbus.waitForFinished(kDeadlineMs));
    QVERIFY2(gdbus.exitCode() == 0, gdbus.readAllStandardError().constData());

    const TokenStore::Result written = writeNow(store, key, "after");
    QCOMPARE(written.status, TokenStore::Status::Failed);
    QVERIFY2(written.errorText.contains(QLatin1String("locked")), qPrintable(written.errorText));
    // QtKeychain 0.13 over libsecret reports a locked item as missing, and "deletes" it without an error while it
    // stays in the keychain; at least it must never hand out anything.
    const TokenStore::Result read = readNow(store, key);
    QVERIFY(read.status != TokenStore::Status::Ok);
    QVERIFY(read.secret.isEmpty());
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kChildVariable)) {
        return runAsChildWithoutSecretService();
    }
    TestKeychainTokenStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "TestKeychainTokenStore.moc"
