#pragma once

#include <QString>
#include <QStringView>
#include <QUrl>

#include <optional>

// The Microsoft clouds an operator can sign in to, and where their identity and Graph endpoints live.
enum class Cloud
{
    Global,
    UsGov,    // US Government L4 (GCC High)
    UsGovDod, // US Government L5 (DoD)
    China,    // operated by 21Vianet
    Custom,   // explicit authority and Graph URLs (our tenant simulator, sovereign test rings)
};

namespace Clouds {
// Name used on the command line and in the settings file: global, usgov, usgovdod, china, custom.
QString id(Cloud cloud);
std::optional<Cloud> fromId(QStringView id);
QString displayName(Cloud cloud);
QStringList ids();
// Well-known endpoints; empty URLs for Custom, whose endpoints the operator provides.
QUrl authorityHost(Cloud cloud);
QUrl graphEndpoint(Cloud cloud);
} // namespace Clouds
