#include "ConnectionSettings.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("ConnectionSettings", text);
}

QUrl withoutTrailingSlash(QUrl url)
{
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/'))) {
        path.chop(1);
    }
    url.setPath(path);
    return url;
}

bool isGuid(const QString& text)
{
    static const QRegularExpression guid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return guid.match(text).hasMatch();
}

bool isDomainName(const QString& text)
{
    static const QRegularExpression domain(
        QStringLiteral("^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"));
    return domain.match(text).hasMatch();
}

QString endpointError(const QUrl& url, const QString& what)
{
    if (url.isEmpty()) {
        return tr("The Custom cloud needs %1.").arg(what);
    }
    if (!url.isValid() || url.isRelative() || url.host().isEmpty()) {
        return tr("%1 is not a valid URL: %2").arg(what, url.toDisplayString());
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http")) {
        return tr("%1 must be an https:// URL: %2").arg(what, url.toDisplayString());
    }
    if (!Endpoints::isSecureOrLoopback(url)) {
        return tr("%1 must use HTTPS (plain HTTP is allowed for localhost only): %2").arg(what, url.toDisplayString());
    }
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty()) {
        return tr("%1 must not carry a query, a fragment or credentials: %2").arg(what, url.toDisplayString());
    }
    return {};
}
} // namespace

QUrl ConnectionSettings::authorityHost() const
{
    return withoutTrailingSlash(cloud == Cloud::Custom ? customAuthority : Clouds::authorityHost(cloud));
}

QUrl ConnectionSettings::authorityUrl() const
{
    QUrl url = authorityHost();
    url.setPath(url.path() + QLatin1Char('/') + tenant);
    return url;
}

QUrl ConnectionSettings::graphEndpoint() const
{
    return withoutTrailingSlash(cloud == Cloud::Custom ? customGraph : Clouds::graphEndpoint(cloud));
}

QString ConnectionSettings::validationError() const
{
    if (cloud == Cloud::Custom) {
        if (QString error = endpointError(customAuthority, tr("the authority URL")); !error.isEmpty()) {
            return error;
        }
        if (QString error = endpointError(customGraph, tr("the Graph URL")); !error.isEmpty()) {
            return error;
        }
    }
    if (tenant.isEmpty()) {
        return tr("No tenant is set. Give the tenant id or a verified domain of your organization.");
    }
    if (tenant.compare(QLatin1String("consumers"), Qt::CaseInsensitive) == 0 ||
        tenant.compare(QLatin1String("common"), Qt::CaseInsensitive) == 0) {
        return tr("The tenant \"%1\" would admit personal Microsoft accounts, which cannot revoke other users' "
                  "sessions. Give your tenant id, a verified domain, or \"organizations\".")
            .arg(tenant);
    }
    if (tenant != QLatin1String("organizations") && !isGuid(tenant) && !isDomainName(tenant)) {
        return tr("\"%1\" is neither a tenant id (a GUID), a domain name, nor \"organizations\".").arg(tenant);
    }
    if (clientId.isEmpty()) {
        return tr("No client id is set. Register Session Revoker in your tenant and give its Application (client) "
                  "id.");
    }
    if (!isGuid(clientId)) {
        return tr("The client id \"%1\" is not a GUID. It is the Application (client) id of the app registration.")
            .arg(clientId);
    }
    if (!caFile.isEmpty()) {
        const QFileInfo info(caFile);
        if (!info.isFile() || !info.isReadable()) {
            return tr("The CA file %1 does not exist or cannot be read.").arg(caFile);
        }
    }
    return {};
}

QString ConnectionSettings::summary() const
{
    return tr("%1 · tenant %2").arg(Clouds::displayName(cloud), tenant);
}

namespace Endpoints {
bool isLoopback(const QUrl& url)
{
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool isSecureOrLoopback(const QUrl& url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == QLatin1String("https") || (scheme == QLatin1String("http") && isLoopback(url));
}
} // namespace Endpoints
