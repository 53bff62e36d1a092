#include "Cloud.h"

#include <QCoreApplication>
#include <QStringList>

#include <array>

namespace {
struct CloudEntry
{
    Cloud cloud;
    const char* id;
    const char* displayName;
    const char* authority;
    const char* graph;
};

// Endpoints from Microsoft's national cloud deployment tables.
constexpr std::array kClouds{
    CloudEntry{Cloud::Global, "global", QT_TRANSLATE_NOOP("Clouds", "Global"), "https://login.microsoftonline.com",
               "https://graph.microsoft.com"},
    CloudEntry{Cloud::UsGov, "usgov", QT_TRANSLATE_NOOP("Clouds", "US Government L4"),
               "https://login.microsoftonline.us", "https://graph.microsoft.us"},
    CloudEntry{Cloud::UsGovDod, "usgovdod", QT_TRANSLATE_NOOP("Clouds", "US Government L5 (DoD)"),
               "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
    CloudEntry{Cloud::China, "china", QT_TRANSLATE_NOOP("Clouds", "China (21Vianet)"),
               "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn"},
    CloudEntry{Cloud::Custom, "custom", QT_TRANSLATE_NOOP("Clouds", "Custom cloud"), "", ""},
};

const CloudEntry& entry(Cloud cloud)
{
    for (const auto& e : kClouds) {
        if (e.cloud == cloud) {
            return e;
        }
    }
    return kClouds.front();
}
} // namespace

namespace Clouds {
QString id(Cloud cloud)
{
    return QString::fromLatin1(entry(cloud).id);
}

std::optional<Cloud> fromId(QStringView id)
{
    for (const auto& e : kClouds) {
        if (id.compare(QLatin1String(e.id), Qt::CaseInsensitive) == 0) {
            return e.cloud;
        }
    }
    return std::nullopt;
}

QString displayName(Cloud cloud)
{
    return QCoreApplication::translate("Clouds", entry(cloud).displayName);
}

QStringList ids()
{
    QStringList result;
    for (const auto& e : kClouds) {
        result.append(QString::fromLatin1(e.id));
    }
    return result;
}

QUrl authorityHost(Cloud cloud)
{
    return QUrl(QString::fromLatin1(entry(cloud).authority));
}

QUrl graphEndpoint(Cloud cloud)
{
    return QUrl(QString::fromLatin1(entry(cloud).graph));
}
} // namespace Clouds
