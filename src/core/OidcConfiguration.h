#pragma once

#include "AuthError.h"

#include <QObject>
#include <QUrl>

class NetworkContext;
class QNetworkReply;

// The endpoints an authority publishes at {authority}/v2.0/.well-known/openid-configuration.
struct OidcConfiguration
{
    QUrl authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl endSessionEndpoint;
    QString issuer;
    QString msgraphHost;

    static QUrl discoveryUrl(const QUrl& authorityUrl);
    // Parses and checks a discovery document: required endpoints present, HTTPS unless loopback.
    static OidcConfiguration parse(const QByteArray& body, AuthError* error);
};

struct DiscoveryResult
{
    OidcConfiguration configuration;
    AuthError error;
};

// One GET of the discovery document; emits finished() once and then deletes itself.
class DiscoveryJob : public QObject
{
    Q_OBJECT

public:
    DiscoveryJob(const NetworkContext& network, const QUrl& authorityUrl, QObject* parent);
    void start();
    void abort();

Q_SIGNALS:
    void finished(const DiscoveryResult& result);

private:
    void onFinished();

    const NetworkContext& m_network;
    QUrl m_url;
    QNetworkReply* m_reply = nullptr;
};
