#include "TokenStore.h"

#include <QUrl>

namespace {
// A part cannot smuggle in a separator: "a/b" + "c" and "a" + "b/c" stay different keys, and every key has exactly
// four slashes, so no key is the "<key>/<n>" chunk name KeychainTokenStore gives the parts of a large entry.
// GUIDs, domains and account ids pass through unchanged, so the keys stay readable in a keychain viewer.
QString keyPart(const QString& part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}
} // namespace

QString TokenStore::keyFor(const QString& cloud, const QString& tenant, const QString& clientId,
                           const QString& accountId)
{
    // Tenant domains and GUIDs are case-insensitive: one spelling, one entry.
    return QStringLiteral("session-revoker/%1/%2/%3/%4")
        .arg(keyPart(cloud.toLower()), keyPart(tenant.toLower()), keyPart(clientId.toLower()), keyPart(accountId));
}
