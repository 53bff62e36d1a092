#include "AuthError.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QRegularExpression>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("AuthError", text);
}

// Entra puts "AADSTS12345: text\r\nTrace ID: ...\r\nCorrelation ID: ..." in error_description: keep the first line.
QString firstLine(const QString& description)
{
    const QString line = description.section(QRegularExpression(QStringLiteral("[\\r\\n]")), 0, 0).trimmed();
    return line.size() > 300 ? line.left(300) + QStringLiteral("…") : line;
}
} // namespace

QString AuthError::logText() const
{
    QStringList codes;
    for (int code : errorCodes) {
        codes.append(QString::number(code));
    }
    return QStringLiteral("kind=%1 oauth=%2 codes=[%3] http=%4 correlation=%5")
        .arg(static_cast<int>(kind))
        .arg(oauthError, codes.join(QLatin1Char(',')))
        .arg(httpStatus)
        .arg(correlationId);
}

AuthError AuthError::make(Kind kind, const QString& message)
{
    AuthError error;
    error.kind = kind;
    error.message = message;
    return error;
}

AuthError AuthError::fromOAuth(const QString& error, const QString& description, const QList<int>& codes,
                               int httpStatus)
{
    AuthError result;
    result.oauthError = error;
    result.errorCodes = codes;
    result.httpStatus = httpStatus;
    const QString detail = firstLine(description);

    if (error == QLatin1String("invalid_grant")) {
        result.kind = Kind::InvalidGrant;
        if (codes.contains(50173)) {
            result.message = tr("Your sign-in was revoked: all of your sessions were signed out (AADSTS50173). "
                                "Sign in again.");
        } else if (codes.contains(700082)) {
            result.message = tr("Your sign-in expired because it was not used for a long time (AADSTS700082). "
                                "Sign in again.");
        } else if (codes.contains(70043)) {
            result.message = tr("Your organization requires you to sign in again (sign-in frequency, "
                                "AADSTS70043).");
        } else if (codes.contains(50126) || codes.contains(50034)) {
            result.message = tr("The user name or password is not correct (%1).").arg(detail);
        } else {
            result.message = tr("Your sign-in can no longer be used. Sign in again. (%1)").arg(detail);
        }
    } else if (error == QLatin1String("interaction_required") || error == QLatin1String("consent_required") ||
               error == QLatin1String("login_required")) {
        result.kind = Kind::InteractionRequired;
        result.message = tr("Microsoft Entra ID needs you to sign in again in the browser (%1).").arg(detail);
    } else if (error == QLatin1String("access_denied")) {
        result.kind = Kind::AccessDenied;
        result.message = tr("Sign-in was cancelled or declined in the browser.");
    } else if (error == QLatin1String("invalid_client") || codes.contains(700016)) {
        result.kind = Kind::Configuration;
        result.message = tr("The client id is not registered in this tenant, or the app registration is not a "
                            "public client (%1). Check Settings.")
                             .arg(detail);
    } else if (error == QLatin1String("invalid_scope")) {
        result.kind = Kind::Configuration;
        result.message =
            tr("The app registration does not allow the permissions Session Revoker asks for (%1).").arg(detail);
    } else if (error == QLatin1String("temporarily_unavailable") || error == QLatin1String("server_error")) {
        result.kind = Kind::Server;
        result.message = tr("Microsoft Entra ID is temporarily unavailable. Try again in a minute. (%1)").arg(detail);
    } else {
        result.kind = Kind::Server;
        result.message =
            detail.isEmpty() ? tr("Sign-in failed: %1").arg(error) : tr("Sign-in failed: %1 (%2)").arg(detail, error);
    }
    return result;
}

AuthError AuthError::fromTransport(QNetworkReply* reply)
{
    const QNetworkReply::NetworkError code = reply->error();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0) {
        return {}; // an HTTP answer arrived; the caller maps its status and body
    }
    const QString host = reply->url().host();
    AuthError error;
    switch (code) {
    case QNetworkReply::NoError:
        return error;
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TimeoutError:
        error = make(Kind::Timeout, tr("%1 did not answer in time.").arg(host));
        break;
    case QNetworkReply::SslHandshakeFailedError:
        error = make(Kind::Tls, tr("The secure connection to %1 failed: %2. If your network inspects TLS, give your "
                                   "organization's CA file in Settings.")
                                    .arg(host, reply->errorString()));
        break;
    case QNetworkReply::HostNotFoundError:
        error = make(Kind::Network, tr("%1 could not be found. Check the network connection.").arg(host));
        break;
    case QNetworkReply::ConnectionRefusedError:
        error = make(Kind::Network, tr("%1 refused the connection.").arg(host));
        break;
    default:
        error = make(Kind::Network, tr("Could not reach %1: %2").arg(host, reply->errorString()));
        break;
    }
    return error;
}

AuthError AuthError::fromTokenReply(QNetworkReply* reply, const QByteArray& body)
{
    if (AuthError transport = fromTransport(reply); transport.isError()) {
        return transport;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    const QString oauthError = json.value(QLatin1String("error")).toString();
    if (oauthError.isEmpty()) {
        AuthError error =
            make(status >= 500 ? Kind::Server : Kind::Parse,
                 tr("The sign-in service answered HTTP %1 without a usable error description.").arg(status));
        error.httpStatus = status;
        return error;
    }
    QList<int> codes;
    const QJsonArray codeArray = json.value(QLatin1String("error_codes")).toArray();
    for (const QJsonValue& value : codeArray) {
        if (value.isDouble()) {
            codes.append(value.toInt());
        }
    }
    AuthError error = fromOAuth(oauthError, json.value(QLatin1String("error_description")).toString(), codes, status);
    error.correlationId = json.value(QLatin1String("correlation_id")).toString();
    return error;
}
