#pragma once

#include "AuthError.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QUrl>

class QHostAddress;
class QTcpServer;
class QTcpSocket;
class QTimer;

// The loopback redirect listener of a desktop sign-in (RFC 8252). Written on QTcpServer rather than QtNetworkAuth
// because Qt 6.4's reply handler can listen on every interface, double-encodes the code and hangs on errors.
// Binds 127.0.0.1 on a free port, answers the browser with a small page, accepts exactly one valid callback on
// the redirect path, and then stops listening.
class LoopbackReceiver : public QObject
{
    Q_OBJECT

public:
    struct Result
    {
        QByteArray code; // a secret: hand it to the token request and forget it
        AuthError error;
    };

    explicit LoopbackReceiver(QObject* parent = nullptr);
    ~LoopbackReceiver() override;

    // Starts listening. Returns false (with `error` set) when no loopback port could be opened.
    bool listen(AuthError* error);
    // http://127.0.0.1:<port>: what the authorize request names as redirect_uri.
    QUrl redirectUri() const;
    void setExpectedState(const QByteArray& state) { m_expectedState = state; }
    // Stops listening without a result (cancel, timeout).
    void close();
    bool isListening() const;
    QHostAddress listenAddress() const;

Q_SIGNALS:
    void finished(const LoopbackReceiver::Result& result);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);
    void handleRequest(QTcpSocket* socket, const QByteArray& head);
    void respond(QTcpSocket* socket, int status, const QString& title, const QString& text);
    void finish(const Result& result);

    QTcpServer* m_server;
    QByteArray m_expectedState;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    bool m_finished = false;
};
