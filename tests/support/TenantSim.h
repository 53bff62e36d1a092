#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// Runs the real tenant-sim executable as a child process for a test, and steers it through its control API.
class TenantSim
{
public:
    TenantSim() = default;
    ~TenantSim();
    TenantSim(const TenantSim&) = delete;
    TenantSim& operator=(const TenantSim&) = delete;

    // Starts the simulator and waits for its "listening on" line. `tls` also generates the CA file.
    bool start(const QStringList& extraArgs = {}, bool tls = false);
    void stop();

    QUrl baseUrl() const { return m_baseUrl; }
    QString caFile() const { return m_caFile; }
    QString errorText() const { return m_error; }

    struct Answer
    {
        int status = 0;
        QByteArray body;
        QJsonObject json() const;
    };
    // A synchronous request to the simulator (control API or any path); for test set-up, not for the code under test.
    Answer request(const QByteArray& method, const QString& path, const QByteArray& body = {},
                   const QList<QPair<QByteArray, QByteArray>>& headers = {}) const;
    Answer control(const QByteArray& method, const QString& path, const QJsonObject& body = {}) const;
    // Answers the next `count` requests whose path matches `pathRegex` with fault `kind` (CONTRACT.md, /_sim/faults).
    bool addFault(const QString& pathRegex, const QString& kind, int count = 1) const;
    // Revokes `upn`'s sessions as admin@contoso.test would (ROPC token, then revokeSignInSessions).
    bool revokeSessionsOf(const QString& upn) const;
    // Moves the simulator's clock forward (expires codes and tokens).
    bool advanceClock(int seconds) const;
    // ROPC sign-in of a demo account; returns the token endpoint's JSON answer.
    QJsonObject passwordGrant(const QString& username, const QString& scope) const;

    static constexpr char kClientId[] = "8c3791a0-3f69-437d-9f93-53f516aafdb3";
    static constexpr char kTenant[] = "contoso.test";
    static constexpr char kPassword[] = "Passw0rd!";

private:
    QProcess m_process;
    QTemporaryDir m_dir;
    QUrl m_baseUrl;
    QString m_caFile;
    QString m_error;
};
