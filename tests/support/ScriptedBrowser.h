#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

// A minimal browser for tests that do not need Chromium: fetches the sign-in page, fills in the form as a person
// would (account picker, user name, password, Cancel), follows redirects with cookies, and finally requests the
// loopback redirect URL so the app under test receives the callback. Independent of the app's own HTTP code.
class ScriptedBrowser
{
public:
    enum class Action
    {
        SignIn,
        Cancel,
    };
    ScriptedBrowser();
    void setCaFile(const QString& path);

    struct Outcome
    {
        bool reachedLoopback = false;
        int loopbackStatus = 0;
        QByteArray loopbackPage;
        QString failure; // what went wrong on the way
    };
    Outcome run(const QUrl& authorizeUrl, const QString& username, const QString& password,
                Action action = Action::SignIn);

private:
    struct Response
    {
        int status = 0;
        QByteArray body;
        QUrl location;
        QString error;
    };
    Response send(const QUrl& url, const QByteArray& formBody = {});

    QNetworkAccessManager m_manager;
    QSslConfiguration m_ssl;
};
