#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

class QNetworkAccessManager;
class QNetworkRequest;
class QUrl;

// What every request of ours shares: the access manager, the TLS trust (system CAs plus an optional extra CA
// file), and a transfer timeout. Certificate errors are never ignored.
class NetworkContext
{
public:
    explicit NetworkContext(QNetworkAccessManager* manager);

    // Adds the PEM certificates of `path` to the trusted CAs. Returns an operator-readable error, or empty.
    QString addCaFile(const QString& path);

    QNetworkRequest request(const QUrl& url) const;
    QNetworkAccessManager* manager() const { return m_manager; }

    void setTransferTimeoutMs(int ms) { m_timeoutMs = ms; }
    int transferTimeoutMs() const { return m_timeoutMs; }

private:
    QNetworkAccessManager* m_manager;
    // Only with an extra CA file: building a QSslConfiguration initialises OpenSSL, a quarter of the app's
    // start-up (bench/app); without one, Qt's default configuration is used on the first TLS connection.
    std::optional<QSslConfiguration> m_ssl;
    int m_timeoutMs = 30000;
};
