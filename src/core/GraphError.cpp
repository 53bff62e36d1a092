#include "GraphError.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QNetworkReply>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("GraphError", text);
}

// Graph's messages are single sentences; anything longer is not meant for a dialog.
QString shortened(const QString& text)
{
    const QString simplified = text.simplified();
    return simplified.size() > 300 ? simplified.left(300) + QStringLiteral("…") : simplified;
}

QString stringValue(const QJsonObject& object, QLatin1String key)
{
    const QJsonValue value = object.value(key);
    return value.isString() ? value.toString() : QString();
}

QString waitText(double secs)
{
    const auto whole = static_cast<qint64>(std::ceil(secs));
    return whole == 1 ? tr("1 second") : tr("%1 seconds").arg(whole);
}

QString forbiddenMessage(GraphError::Operation operation, bool graphDenied)
{
    if (!graphDenied) {
        return tr("Microsoft Graph, or a proxy in between, refused the request (HTTP 403).");
    }
    switch (operation) {
    case GraphError::Operation::Revoke:
        return tr("You are not allowed to revoke this user's sessions. It takes both the permission "
                  "User.RevokeSessions.All (granted to Session Revoker with admin consent) and an administrator role "
                  "that covers this user. A Helpdesk Administrator cannot revoke a Global Administrator, for "
                  "example; ask a Privileged Authentication Administrator or Global Administrator. The README lists "
                  "which role may revoke whom.");
    case GraphError::Operation::RevokeSelf:
        return tr("You are not allowed to revoke your own sessions: Session Revoker lacks the permission "
                  "User.RevokeSessions.All (an administrator grants it with admin consent).");
    case GraphError::Operation::List:
    case GraphError::Operation::Read:
        break;
    }
    return tr("You are not allowed to read users in this directory: Session Revoker needs the permission "
              "User.Read.All (an administrator grants it with admin consent).");
}

QString notFoundMessage(GraphError::Operation operation)
{
    switch (operation) {
    case GraphError::Operation::List:
        return tr("Microsoft Graph could not find the requested list of users (HTTP 404). Search again.");
    case GraphError::Operation::RevokeSelf:
        return tr("Your own account no longer exists in the directory.");
    case GraphError::Operation::Read:
    case GraphError::Operation::Revoke:
        break;
    }
    return tr("The user no longer exists (it may have been deleted).");
}
} // namespace

QString GraphError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::SignInRequired:
        return QStringLiteral("sign-in-required");
    case Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    case Kind::Forbidden:
        return QStringLiteral("forbidden");
    case Kind::NotFound:
        return QStringLiteral("not-found");
    case Kind::BadRequest:
        return QStringLiteral("bad-request");
    case Kind::Throttled:
        return QStringLiteral("throttled");
    case Kind::Unavailable:
        return QStringLiteral("unavailable");
    case Kind::Network:
        return QStringLiteral("network");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Parse:
        return QStringLiteral("parse");
    }
    return QStringLiteral("unknown");
}

QString GraphError::logText() const
{
    QString line = QStringLiteral("kind=%1 http=%2").arg(kindName(kind)).arg(httpStatus);
    if (!code.isEmpty()) {
        line += QStringLiteral(" code=") + code;
    }
    if (retryAfterSecs > 0) {
        line += QStringLiteral(" retry-after=") + QString::number(retryAfterSecs);
    }
    line += QStringLiteral(" request-id=%1 client-request-id=%2").arg(requestId, clientRequestId);
    if (!serverMessage.isEmpty()) {
        line += QStringLiteral(" message=\"%1\"").arg(shortened(serverMessage));
    }
    return line;
}

GraphError GraphError::make(Kind kind, const QString& message)
{
    GraphError error;
    error.kind = kind;
    error.message = message;
    return error;
}

