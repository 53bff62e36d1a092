#include "TokenJob.h"

#include "AuthorizationRequest.h"
#include "Logging.h"
#include "NetworkContext.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUuid>

TokenJob::TokenJob(const NetworkContext& network, const QUrl& tokenEndpoint, Form form, const QDateTime& now,
                   QObject* parent)
    : QObject(parent), m_network(network), m_endpoint(tokenEndpoint), m_form(std::move(form)), m_sentAt(now)
{
}

void TokenJob::start()
{
    QNetworkRequest request = m_network.request(m_endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("client-request-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
    request.setRawHeader("return-client-request-id", "true");
    m_reply = m_network.manager()->post(request, formEncode(m_form));
    // The form holds a code or a refresh token: drop our copy as soon as it is handed over.
    m_form.clear();
    connect(m_reply, &QNetworkReply::finished, this, &TokenJob::onFinished);
}

void TokenJob::abort()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    deleteLater();
}

void TokenJob::onFinished()
{
    QNetworkReply* reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    deleteLater();

    TokenResult result;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
        result.response = TokenResponse::parse(body, m_sentAt, &result.error);
    } else {
        result.error = AuthError::fromTokenReply(reply, body);
    }
    if (result.error.isError()) {
        qCWarning(lcAuth) << "token request failed:" << result.error.logText();
    }
    Q_EMIT finished(result);
}
