#pragma once

#include <QObject>
#include <QString>

class AuthSession;

// `login`, `whoami` and `logout` of session-revoker-cli: drives an AuthSession and exits the event loop with
// the command's exit code. Prints accounts, never tokens.
class AuthCommand : public QObject
{
    Q_OBJECT

public:
    enum class Kind
    {
        Login,
        WhoAmI,
        Logout,
    };
    AuthCommand(Kind kind, AuthSession& session, QObject* parent = nullptr);
    void start();

private:
    void finish(int exitCode);
    void printAccount();

    Kind m_kind;
    bool m_transientFailure = false;
    AuthSession& m_session;
};
