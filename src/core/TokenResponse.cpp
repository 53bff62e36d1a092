#include "TokenResponse.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("TokenResponse", text);
}
} // namespace

TokenResponse TokenResponse::parse(const QByteArray& body, const QDateTime& now, AuthError* error)
{
    TokenResponse response;
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject json = document.object();
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = AuthError::make(AuthError::Kind::Parse, tr("The token endpoint sent an answer that is not JSON."));
        return {};
    }
    if (json.value(QLatin1String("token_type")).toString().compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0) {
        *error = AuthError::make(AuthError::Kind::Parse, tr("The token endpoint did not issue a Bearer token."));
        return {};
    }
    response.accessToken = json.value(QLatin1String("access_token")).toString().toUtf8();
    response.refreshToken = json.value(QLatin1String("refresh_token")).toString().toUtf8();
    response.idToken = json.value(QLatin1String("id_token")).toString().toUtf8();
    response.clientInfo = json.value(QLatin1String("client_info")).toString().toUtf8();
    response.scope = json.value(QLatin1String("scope")).toString();
    // expires_in is a number, though some servers send it as a string.
    const QJsonValue expiresIn = json.value(QLatin1String("expires_in"));
    const qint64 seconds = expiresIn.isString() ? expiresIn.toString().toLongLong() : expiresIn.toInteger();
    if (response.accessToken.isEmpty() || seconds <= 0) {
        *error = AuthError::make(AuthError::Kind::Parse,
                                 tr("The token endpoint's answer has no access token or no lifetime."));
        return {};
    }
    response.expiresAt = now.addSecs(seconds);
    *error = {};
    return response;
}

Account TokenResponse::account(const QString& clientId, const QByteArray& expectedNonce, AuthError* error) const
{
    const QJsonObject claims = jwtClaims(idToken);
    if (claims.isEmpty()) {
        *error = AuthError::make(AuthError::Kind::Parse, tr("The sign-in did not return a readable id token."));
        return {};
    }
    if (claims.value(QLatin1String("aud")).toString() != clientId) {
        *error = AuthError::make(AuthError::Kind::Parse, tr("The id token was issued to another application."));
        return {};
    }
    if (!expectedNonce.isEmpty() && claims.value(QLatin1String("nonce")).toString().toUtf8() != expectedNonce) {
        *error = AuthError::make(AuthError::Kind::Callback,
                                 tr("The id token does not answer this sign-in (nonce mismatch)."));
        return {};
    }
    Account account;
    account.username = claims.value(QLatin1String("preferred_username")).toString();
    account.name = claims.value(QLatin1String("name")).toString();
    account.tenantId = claims.value(QLatin1String("tid")).toString();
    account.objectId = claims.value(QLatin1String("oid")).toString();

    const auto info = QByteArray::fromBase64Encoding(clientInfo, QByteArray::Base64UrlEncoding);
    const QJsonObject infoJson = info ? QJsonDocument::fromJson(*info).object() : QJsonObject{};
    const QString uid = infoJson.value(QLatin1String("uid")).toString();
    const QString utid = infoJson.value(QLatin1String("utid")).toString();
    account.homeAccountId = (!uid.isEmpty() && !utid.isEmpty())
                                ? uid + QLatin1Char('.') + utid
                                : account.objectId + QLatin1Char('.') + account.tenantId;

    const QJsonArray wids = jwtClaims(accessToken).value(QLatin1String("wids")).toArray();
    for (const QJsonValue& wid : wids) {
        account.roleTemplateIds.append(wid.toString());
    }
    if (!account.isValid()) {
        *error = AuthError::make(AuthError::Kind::Parse, tr("The id token does not name the signed-in account."));
        return {};
    }
    *error = {};
    return account;
}
