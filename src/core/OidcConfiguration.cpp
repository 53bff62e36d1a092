#include "OidcConfiguration.h"

#include "ConnectionSettings.h"
#include "Logging.h"
#include "NetworkContext.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("OidcConfiguration", text);
}
} // namespace

QUrl OidcConfiguration::discoveryUrl(const QUrl& authorityUrl)
{
    QUrl url = authorityUrl;
    url.setPath(url.path() + QStringLiteral("/v2.0/.well-known/openid-configuration"));
    return url;
}

OidcConfiguration OidcConfiguration::parse(const QByteArray& body, AuthError* error)
{
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    if (json.isEmpty()) {
        *error = AuthError::make(AuthError::Kind::Configuration,
                                 tr("The authority's OpenID configuration is not a JSON document."));
        return {};
    }
    OidcConfiguration config;
    config.authorizationEndpoint = QUrl(json.value(QLatin1String("authorization_endpoint")).toString());
    config.tokenEndpoint = QUrl(json.value(QLatin1String("token_endpoint")).toString());
    config.endSessionEndpoint = QUrl(json.value(QLatin1String("end_session_endpoint")).toString());
    config.issuer = json.value(QLatin1String("issuer")).toString();
    config.msgraphHost = json.value(QLatin1String("msgraph_host")).toString();
    for (const QUrl& endpoint : {config.authorizationEndpoint, config.tokenEndpoint}) {
        if (!endpoint.isValid() || endpoint.isRelative()) {
            *error = AuthError::make(AuthError::Kind::Configuration,
                                     tr("The authority's OpenID configuration lacks the authorization or token "
                                        "endpoint."));
            return {};
        }
        if (!Endpoints::isSecureOrLoopback(endpoint)) {
            *error = AuthError::make(AuthError::Kind::Configuration,
                                     tr("The authority names an endpoint without HTTPS (%1); Session Revoker only "
                                        "sends credentials over HTTPS.")
                                         .arg(endpoint.toDisplayString()));
            return {};
        }
    }
    *error = {};
    return config;
}

DiscoveryJob::DiscoveryJob(const NetworkContext& network, const QUrl& authorityUrl, QObject* parent)
    : QObject(parent), m_network(network), m_url(OidcConfiguration::discoveryUrl(authorityUrl))
{
}

void DiscoveryJob::start()
{
    qCDebug(lcAuth) << "discovery" << m_url.toDisplayString();
    m_reply = m_network.manager()->get(m_network.request(m_url));
    connect(m_reply, &QNetworkReply::finished, this, &DiscoveryJob::onFinished);
}

void DiscoveryJob::abort()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    deleteLater();
}

void DiscoveryJob::onFinished()
{
    QNetworkReply* reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    deleteLater();

    DiscoveryResult result;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (AuthError transport = AuthError::fromTransport(reply); transport.isError()) {
        result.error = transport;
        result.error.message =
            tr("Could not read the sign-in configuration of %1: %2").arg(m_url.host(), transport.message);
    } else if (status != 200) {
        result.error = AuthError::fromTokenReply(reply, reply->readAll());
        result.error.kind = AuthError::Kind::Configuration;
        result.error.message = tr("The authority %1 does not know this tenant or is not a Microsoft Entra authority "
                                  "(HTTP %2). Check the cloud, authority and tenant in Settings.")
                                   .arg(m_url.host())
                                   .arg(status);
    } else {
        result.configuration = OidcConfiguration::parse(reply->readAll(), &result.error);
    }
    if (result.error.isError()) {
        qCWarning(lcAuth) << "discovery failed:" << result.error.logText();
    }
    Q_EMIT finished(result);
}
