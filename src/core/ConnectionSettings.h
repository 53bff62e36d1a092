#pragma once

#include "Cloud.h"

#include <QString>
#include <QUrl>

// Where the operator signs in: cloud, tenant, app registration, and an optional extra CA file.
// A value type; nothing secret lives here, so it may be stored with QSettings.
struct ConnectionSettings
{
    Cloud cloud = Cloud::Global;
    QUrl customAuthority; // Custom cloud only: e.g. http://127.0.0.1:PORT (the tenant is appended)
    QUrl customGraph;     // Custom cloud only: e.g. http://127.0.0.1:PORT
    QString tenant = QStringLiteral("organizations");
    QString clientId;
    QString caFile; // extra trusted CA certificates (PEM), e.g. enterprise TLS inspection

    // The authority host of the cloud (or the custom one), without a trailing slash.
    QUrl authorityHost() const;
    // The authority including the tenant: {host}/{tenant}.
    QUrl authorityUrl() const;
    // The Graph endpoint of the cloud (or the custom one), without a trailing slash.
    QUrl graphEndpoint() const;

    // An operator-readable reason why these settings cannot be used, or an empty string.
    QString validationError() const;
    // One line for the status bar: "Custom cloud · tenant contoso.test".
    QString summary() const;

    friend bool operator==(const ConnectionSettings&, const ConnectionSettings&) = default;
};

namespace Endpoints {
// localhost, 127.0.0.0/8 and ::1: the only hosts where plain HTTP is allowed.
bool isLoopback(const QUrl& url);
// A URL we are willing to send tokens to: HTTPS, or HTTP on a loopback host.
bool isSecureOrLoopback(const QUrl& url);
} // namespace Endpoints
