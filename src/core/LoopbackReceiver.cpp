#include "LoopbackReceiver.h"

#include "Logging.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

namespace {
constexpr qsizetype kMaxRequestHead = 16 * 1024;
constexpr int kIdleConnectionMs = 10000;

QList<int> aadstsCodes(const QString& description)
{
    static const QRegularExpression code(QStringLiteral("AADSTS(\\d+)"));
    QList<int> codes;
    auto it = code.globalMatch(description);
    while (it.hasNext()) {
        codes.append(it.next().captured(1).toInt());
    }
    return codes;
}
} // namespace

LoopbackReceiver::LoopbackReceiver(QObject* parent) : QObject(parent), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &LoopbackReceiver::onNewConnection);
}

LoopbackReceiver::~LoopbackReceiver() = default;

bool LoopbackReceiver::listen(AuthError* error)
{
    // QHostAddress(LocalHost) explicitly: the (port) overload trap would listen on every interface.
    if (!m_server->listen(QHostAddress(QHostAddress::LocalHost), 0)) {
        *error = AuthError::make(
            AuthError::Kind::Network,
            tr("Could not open a local port for the browser to return to: %1").arg(m_server->errorString()));
        return false;
    }
    qCDebug(lcAuth) << "loopback listener on port" << m_server->serverPort();
    return true;
}

QUrl LoopbackReceiver::redirectUri() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server->serverPort());
    return url;
}

bool LoopbackReceiver::isListening() const
{
    return m_server->isListening();
}

QHostAddress LoopbackReceiver::listenAddress() const
{
    return m_server->serverAddress();
}

void LoopbackReceiver::close()
{
    m_finished = true;
    m_server->close();
    // abort() emits disconnected(), which edits m_buffers: take the sockets out first.
    const QList<QTcpSocket*> sockets = m_buffers.keys();
    m_buffers.clear();
    for (QTcpSocket* socket : sockets) {
        socket->abort();
    }
}

void LoopbackReceiver::onNewConnection()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        if (m_finished) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
        // Browsers open speculative connections that never send a request: drop them quietly.
        QTimer::singleShot(kIdleConnectionMs, socket, [socket] { socket->abort(); });
    }
}

void LoopbackReceiver::onReadyRead(QTcpSocket* socket)
{
    if (!m_buffers.contains(socket)) {
        return;
    }
    QByteArray& buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > kMaxRequestHead) {
            const QByteArray head = buffer;
            m_buffers.remove(socket);
            handleRequest(socket, head.left(kMaxRequestHead));
        }
        return;
    }
    const QByteArray head = buffer.left(end);
    m_buffers.remove(socket);
    handleRequest(socket, head);
}

void LoopbackReceiver::handleRequest(QTcpSocket* socket, const QByteArray& head)
{
    if (m_finished) {
        socket->abort();
        return;
    }
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    const bool wellFormed = requestLine.size() == 3 && requestLine.at(2).startsWith("HTTP/1.") &&
                            requestLine.at(1).startsWith('/') && head.indexOf("\r\n") > 0;
    if (!wellFormed || requestLine.at(0) != "GET") {
        respond(socket, 400, tr("Sign-in failed"), tr("Session Revoker received an unexpected request."));
        finish({{},
                AuthError::make(AuthError::Kind::Callback,
                                tr("An unexpected request arrived where the browser should have returned. Sign-in "
                                   "was stopped; try again."))});
        return;
    }
    const QUrl target(QString::fromLatin1(requestLine.at(1)), QUrl::StrictMode);
    if (!target.isValid() || (target.path() != QLatin1String("/") && !target.path().isEmpty())) {
        // The browser also asks for /favicon.ico; that is not the callback.
        respond(socket, 404, tr("Not found"), tr("Nothing here."));
        return;
    }
    const QUrlQuery query(target);
    const QByteArray state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toUtf8();
    const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    const QString oauthError = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);

    if (code.isEmpty() && oauthError.isEmpty()) {
        respond(socket, 400, tr("Sign-in failed"), tr("The sign-in answer was incomplete. Return to Session Revoker."));
        finish({{},
                AuthError::make(AuthError::Kind::Callback,
                                tr("The browser returned without a sign-in result. Try again."))});
        return;
    }
    if (m_expectedState.isEmpty() || state != m_expectedState) {
        qCWarning(lcAuth) << "loopback callback with a wrong state rejected";
        respond(socket, 400, tr("Sign-in failed"),
                tr("This sign-in answer does not belong to the sign-in Session Revoker started. Return to Session "
                   "Revoker and try again."));
        finish({{},
                AuthError::make(AuthError::Kind::Callback,
                                tr("The browser returned an answer that does not belong to this sign-in (state "
                                   "mismatch). Nothing was accepted; try again."))});
        return;
    }
    if (!oauthError.isEmpty()) {
        const QString description = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
        AuthError error = AuthError::fromOAuth(oauthError, description, aadstsCodes(description), 0);
        respond(socket, 200, tr("Sign-in did not complete"),
                tr("%1 You can close this tab and return to Session Revoker.").arg(error.message));
        finish({{}, error});
        return;
    }
    respond(socket, 200, tr("Signed in"), tr("You are signed in to Session Revoker. You can close this tab."));
    finish({code.toUtf8(), {}});
}

void LoopbackReceiver::respond(QTcpSocket* socket, int status, const QString& title, const QString& text)
{
    const QByteArray body = QStringLiteral("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                           "<title>%1</title></head><body style=\"font-family:sans-serif;margin:3em\">"
                                           "<h1>%1</h1><p>%2</p></body></html>")
                                .arg(title.toHtmlEscaped(), text.toHtmlEscaped())
                                .toUtf8();
    const QByteArray reason = status == 200 ? "OK" : (status == 404 ? "Not Found" : "Bad Request");
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                          "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                          "Referrer-Policy: no-referrer\r\nConnection: close\r\nContent-Length: " +
                          QByteArray::number(body.size()) + "\r\n\r\n" + body;
    // The answer must reach the browser even if this receiver is deleted right after finishing: the socket
    // leaves the server's ownership and deletes itself once the bytes are out (or after a grace period).
    disconnect(socket, nullptr, this, nullptr);
    m_buffers.remove(socket);
    socket->setParent(nullptr);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(5000, socket, &QObject::deleteLater);
    socket->write(response);
    socket->disconnectFromHost();
}

void LoopbackReceiver::finish(const Result& result)
{
    m_finished = true;
    m_server->close();
    Q_EMIT finished(result);
}
