#include "ScriptedBrowser.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QTimer>

namespace {
QString htmlUnescape(QString text)
{
    text.replace(QStringLiteral("&quot;"), QStringLiteral("\""))
        .replace(QStringLiteral("&#x27;"), QStringLiteral("'"))
        .replace(QStringLiteral("&#39;"), QStringLiteral("'"))
        .replace(QStringLiteral("&lt;"), QStringLiteral("<"))
        .replace(QStringLiteral("&gt;"), QStringLiteral(">"))
        .replace(QStringLiteral("&amp;"), QStringLiteral("&"));
    return text;
}

QString attribute(const QString& tag, const QString& name)
{
    const QRegularExpression re(QStringLiteral("\\b%1=\"([^\"]*)\"").arg(name));
    return htmlUnescape(re.match(tag).captured(1));
}

struct Form
{
    QString action;
    QList<QPair<QString, QString>> hidden;
    bool hasPassword = false;
    bool isPicker = false;
};

Form parseForm(const QString& html)
{
    Form form;
    static const QRegularExpression formTag(QStringLiteral("<form\\b[^>]*>"));
    static const QRegularExpression inputTag(QStringLiteral("<input\\b[^>]*>"));
    form.action = attribute(formTag.match(html).captured(0), QStringLiteral("action"));
    auto it = inputTag.globalMatch(html);
    while (it.hasNext()) {
        const QString tag = it.next().captured(0);
        const QString type = attribute(tag, QStringLiteral("type"));
        if (type == QLatin1String("hidden")) {
            form.hidden.append({attribute(tag, QStringLiteral("name")), attribute(tag, QStringLiteral("value"))});
        } else if (type == QLatin1String("password")) {
            form.hasPassword = true;
        }
    }
    form.isPicker = html.contains(QStringLiteral("id=\"otherTile\""));
    return form;
}

QByteArray encode(const QList<QPair<QString, QString>>& fields)
{
    QByteArray out;
    for (const auto& [name, value] : fields) {
        out += (out.isEmpty() ? "" : "&") + QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}
} // namespace

ScriptedBrowser::ScriptedBrowser() : m_ssl(QSslConfiguration::defaultConfiguration()) {}

void ScriptedBrowser::setCaFile(const QString& path)
{
    m_ssl.setCaCertificates(m_ssl.caCertificates() + QSslCertificate::fromPath(path));
}

ScriptedBrowser::Response ScriptedBrowser::send(const QUrl& url, const QByteArray& formBody)
{
    QNetworkRequest request(url);
    request.setSslConfiguration(m_ssl);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply* reply = nullptr;
    if (formBody.isEmpty()) {
        reply = m_manager.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        reply = m_manager.post(request, formBody);
    }
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    loop.exec();
    Response response;
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.body = reply->readAll();
    const QByteArray location = reply->rawHeader("Location");
    if (!location.isEmpty()) {
        response.location = url.resolved(QUrl::fromEncoded(location, QUrl::StrictMode));
    }
    if (response.status == 0) {
        response.error = reply->errorString();
    }
    delete reply;
    return response;
}

ScriptedBrowser::Outcome ScriptedBrowser::run(const QUrl& authorizeUrl, const QString& username,
                                              const QString& password, Action action)
{
    Outcome outcome;
    QUrl url = authorizeUrl;
    QByteArray body;
    for (int step = 0; step < 10; ++step) {
        // The app's loopback listener: a loopback address on another port than the sign-in pages.
        const bool loopback =
            QHostAddress(url.host()).isLoopback() &&
            (step == 0 ? !url.path().contains(QStringLiteral("/oauth2/")) : url.port() != authorizeUrl.port());
        const Response response = send(url, body);
        body.clear();
        if (loopback) {
            outcome.reachedLoopback = true;
            outcome.loopbackStatus = response.status;
            outcome.loopbackPage = response.body;
            return outcome;
        }
        if (response.status == 0) {
            outcome.failure = QStringLiteral("transport: ") + response.error;
            return outcome;
        }
        if (response.status >= 300 && response.status < 400 && response.location.isValid()) {
            url = response.location;
            continue;
        }
        if (response.status != 200) {
            outcome.failure = QStringLiteral("HTTP %1: %2").arg(response.status).arg(QString::fromUtf8(response.body));
            return outcome;
        }
        const QString html = QString::fromUtf8(response.body);
        const Form form = parseForm(html);
        if (form.action.isEmpty()) {
            outcome.failure = QStringLiteral("no form on the page: ") + html.left(300);
            return outcome;
        }
        QList<QPair<QString, QString>> fields = form.hidden;
        if (action == Action::Cancel) {
            fields.append({QStringLiteral("sim_action"), QStringLiteral("cancel")});
        } else if (form.isPicker) {
            fields.append({QStringLiteral("sim_action"), QStringLiteral("other")});
        } else if (form.hasPassword) {
            if (html.contains(QStringLiteral("id=\"passwordError\"")) ||
                html.contains(QStringLiteral("id=\"usernameError\""))) {
                outcome.failure = QStringLiteral("sign-in page reported an error");
                return outcome;
            }
            fields.append({QStringLiteral("loginfmt"), username});
            fields.append({QStringLiteral("passwd"), password});
            fields.append({QStringLiteral("sim_action"), QStringLiteral("signin")});
        } else {
            outcome.failure = QStringLiteral("unexpected page: ") + html.left(300);
            return outcome;
        }
        url = url.resolved(QUrl(form.action));
        body = encode(fields);
    }
    outcome.failure = QStringLiteral("too many steps");
    return outcome;
}
