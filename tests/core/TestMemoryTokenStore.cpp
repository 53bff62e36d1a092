#include "MemoryTokenStore.h"
#include "TokenStore.h"

#include <QTest>

#include <memory>

namespace {
// The answers one operation delivered: the contract says exactly one.
struct Answers
{
    int count = 0;
    TokenStore::Result last;
};

TokenStore::Callback recordInto(const std::shared_ptr<Answers>& answers)
{
    return [answers](const TokenStore::Result& result) {
        ++answers->count;
        answers->last = result;
    };
}

const QString kKey =
    TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("contoso.onmicrosoft.com"),
                       QStringLiteral("11111111-2222-3333-4444-555555555555"), QStringLiteral("00000000-aaaa.bbbb"));
} // namespace

class TestMemoryTokenStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyForNamespacesEveryPart();
    void keyForIgnoresCaseOfCloudTenantAndClient();
    void keyForCannotBeSpoofedWithSeparators();

    void writeThenReadReturnsTheSecret_data();
    void writeThenReadReturnsTheSecret();
    void overwriteReplaces();
    void readMissingIsNotFound();
    void removeDeletesAndMissingIsOk();
    void keysAreIndependent();
    void answerIsNeverSynchronousAndExactlyOnce();
    void answersArriveInCallOrder();
    void destroyedContextGetsNoAnswer();
    void nullContextStillAnswers();
    void failureChangesNothing();

private:
    static TokenStore::Result readNow(MemoryTokenStore& store, const QString& key);
};

TokenStore::Result TestMemoryTokenStore::readNow(MemoryTokenStore& store, const QString& key)
{
    auto answers = std::make_shared<Answers>();
    QObject context;
    store.read(key, &context, recordInto(answers));
    // QTRY_* returns from the function on failure; the caller then sees the Failed default result.
    [&] {
        QTRY_COMPARE(answers->count, 1);
    }();
    return answers->last;
}

void TestMemoryTokenStore::keyForNamespacesEveryPart()
{
    const auto key = [](const char* cloud, const char* tenant, const char* client, const char* account) {
        return TokenStore::keyFor(QLatin1String(cloud), QLatin1String(tenant), QLatin1String(client),
                                  QLatin1String(account));
    };
    const QString base = key("global", "contoso.com", "client-a", "account-1");
    QVERIFY(base.startsWith(QLatin1String("session-revoker/")));
    QCOMPARE(base, QStringLiteral("session-revoker/global/contoso.com/client-a/account-1"));
    QVERIFY(key("usgov", "contoso.com", "client-a", "account-1") != base);
    QVERIFY(key("global", "fabrikam.com", "client-a", "account-1") != base);
    QVERIFY(key("global", "contoso.com", "client-b", "account-1") != base);
    QVERIFY(key("global", "contoso.com", "client-a", "account-2") != base);
}

void TestMemoryTokenStore::keyForIgnoresCaseOfCloudTenantAndClient()
{
    QCOMPARE(TokenStore::keyFor(QStringLiteral("Global"), QStringLiteral("Contoso.OnMicrosoft.com"),
                                QStringLiteral("ABCDEF01-0000-0000-0000-000000000000"), QStringLiteral("acc")),
             TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("contoso.onmicrosoft.com"),
                                QStringLiteral("abcdef01-0000-0000-0000-000000000000"), QStringLiteral("acc")));
}

void TestMemoryTokenStore::keyForCannotBeSpoofedWithSeparators()
{
    const QString a = TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("contoso.com/x"),
                                         QStringLiteral("client"), QStringLiteral("acc"));
    const QString b = TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("contoso.com"),
                                         QStringLiteral("x/client"), QStringLiteral("acc"));
    QVERIFY(a != b);
    // Exactly the four separators of the five parts, so no key looks like another key's "<key>/<n>" chunk.
    QCOMPARE(a.count(QLatin1Char('/')), 4);
    QCOMPARE(TokenStore::keyFor(QString(), QString(), QString(), QStringLiteral("1/2")).count(QLatin1Char('/')), 4);
}

void TestMemoryTokenStore::writeThenReadReturnsTheSecret_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::newRow("json") << QByteArrayLiteral(R"({"refresh_token":"0.AAA-xyz","account":{}})");
    QTest::newRow("binary with NUL bytes") << QByteArray("\0\1\2\xff\xfe\0", 6);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("100 KB") << QByteArray(100 * 1024, 'r');
}

void TestMemoryTokenStore::writeThenReadReturnsTheSecret()
{
    QFETCH(QByteArray, secret);
    MemoryTokenStore store;
    auto written = std::make_shared<Answers>();
    store.write(kKey, secret, this, recordInto(written));
    QTRY_COMPARE(written->count, 1);
    QCOMPARE(written->last.status, TokenStore::Status::Ok);

    const TokenStore::Result read = readNow(store, kKey);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, secret);
    QCOMPARE(store.keys(), QStringList{kKey});
}

void TestMemoryTokenStore::overwriteReplaces()
{
    MemoryTokenStore store;
    store.write(kKey, "first", this, {});
    store.write(kKey, "second", this, {});
    const TokenStore::Result read = readNow(store, kKey);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, QByteArray("second"));
}

void TestMemoryTokenStore::readMissingIsNotFound()
{
    MemoryTokenStore store;
    const TokenStore::Result read = readNow(store, kKey);
    QCOMPARE(read.status, TokenStore::Status::NotFound);
    QVERIFY(read.secret.isEmpty());
}

