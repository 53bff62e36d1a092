#pragma once

#include <QLoggingCategory>

// One category per area, so an administrator can enable e.g. QT_LOGGING_RULES="sr.graph.debug=true".
// Log lines never carry a token, an authorization code or a URL that holds one.
Q_DECLARE_LOGGING_CATEGORY(lcSettings)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcGraph)
Q_DECLARE_LOGGING_CATEGORY(lcAudit)
