#include "CountingNetwork.h"

#include <QNetworkRequest>

QNetworkReply* CountingNetwork::createRequest(Operation op, const QNetworkRequest& request, QIODevice* data)
{
    const QString path = request.url().path();
    if (op == GetOperation && path.startsWith(QLatin1String("/v1.0/users")) &&
        !request.attribute(kUncounted).toBool()) {
        m_userReads.append({request.url(), m_clock.nsecsElapsed()});
    }
    return QNetworkAccessManager::createRequest(op, request, data);
}
