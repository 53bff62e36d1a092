#include "SettingsStore.h"

#include "GraphClient.h"

#include <QSettings>

namespace {
const QString kCloud = QStringLiteral("connection/cloud");
const QString kAuthority = QStringLiteral("connection/authority");
const QString kGraph = QStringLiteral("connection/graph");
const QString kTenant = QStringLiteral("connection/tenant");
const QString kClientId = QStringLiteral("connection/clientId");
const QString kCaFile = QStringLiteral("connection/caFile");
const QString kRevokeApi = QStringLiteral("revoke/api");
const QString kInvalidateAllRefreshTokens = QStringLiteral("invalidateAllRefreshTokens");
const QString kRevokeSignInSessions = QStringLiteral("revokeSignInSessions");
} // namespace

SettingsStore::SettingsStore() : m_settings(std::make_unique<QSettings>()) {}

SettingsStore::SettingsStore(const QString& iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

SettingsStore::~SettingsStore() = default;

std::optional<ConnectionSettings> SettingsStore::loadConnection() const
{
    if (!m_settings->contains(kCloud)) {
        return std::nullopt;
    }
    ConnectionSettings settings;
    // An unknown cloud name (a newer version wrote it, or a hand edit) falls back to Global rather than failing.
    settings.cloud = Clouds::fromId(m_settings->value(kCloud).toString()).value_or(Cloud::Global);
    settings.customAuthority = QUrl(m_settings->value(kAuthority).toString());
    settings.customGraph = QUrl(m_settings->value(kGraph).toString());
    settings.tenant = m_settings->value(kTenant, settings.tenant).toString();
    settings.clientId = m_settings->value(kClientId).toString();
    settings.caFile = m_settings->value(kCaFile).toString();
    return settings;
}

void SettingsStore::saveConnection(const ConnectionSettings& settings)
{
    m_settings->setValue(kCloud, Clouds::id(settings.cloud));
    if (settings.cloud == Cloud::Custom) {
        m_settings->setValue(kAuthority, settings.customAuthority.toString());
        m_settings->setValue(kGraph, settings.customGraph.toString());
    } else {
        m_settings->remove(kAuthority);
        m_settings->remove(kGraph);
    }
    m_settings->setValue(kTenant, settings.tenant);
    m_settings->setValue(kClientId, settings.clientId);
    m_settings->setValue(kCaFile, settings.caFile);
    m_settings->sync();
}

namespace {
QString accountKey(const QString& connectionKey)
{
    // QSettings treats '/' and '\\' as group separators: keep the key one level deep.
    QString key = connectionKey;
    key.replace(QLatin1Char('/'), QLatin1Char('|')).replace(QLatin1Char('\\'), QLatin1Char('|'));
    return QStringLiteral("signedInAccounts/") + key;
}
} // namespace

QString SettingsStore::signedInAccount(const QString& connectionKey) const
{
    return m_settings->value(accountKey(connectionKey)).toString();
}

void SettingsStore::setSignedInAccount(const QString& connectionKey, const QString& homeAccountId)
{
    if (homeAccountId.isEmpty()) {
        m_settings->remove(accountKey(connectionKey));
    } else {
        m_settings->setValue(accountKey(connectionKey), homeAccountId);
    }
    m_settings->sync();
}

RevokeApi SettingsStore::revokeApi() const
{
    // Anything but the beta call's name (unset, a hand edit) means the GA call.
    return m_settings->value(kRevokeApi).toString() == kInvalidateAllRefreshTokens
               ? RevokeApi::InvalidateAllRefreshTokens
               : RevokeApi::RevokeSignInSessions;
}

void SettingsStore::setRevokeApi(RevokeApi api)
{
    m_settings->setValue(kRevokeApi, api == RevokeApi::InvalidateAllRefreshTokens ? kInvalidateAllRefreshTokens
                                                                                  : kRevokeSignInSessions);
    m_settings->sync();
}

QString SettingsStore::fileName() const
{
    return m_settings->fileName();
}
