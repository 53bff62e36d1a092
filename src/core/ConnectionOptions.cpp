#include "ConnectionOptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

namespace {
const QString kCloud = QStringLiteral("cloud");
const QString kAuthority = QStringLiteral("authority");
const QString kGraph = QStringLiteral("graph");
const QString kTenant = QStringLiteral("tenant");
const QString kClientId = QStringLiteral("client-id");
const QString kCaFile = QStringLiteral("ca-file");

QString tr(const char* text)
{
    return QCoreApplication::translate("ConnectionOptions", text);
}

// A URL given on the command line: only absolute http(s) URLs, nothing QUrl would guess.
QUrl parseUrlOption(const QString& text)
{
    return QUrl(text.trimmed(), QUrl::StrictMode);
}
} // namespace

void ConnectionOptions::addTo(QCommandLineParser& parser)
{
    parser.addOptions({
        {kCloud, tr("Microsoft cloud: %1.").arg(Clouds::ids().join(QStringLiteral(", "))), tr("cloud")},
        {kAuthority,
         tr("Authority host for the custom cloud, e.g. https://login.example.test (the tenant is appended)."),
         tr("url")},
        {kGraph, tr("Microsoft Graph endpoint for the custom cloud, e.g. https://graph.example.test."), tr("url")},
        {kTenant, tr("Tenant id, verified domain, or \"organizations\"."), tr("tenant")},
        {kClientId, tr("Application (client) id of the Session Revoker app registration."), tr("id")},
        {kCaFile, tr("Extra trusted CA certificates (PEM file), e.g. for TLS inspection."), tr("pem")},
    });
}

bool ConnectionOptions::anySet(const QCommandLineParser& parser)
{
    for (const QString& name : {kCloud, kAuthority, kGraph, kTenant, kClientId, kCaFile}) {
        if (parser.isSet(name)) {
            return true;
        }
    }
    return false;
}

QString ConnectionOptions::applyTo(const QCommandLineParser& parser, ConnectionSettings& settings)
{
    const bool customUrlsGiven = parser.isSet(kAuthority) || parser.isSet(kGraph);
    if (parser.isSet(kCloud)) {
        const QString name = parser.value(kCloud);
        const std::optional<Cloud> cloud = Clouds::fromId(name);
        if (!cloud) {
            return tr("Unknown cloud \"%1\". Use one of: %2.").arg(name, Clouds::ids().join(QStringLiteral(", ")));
        }
        if (customUrlsGiven && *cloud != Cloud::Custom) {
            return tr("--authority and --graph are for --cloud custom; the %1 cloud has fixed endpoints.")
                .arg(Clouds::displayName(*cloud));
        }
        settings.cloud = *cloud;
    } else if (customUrlsGiven) {
        settings.cloud = Cloud::Custom;
    }
    if (parser.isSet(kAuthority)) {
        settings.customAuthority = parseUrlOption(parser.value(kAuthority));
    }
    if (parser.isSet(kGraph)) {
        settings.customGraph = parseUrlOption(parser.value(kGraph));
    }
    if (parser.isSet(kTenant)) {
        settings.tenant = parser.value(kTenant).trimmed();
    }
    if (parser.isSet(kClientId)) {
        settings.clientId = parser.value(kClientId).trimmed();
    }
    if (parser.isSet(kCaFile)) {
        const QString path = parser.value(kCaFile);
        settings.caFile = path.isEmpty() ? QString() : QDir::current().absoluteFilePath(path);
    }
    return {};
}
