#pragma once

#include "TokenStore.h"

#include <QHash>
#include <QStringList>

// Keeps entries in this process only: for tests, and for a session whose keychain is unavailable (the operator
// then signs in again after a restart). Same asynchronous contract as the keychain.
class MemoryTokenStore : public TokenStore
{
    Q_OBJECT

public:
    explicit MemoryTokenStore(QObject* parent = nullptr);

    void write(const QString& key, const QByteArray& secret, QObject* context, Callback done) override;
    void read(const QString& key, QObject* context, Callback done) override;
    void remove(const QString& key, QObject* context, Callback done) override;

    // Makes every following operation fail with `status` and change nothing, like a broken or missing keychain;
    // Status::Ok restores normal behaviour. For tests of the callers' error paths.
    void setFailure(Status status, const QString& errorText = QString());

    // The keys currently stored, sorted.
    QStringList keys() const;

private:
    void deliver(QObject* context, Callback done, const Result& result);
    bool failing(QObject* context, Callback& done);

    QHash<QString, QByteArray> m_entries;
    Status m_failure = Status::Ok;
    QString m_failureText;
};