GraphError GraphError::fromHttp(int httpStatus, const QByteArray& body, Operation operation, double retryAfterSecs)
{
    GraphError error;
    error.httpStatus = httpStatus;
    error.retryAfterSecs = retryAfterSecs > 0 ? retryAfterSecs : 0;

    // {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}, or anything at all from
    // a proxy in between: only Graph's own shape is believed.
    const QJsonObject graphError = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    error.code = stringValue(graphError, QLatin1String("code"));
    error.serverMessage = stringValue(graphError, QLatin1String("message"));
    QJsonObject inner = graphError.value(QLatin1String("innerError")).toObject();
    if (inner.isEmpty()) {
        inner = graphError.value(QLatin1String("innererror")).toObject();
    }
    error.requestId = stringValue(inner, QLatin1String("request-id"));
    error.clientRequestId = stringValue(inner, QLatin1String("client-request-id"));
    const bool graphShaped = !error.code.isEmpty();
    const QString detail =
        error.serverMessage.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : shortened(error.serverMessage);

    if (httpStatus == 401) {
        error.kind = Kind::Unauthorized;
        error.message = tr("Microsoft Graph did not accept your sign-in, even after renewing it (%1). Sign out and "
                           "sign in again.")
                            .arg(detail);
    } else if (httpStatus == 403) {
        error.kind = Kind::Forbidden;
        if (error.code == QLatin1String("Authorization_RequestDenied")) {
            error.message = forbiddenMessage(operation, true);
        } else if (graphShaped) {
            error.message = tr("Microsoft Graph refused the request: %1 (%2).").arg(detail, error.code);
        } else {
            error.message = forbiddenMessage(operation, false);
        }
    } else if (httpStatus == 404) {
        error.kind = Kind::NotFound;
        error.message = notFoundMessage(operation);
    } else if (httpStatus == 429) {
        error.kind = Kind::Throttled;
        error.message = error.retryAfterSecs > 0
                            ? tr("Microsoft Graph is throttling requests (HTTP 429) and asked to wait %1. "
                                 "Try again after that.")
                                  .arg(waitText(error.retryAfterSecs))
                            : tr("Microsoft Graph is throttling requests (HTTP 429). Try again in a minute.");
    } else if (httpStatus >= 500) {
        error.kind = Kind::Unavailable;
        error.message = error.retryAfterSecs > 0
                            ? tr("Microsoft Graph is temporarily unavailable (HTTP %1) and asked to wait %2. "
                                 "Try again after that.")
                                  .arg(httpStatus)
                                  .arg(waitText(error.retryAfterSecs))
                            : tr("Microsoft Graph is temporarily unavailable (HTTP %1). Try again in a few minutes.")
                                  .arg(httpStatus);
    } else if (httpStatus >= 400) {
        error.kind = Kind::BadRequest;
        error.message = tr("Microsoft Graph rejected the request: %1").arg(detail);
    } else if (httpStatus >= 300 && httpStatus < 400) {
        // Redirects are never followed: the request carries the operator's token.
        error.kind = Kind::Parse;
        error.message = tr("Microsoft Graph answered with a redirect (HTTP %1), which Session Revoker does not "
                           "follow. A proxy may be in the way.")
                            .arg(httpStatus);
    } else {
        error.kind = Kind::Parse;
        error.message =
            tr("Microsoft Graph gave an answer Session Revoker does not understand (HTTP %1).").arg(httpStatus);
    }
    return error;
}

GraphError GraphError::fromSuccessBody(const QByteArray& contentType, const QByteArray& body, QJsonObject* json)
{
    if (body.trimmed().isEmpty()) {
        *json = QJsonObject();
        return {}; // 204, or a 200 without a body
    }
    const QByteArray mediaType = contentType.split(';').value(0).trimmed().toLower();
    if (!mediaType.isEmpty() && !mediaType.contains("json")) {
        return make(Kind::Parse, tr("Microsoft Graph's answer is not JSON but %1. A proxy or a network sign-in page "
                                    "may be in the way.")
                                     .arg(QString::fromLatin1(mediaType)));
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return make(Kind::Parse, tr("Microsoft Graph's answer could not be read: %1 at byte %2 of %3.")
                                     .arg(parseError.errorString())
                                     .arg(parseError.offset)
                                     .arg(body.size()));
    }
    if (!document.isObject()) {
        return make(Kind::Parse, tr("Microsoft Graph's answer could not be read: it is not a JSON object."));
    }
    *json = document.object();
    return {};
}

GraphError GraphError::fromTransport(QNetworkReply* reply)
{
    const QNetworkReply::NetworkError code = reply->error();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString host = reply->url().host();
    if (code == QNetworkReply::NoError) {
        return {};
    }
    if (status >= 200 && status < 300) {
        // The head arrived, then the connection broke: whatever body there is, it is not the whole answer.
        GraphError error = make(Kind::Parse, tr("Microsoft Graph's answer was cut off before it was complete (%1). "
                                                "Try again.")
                                                 .arg(reply->errorString()));
        error.httpStatus = status;
        return error;
    }
    if (status != 0) {
        return {}; // an HTTP error answer: the caller maps its status and body
    }
    switch (code) {
    case QNetworkReply::OperationCanceledError: // the transfer timeout; our own abort() never gets here
    case QNetworkReply::TimeoutError:
        return make(
            Kind::Timeout,
            tr("Microsoft Graph at %1 did not answer in time. Check the network connection and try again.").arg(host));
    case QNetworkReply::SslHandshakeFailedError:
        return make(Kind::Network, tr("The secure connection to Microsoft Graph at %1 failed: %2. If your network "
                                      "inspects TLS, give your organization's CA file in Settings (--ca-file).")
                                       .arg(host, reply->errorString()));
    default:
        break;
    }
    return make(Kind::Network, tr("Cannot reach Microsoft Graph at %1: %2").arg(host, reply->errorString()));
}

double GraphError::parseRetryAfter(const QByteArray& value, const QDateTime& nowUtc)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty()) {
        return -1;
    }
    bool ok = false;
    const double secs = trimmed.toDouble(&ok);
    if (ok) {
        return std::isfinite(secs) && secs >= 0 ? secs : -1;
    }
    // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT".
    QDateTime when =
        QLocale::c().toDateTime(QString::fromLatin1(trimmed), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid()) {
        return -1;
    }
    when.setTimeZone(QTimeZone::utc());
    return std::max(0.0, static_cast<double>(nowUtc.msecsTo(when)) / 1000.0);
}
