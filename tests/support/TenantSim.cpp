#include "TenantSim.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

TenantSim::~TenantSim()
{
    stop();
}

bool TenantSim::start(const QStringList& extraArgs, bool tls)
{
    QStringList args{QStringLiteral(SR_TENANT_SIM), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
    if (tls) {
        m_caFile = m_dir.filePath(QStringLiteral("tenant-sim-ca.pem"));
        args << QStringLiteral("--tls") << QStringLiteral("--ca-out") << m_caFile;
    }
    args << extraArgs;
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(QStringLiteral(SR_PYTHON3), args);
    if (!m_process.waitForStarted(10000)) {
        m_error = m_process.errorString();
        return false;
    }
    const QDeadlineTimer deadline(30000);
    QByteArray out;
    while (!deadline.hasExpired()) {
        if (m_process.canReadLine() || m_process.waitForReadyRead(200)) {
            out += m_process.readLine();
            const qsizetype at = out.indexOf("tenant-sim listening on ");
            if (at >= 0 && out.endsWith('\n')) {
                m_baseUrl = QUrl(QString::fromUtf8(out.mid(at + 24).trimmed()));
                return m_baseUrl.isValid();
            }
        }
        if (m_process.state() != QProcess::Running) {
            break;
        }
    }
    m_error = QStringLiteral("tenant-sim did not start: ") + QString::fromUtf8(m_process.readAllStandardError());
    return false;
}

void TenantSim::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

QJsonObject TenantSim::Answer::json() const
{
    return QJsonDocument::fromJson(body).object();
}

TenantSim::Answer TenantSim::request(const QByteArray& method, const QString& path, const QByteArray& body,
                                     const QList<QPair<QByteArray, QByteArray>>& headers) const
{
    QNetworkAccessManager manager;
    QUrl url = m_baseUrl;
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0) {
        url.setQuery(path.mid(query + 1));
    }
    QNetworkRequest request(url);
    if (!m_caFile.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_caFile));
        request.setSslConfiguration(ssl);
    }
    for (const auto& [name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply* reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    loop.exec();
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    delete reply;
    return answer;
}

TenantSim::Answer TenantSim::control(const QByteArray& method, const QString& path, const QJsonObject& body) const
{
    return request(method, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(),
                   {{"Content-Type", "application/json"}});
}

bool TenantSim::addFault(const QString& pathRegex, const QString& kind, int count) const
{
    return control(
               "POST", QStringLiteral("/_sim/faults"),
               {{QStringLiteral("path"), pathRegex}, {QStringLiteral("kind"), kind}, {QStringLiteral("count"), count}})
               .status == 201;
}

bool TenantSim::revokeSessionsOf(const QString& upn) const
{
    const QJsonObject grant = passwordGrant(QStringLiteral("admin@contoso.test"),
                                            QStringLiteral("openid https://graph.microsoft.com/.default"));
    const QByteArray token = grant.value(QLatin1String("access_token")).toString().toLatin1();
    if (token.isEmpty()) {
        return false;
    }
    const QString path = QStringLiteral("/v1.0/users/%1/revokeSignInSessions").arg(upn);
    return request("POST", path, {}, {{"Authorization", "Bearer " + token}}).status == 200;
}

bool TenantSim::advanceClock(int seconds) const
{
    return control("POST", QStringLiteral("/_sim/clock"), {{QStringLiteral("advance"), seconds}}).status == 200;
}

QJsonObject TenantSim::passwordGrant(const QString& username, const QString& scope) const
{
    const QByteArray form = "grant_type=password&client_id=" + QByteArray(kClientId) +
                            "&username=" + QUrl::toPercentEncoding(username) +
                            "&password=" + QUrl::toPercentEncoding(QString::fromLatin1(kPassword)) +
                            "&scope=" + QUrl::toPercentEncoding(scope);
    return request("POST", QStringLiteral("/%1/oauth2/v2.0/token").arg(QLatin1String(kTenant)), form,
                   {{"Content-Type", "application/x-www-form-urlencoded"}})
        .json();
}
