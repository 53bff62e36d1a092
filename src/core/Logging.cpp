#include "Logging.h"

Q_LOGGING_CATEGORY(lcSettings, "sr.settings", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "sr.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGraph, "sr.graph", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "sr.audit", QtInfoMsg)
