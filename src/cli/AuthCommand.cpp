#include "AuthCommand.h"

#include "AuthSession.h"
#include "ExitCodes.h"

#include <QCoreApplication>
#include <QTextStream>

AuthCommand::AuthCommand(Kind kind, AuthSession& session, QObject* parent)
    : QObject(parent), m_kind(kind), m_session(session)
{
}

void AuthCommand::start()
{
    QTextStream err(stderr);
    connect(&m_session, &AuthSession::keychainProblem, this,
            [](const QString& message) { QTextStream(stderr) << message << Qt::endl; });

    switch (m_kind) {
    case Kind::Login:
        connect(&m_session, &AuthSession::waitingForBrowser, this, [](const QUrl& url, bool opened) {
            QTextStream out(stderr);
            if (opened) {
                out << tr("Opening the sign-in page in your browser. If it does not open, visit:") << Qt::endl;
            } else {
                out << tr("No browser could be opened. Open this address to sign in:") << Qt::endl;
            }
            out << url.toString(QUrl::FullyEncoded) << Qt::endl << tr("Waiting for the browser…") << Qt::endl;
        });
        // Exit only once the tokens are in the keychain, or the next process would not find them.
        connect(&m_session, &AuthSession::tokensStored, this, [this] {
            printAccount();
            finish(ExitSuccess);
        });
        connect(&m_session, &AuthSession::signInFailed, this, [this](const AuthError& error) {
            QTextStream(stderr) << tr("Sign-in failed: %1").arg(error.message) << Qt::endl;
            finish(error.kind == AuthError::Kind::AccessDenied || error.kind == AuthError::Kind::Cancelled
                       ? ExitDenied
                       : ExitFailure);
        });
        m_session.signIn();
        break;
    case Kind::WhoAmI:
        connect(&m_session, &AuthSession::signInFailed, this, [this](const AuthError& error) {
            QTextStream(stderr) << error.message << Qt::endl;
            m_transientFailure = !error.requiresInteractiveSignIn();
        });
        // The refresh rotated the refresh token: wait until the new one is stored.
        connect(&m_session, &AuthSession::tokensStored, this, [this] {
            printAccount();
            finish(ExitSuccess);
        });
        connect(&m_session, &AuthSession::restoreFinished, this, [this](bool signedIn) {
            if (signedIn) {
                return;
            }
            if (m_transientFailure) {
                finish(ExitFailure); // the stored sign-in is kept: try again when the network is back
                return;
            }
            QTextStream(stderr) << tr("Not signed in. Run: session-revoker-cli login") << Qt::endl;
            finish(ExitNotSignedIn);
        });
        m_session.restore();
        break;
    case Kind::Logout:
        connect(&m_session, &AuthSession::signedOut, this, [this] {
            QTextStream(stdout) << tr("Signed out; the stored sign-in was removed from the keychain.") << Qt::endl;
            finish(ExitSuccess);
        });
        m_session.signOut();
        break;
    }
}

void AuthCommand::printAccount()
{
    const Account& account = m_session.account();
    QTextStream out(stdout);
    out << tr("Signed in as %1 <%2>").arg(account.name, account.username) << Qt::endl;
    out << tr("Tenant:  %1").arg(account.tenantId) << Qt::endl;
    out << tr("Cloud:   %1").arg(m_session.connection().summary()) << Qt::endl;
    const QStringList roles = directoryRoleNames(account.roleTemplateIds);
    out << tr("Roles:   %1").arg(roles.isEmpty() ? tr("(no administrator role)") : roles.join(QStringLiteral(", ")))
        << Qt::endl;
    if (!m_session.remembersSignIn()) {
        out << tr("This sign-in is not remembered: the system keychain is unavailable.") << Qt::endl;
    }
}

void AuthCommand::finish(int exitCode)
{
    disconnect(&m_session, nullptr, this, nullptr);
    QCoreApplication::exit(exitCode);
}
