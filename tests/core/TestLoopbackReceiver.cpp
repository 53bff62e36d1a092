#include "LoopbackReceiver.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

Q_DECLARE_METATYPE(LoopbackReceiver::Result)

namespace {
// Sends raw bytes to the listener like a browser (or an attacker) would and returns the whole answer. Runs an event
// loop while waiting, so the listener in this same thread can answer.
QByteArray exchange(quint16 port, const QByteArray& request, const QHostAddress& host = QHostAddress::LocalHost)
{
    QTcpSocket socket;
    QByteArray answer;
    bool connected = false;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::connected, &loop, [&] {
        connected = true;
        socket.write(request);
    });
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] { answer += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, [&] {
        if (!connected) {
            loop.quit();
        }
    });
    QTimer::singleShot(3000, &loop, &QEventLoop::quit);
    socket.connectToHost(host, port);
    loop.exec();
    if (!connected) {
        return "NO CONNECTION";
    }
    return answer + socket.readAll();
}

QByteArray get(const QByteArray& target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n";
}
} // namespace

class TestLoopbackReceiver : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<LoopbackReceiver::Result>(); }
    void bindsLoopbackOnly();
    void acceptsOneValidCallback();
    void faviconDoesNotEndTheFlow();
    void wrongStateIsRejected();
    void accessDeniedIsReported();
    void garbageEndsTheFlowCleanly_data();
    void garbageEndsTheFlowCleanly();
    void idleConnectionsDoNotEndTheFlow();
    void closeStopsListening();

private:
    struct Fixture
    {
        LoopbackReceiver receiver;
        QSignalSpy spy{&receiver, &LoopbackReceiver::finished};
        quint16 port = 0;
    };
    static void start(Fixture& f)
    {
        AuthError error;
        QVERIFY(f.receiver.listen(&error));
        f.receiver.setExpectedState("good-state");
        f.port = static_cast<quint16>(f.receiver.redirectUri().port());
        QVERIFY(f.port > 0);
    }
    static LoopbackReceiver::Result result(const Fixture& f)
    {
        return f.spy.at(0).at(0).value<LoopbackReceiver::Result>();
    }
};

void TestLoopbackReceiver::bindsLoopbackOnly()
{
    Fixture f;
    start(f);
    QCOMPARE(f.receiver.listenAddress(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(f.receiver.redirectUri().host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(f.receiver.redirectUri().scheme(), QStringLiteral("http"));
    // Another machine could reach us only through a non-loopback address: it must not connect.
    const auto addresses = QNetworkInterface::allAddresses();
    for (const QHostAddress& address : addresses) {
        if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol) {
            QCOMPARE(exchange(f.port, get("/?code=x&state=good-state"), address), QByteArray("NO CONNECTION"));
        }
    }
    QCOMPARE(f.spy.count(), 0);
}

void TestLoopbackReceiver::acceptsOneValidCallback()
{
    Fixture f;
    start(f);
    const QByteArray answer = exchange(f.port, get("/?code=0.AX%2Bab%2Fcd-_.x&state=good-state&session_state=s"));
    QVERIFY2(answer.startsWith("HTTP/1.1 200 OK"), answer.constData());
    QVERIFY(answer.contains("You can close this tab"));
    QTRY_COMPARE(f.spy.count(), 1);
    const LoopbackReceiver::Result r = result(f);
    QVERIFY(!r.error.isError());
    QCOMPARE(r.code, QByteArray("0.AX+ab/cd-_.x")); // decoded exactly once
    QVERIFY(!f.receiver.isListening());
    QCOMPARE(exchange(f.port, get("/?code=again&state=good-state")), QByteArray("NO CONNECTION"));
    QCOMPARE(f.spy.count(), 1);
}

void TestLoopbackReceiver::faviconDoesNotEndTheFlow()
{
    Fixture f;
    start(f);
    QVERIFY(exchange(f.port, get("/favicon.ico")).startsWith("HTTP/1.1 404"));
    QCOMPARE(f.spy.count(), 0);
    QVERIFY(f.receiver.isListening());
    QVERIFY(exchange(f.port, get("/?code=abc&state=good-state")).startsWith("HTTP/1.1 200"));
    QTRY_COMPARE(f.spy.count(), 1);
    QCOMPARE(result(f).code, QByteArray("abc"));
}

void TestLoopbackReceiver::wrongStateIsRejected()
{
    Fixture f;
    start(f);
    const QByteArray answer = exchange(f.port, get("/?code=stolen&state=forged"));
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
    QTRY_COMPARE(f.spy.count(), 1);
    const LoopbackReceiver::Result r = result(f);
    QCOMPARE(r.error.kind, AuthError::Kind::Callback);
    QVERIFY(r.code.isEmpty());
    QVERIFY(r.error.message.contains(QStringLiteral("state")));
    QVERIFY(!f.receiver.isListening());
}

void TestLoopbackReceiver::accessDeniedIsReported()
{
    Fixture f;
    start(f);
    const QByteArray answer = exchange(
        f.port,
        get("/?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state=good-state"));
    QVERIFY(answer.startsWith("HTTP/1.1 200"));
    QTRY_COMPARE(f.spy.count(), 1);
    const LoopbackReceiver::Result r = result(f);
    QCOMPARE(r.error.kind, AuthError::Kind::AccessDenied);
    QCOMPARE(r.error.errorCodes, QList<int>{65004});
}

void TestLoopbackReceiver::garbageEndsTheFlowCleanly_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15);
    QTest::newRow("post") << QByteArray("POST /?code=x&state=good-state HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("no version") << QByteArray("GET /?code=x&state=good-state\r\n\r\n");
    QTest::newRow("no result") << get("/?state=good-state");
    QTest::newRow("huge") << QByteArray(20000, 'A');
}

void TestLoopbackReceiver::garbageEndsTheFlowCleanly()
{
    QFETCH(QByteArray, request);
    Fixture f;
    start(f);
    const QByteArray answer = exchange(f.port, request);
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.left(80).constData());
    QTRY_COMPARE(f.spy.count(), 1);
    QCOMPARE(result(f).error.kind, AuthError::Kind::Callback);
    QVERIFY(result(f).code.isEmpty());
}

void TestLoopbackReceiver::idleConnectionsDoNotEndTheFlow()
{
    Fixture f;
    start(f);
    QTcpSocket idle;
    idle.connectToHost(QHostAddress::LocalHost, f.port);
    QVERIFY(idle.waitForConnected(3000));
    idle.write("GET /?code=half");
    QTest::qWait(50);
    QCOMPARE(f.spy.count(), 0);
    QVERIFY(exchange(f.port, get("/?code=real&state=good-state")).startsWith("HTTP/1.1 200"));
    QTRY_COMPARE(f.spy.count(), 1);
    QCOMPARE(result(f).code, QByteArray("real"));
}

void TestLoopbackReceiver::closeStopsListening()
{
    Fixture f;
    start(f);
    f.receiver.close();
    QVERIFY(!f.receiver.isListening());
    QCOMPARE(exchange(f.port, get("/?code=x&state=good-state")), QByteArray("NO CONNECTION"));
    QCOMPARE(f.spy.count(), 0);
}

QTEST_GUILESS_MAIN(TestLoopbackReceiver)
#include "TestLoopbackReceiver.moc"
