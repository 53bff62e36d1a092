#include "NetworkContext.h"

#include "Version.h"

#include <QCoreApplication>
#include <QFile>
#include <QNetworkRequest>
#include <QSslCertificate>

NetworkContext::NetworkContext(QNetworkAccessManager* manager) : m_manager(manager) {}

QString NetworkContext::addCaFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QCoreApplication::translate("NetworkContext", "Cannot read the CA file %1: %2")
            .arg(path, file.errorString());
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty()) {
        return QCoreApplication::translate("NetworkContext", "The CA file %1 holds no PEM certificate.").arg(path);
    }
    if (!m_ssl) {
        m_ssl = QSslConfiguration::defaultConfiguration();
    }
    QList<QSslCertificate> all = m_ssl->caCertificates();
    all.append(certificates);
    m_ssl->setCaCertificates(all);
    return {};
}

QNetworkRequest NetworkContext::request(const QUrl& url) const
{
    QNetworkRequest request(url);
    if (m_ssl) {
        request.setSslConfiguration(*m_ssl);
    }
    request.setTransferTimeout(m_timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QStringLiteral("SessionRevoker/%1").arg(QString::fromLatin1(SessionRevoker::kVersion)));
    return request;
}
