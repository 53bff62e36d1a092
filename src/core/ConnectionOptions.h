#pragma once

#include "ConnectionSettings.h"

#include <QString>

class QCommandLineParser;

// The connection options the GUI and the CLI share: --cloud, --authority, --graph, --tenant, --client-id,
// --ca-file. They override the stored settings for one run and are never written back.
class ConnectionOptions
{
public:
    static void addTo(QCommandLineParser& parser);
    // True when any connection option was given.
    static bool anySet(const QCommandLineParser& parser);
    // Applies the given options over `settings`. Returns an operator-readable error about the options themselves,
    // or an empty string; whether the result is usable is ConnectionSettings::validationError().
    static QString applyTo(const QCommandLineParser& parser, ConnectionSettings& settings);
};
