#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

// Where refresh tokens and account records live: the OS keychain (KeychainTokenStore), or memory for a session
// without one (MemoryTokenStore). Asynchronous because the keychains are.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    enum class Status
    {
        Ok,
        NotFound,
        Unavailable, // no keychain on this machine or in this session
        Failed,
    };
    struct Result
    {
        Status status = Status::Failed;
        QByteArray secret;
        QString errorText; // operator-readable
    };
    using Callback = std::function<void(const Result&)>;

    using QObject::QObject;

    // Every key is namespaced by app, cloud, tenant, client and account. Cloud, tenant and client are compared
    // case-insensitively; each part is percent-encoded, so two different sets of parts never share a key.
    static QString keyFor(const QString& cloud, const QString& tenant, const QString& clientId,
                          const QString& accountId);

    // `done` is invoked exactly once, later (never inside the call), unless `context` was destroyed first. It runs
    // in `context`'s thread (the store's when `context` is null). Operations on one key complete in call order.
    virtual void write(const QString& key, const QByteArray& secret, QObject* context, Callback done) = 0;
    virtual void read(const QString& key, QObject* context, Callback done) = 0;
    virtual void remove(const QString& key, QObject* context, Callback done) = 0; // a missing entry is Ok
};
