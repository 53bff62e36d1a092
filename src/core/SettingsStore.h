#pragma once

#include "ConnectionSettings.h"

#include <QString>

#include <optional>

class QSettings;
enum class RevokeApi; // GraphClient.h

// Reads and writes the operator's connection settings with QSettings. Never holds a secret: tokens live in the
// OS keychain (TokenStore), not here.
class SettingsStore
{
public:
    // Uses the application's default QSettings location (organization and application names).
    SettingsStore();
    // Uses an explicit settings file (tests, portable setups).
    explicit SettingsStore(const QString& iniFile);
    ~SettingsStore();
    SettingsStore(const SettingsStore&) = delete;
    SettingsStore& operator=(const SettingsStore&) = delete;

    // std::nullopt until the operator has configured a connection once (first run).
    std::optional<ConnectionSettings> loadConnection() const;
    void saveConnection(const ConnectionSettings& settings);

    // Which account signs in silently at start-up, per cloud/tenant/client (an account id, not a secret).
    QString signedInAccount(const QString& connectionKey) const;
    void setSignedInAccount(const QString& connectionKey, const QString& homeAccountId);

    // Which Graph call revokes sessions (Settings: "Revoke with"); revokeSignInSessions (v1.0) unless chosen.
    RevokeApi revokeApi() const;
    void setRevokeApi(RevokeApi api);

    QString fileName() const;

private:
    std::unique_ptr<QSettings> m_settings;
};
