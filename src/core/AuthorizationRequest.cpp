#include "AuthorizationRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
QJsonObject mergeObjects(QJsonObject base, const QJsonObject& extra)
{
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        const QJsonValue existing = base.value(it.key());
        if (existing.isObject() && it.value().isObject()) {
            base.insert(it.key(), mergeObjects(existing.toObject(), it.value().toObject()));
        } else {
            base.insert(it.key(), it.value());
        }
    }
    return base;
}
} // namespace

QByteArray formEncode(const QList<QPair<QString, QString>>& fields)
{
    QByteArray out;
    for (const auto& [name, value] : fields) {
        if (!out.isEmpty()) {
            out += '&';
        }
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

QUrl AuthorizationRequest::url() const
{
    QList<QPair<QString, QString>> fields{
        {QStringLiteral("client_id"), clientId},
        {QStringLiteral("response_type"), QStringLiteral("code")},
        {QStringLiteral("redirect_uri"), redirectUri.toString(QUrl::FullyEncoded)},
        {QStringLiteral("response_mode"), QStringLiteral("query")},
        {QStringLiteral("scope"), scopes.join(QLatin1Char(' '))},
        {QStringLiteral("state"), QString::fromLatin1(state)},
        {QStringLiteral("nonce"), QString::fromLatin1(nonce)},
        {QStringLiteral("code_challenge"), QString::fromLatin1(codeChallenge)},
        {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
        {QStringLiteral("client_info"), QStringLiteral("1")},
    };
    if (selectAccount) {
        fields.append({QStringLiteral("prompt"), QStringLiteral("select_account")});
    }
    if (!loginHint.isEmpty()) {
        fields.append({QStringLiteral("login_hint"), loginHint});
    }
    if (!claims.isEmpty()) {
        fields.append({QStringLiteral("claims"), QString::fromUtf8(claims)});
    }
    QUrl url = authorizationEndpoint;
    url.setQuery(QString::fromLatin1(formEncode(fields)), QUrl::StrictMode);
    return url;
}

QStringList signInScopes(const QUrl& graphEndpoint)
{
    QUrl resource = graphEndpoint;
    resource.setPath(QString());
    const QString prefix = resource.toString(QUrl::StripTrailingSlash) + QLatin1Char('/');
    return {QStringLiteral("openid"), QStringLiteral("profile"), QStringLiteral("offline_access"),
            prefix + QStringLiteral("User.Read.All"), prefix + QStringLiteral("User.RevokeSessions.All")};
}

QByteArray clientCapabilityClaims(const QByteArray& challengeClaims)
{
    const QJsonObject capability{
        {QStringLiteral("access_token"),
         QJsonObject{
             {QStringLiteral("xms_cc"), QJsonObject{{QStringLiteral("values"), QJsonArray{QStringLiteral("cp1")}}}}}}};
    const QJsonObject challenge = QJsonDocument::fromJson(challengeClaims).object();
    return QJsonDocument(mergeObjects(capability, challenge)).toJson(QJsonDocument::Compact);
}
