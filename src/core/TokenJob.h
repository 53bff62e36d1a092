#pragma once

#include "TokenResponse.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPair>
#include <QUrl>

class NetworkContext;
class QNetworkReply;

struct TokenResult
{
    TokenResponse response;
    AuthError error;
};

// One POST to the token endpoint (authorization_code or refresh_token grant, public client: no secret).
// Emits finished() exactly once and then deletes itself.
class TokenJob : public QObject
{
    Q_OBJECT

public:
    using Form = QList<QPair<QString, QString>>;
    TokenJob(const NetworkContext& network, const QUrl& tokenEndpoint, Form form, const QDateTime& now,
             QObject* parent);
    void start();
    void abort();

Q_SIGNALS:
    void finished(const TokenResult& result);

private:
    void onFinished();

    const NetworkContext& m_network;
    QUrl m_endpoint;
    Form m_form;
    QDateTime m_sentAt;
    QNetworkReply* m_reply = nullptr;
};