void TestMemoryTokenStore::removeDeletesAndMissingIsOk()
{
    MemoryTokenStore store;
    store.write(kKey, "secret", this, {});
    auto removed = std::make_shared<Answers>();
    store.remove(kKey, this, recordInto(removed));
    QTRY_COMPARE(removed->count, 1);
    QCOMPARE(removed->last.status, TokenStore::Status::Ok);
    QCOMPARE(readNow(store, kKey).status, TokenStore::Status::NotFound);
    QVERIFY(store.keys().isEmpty());

    auto again = std::make_shared<Answers>();
    store.remove(kKey, this, recordInto(again));
    QTRY_COMPARE(again->count, 1);
    QCOMPARE(again->last.status, TokenStore::Status::Ok);
}

void TestMemoryTokenStore::keysAreIndependent()
{
    MemoryTokenStore store;
    const QString other = TokenStore::keyFor(QStringLiteral("global"), QStringLiteral("fabrikam.com"),
                                             QStringLiteral("client"), QStringLiteral("acc"));
    store.write(kKey, "one", this, {});
    store.write(other, "two", this, {});
    store.remove(kKey, this, {});
    QCOMPARE(readNow(store, kKey).status, TokenStore::Status::NotFound);
    QCOMPARE(readNow(store, other).secret, QByteArray("two"));
    QCOMPARE(store.keys(), QStringList{other});
}

void TestMemoryTokenStore::answerIsNeverSynchronousAndExactlyOnce()
{
    MemoryTokenStore store;
    auto written = std::make_shared<Answers>();
    auto read = std::make_shared<Answers>();
    auto removed = std::make_shared<Answers>();
    store.write(kKey, "secret", this, recordInto(written));
    store.read(kKey, this, recordInto(read));
    store.remove(kKey, this, recordInto(removed));
    QCOMPARE(written->count, 0);
    QCOMPARE(read->count, 0);
    QCOMPARE(removed->count, 0);

    QTRY_COMPARE(removed->count, 1);
    // Let any stray second answer arrive before counting.
    QCoreApplication::processEvents();
    QCOMPARE(written->count, 1);
    QCOMPARE(read->count, 1);
    QCOMPARE(removed->count, 1);
    QCOMPARE(read->last.secret, QByteArray("secret"));
}

void TestMemoryTokenStore::answersArriveInCallOrder()
{
    MemoryTokenStore store;
    QStringList order;
    const auto note = [&order](const char* what) {
        return [&order, what](const TokenStore::Result& result) {
            order << QStringLiteral("%1:%2:%3")
                         .arg(QLatin1String(what))
                         .arg(static_cast<int>(result.status))
                         .arg(QString::fromLatin1(result.secret));
        };
    };
    store.write(kKey, "a", this, note("write"));
    store.write(kKey, "b", this, note("write"));
    store.read(kKey, this, note("read"));
    store.remove(kKey, this, note("remove"));
    store.read(kKey, this, note("read"));
    QTRY_COMPARE(order.size(), 5);
    QCOMPARE(order, QStringList({QStringLiteral("write:0:"), QStringLiteral("write:0:"), QStringLiteral("read:0:b"),
                                 QStringLiteral("remove:0:"), QStringLiteral("read:1:")}));
}

void TestMemoryTokenStore::destroyedContextGetsNoAnswer()
{
    MemoryTokenStore store;
    auto answers = std::make_shared<Answers>();
    auto context = std::make_unique<QObject>();
    store.write(kKey, "secret", context.get(), recordInto(answers));
    context.reset();

    // An operation issued later has answered, so the first one's answer would have arrived by now.
    auto later = std::make_shared<Answers>();
    store.read(kKey, this, recordInto(later));
    QTRY_COMPARE(later->count, 1);
    QCOMPARE(answers->count, 0);
    // The write itself still happened.
    QCOMPARE(later->last.secret, QByteArray("secret"));
}

void TestMemoryTokenStore::nullContextStillAnswers()
{
    MemoryTokenStore store;
    auto answers = std::make_shared<Answers>();
    store.write(kKey, "secret", nullptr, recordInto(answers));
    QCOMPARE(answers->count, 0);
    QTRY_COMPARE(answers->count, 1);
    QCOMPARE(answers->last.status, TokenStore::Status::Ok);
}

void TestMemoryTokenStore::failureChangesNothing()
{
    MemoryTokenStore store;
    store.write(kKey, "kept", this, {});
    store.setFailure(TokenStore::Status::Unavailable, QStringLiteral("no keychain here"));

    auto written = std::make_shared<Answers>();
    store.write(kKey, "lost", this, recordInto(written));
    auto removed = std::make_shared<Answers>();
    store.remove(kKey, this, recordInto(removed));
    QCOMPARE(written->count, 0);
    QTRY_COMPARE(removed->count, 1);
    QCOMPARE(written->last.status, TokenStore::Status::Unavailable);
    QCOMPARE(written->last.errorText, QStringLiteral("no keychain here"));
    QCOMPARE(removed->last.status, TokenStore::Status::Unavailable);
    QCOMPARE(readNow(store, kKey).status, TokenStore::Status::Unavailable);

    store.setFailure(TokenStore::Status::Ok);
    const TokenStore::Result read = readNow(store, kKey);
    QCOMPARE(read.status, TokenStore::Status::Ok);
    QCOMPARE(read.secret, QByteArray("kept"));
}

QTEST_GUILESS_MAIN(TestMemoryTokenStore)
#include "TestMemoryTokenStore.moc"
