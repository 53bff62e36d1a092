#pragma once

#include "TokenStore.h"

#include <QHash>

#include <deque>
#include <memory>

namespace QKeychain {
class Job;
}

// The operating system's keychain through QtKeychain: the Secret Service (GNOME Keyring, KWallet) on Linux, the
// Credential Manager on Windows, the Keychain on macOS. Never falls back to a plaintext file: without a keychain
// every operation reports Status::Unavailable.
//
// A secret longer than the chunk size is stored as `key`, holding a short header (chunk count, size, SHA-256), and
// its parts as `key/1` .. `key/n`. Reading follows whatever is stored, whatever chunk size this store was given.
class KeychainTokenStore : public TokenStore
{
    Q_OBJECT

public:
    // The Windows Credential Manager refuses a credential over 2560 bytes, and an account record with its refresh
    // token can be longer. Elsewhere an entry is never split.
#ifdef Q_OS_WIN
    static constexpr qsizetype kDefaultChunkSize = 2048;
#else
    static constexpr qsizetype kDefaultChunkSize = 0;
#endif

    // `service` names the application in the keychain ("Session Revoker"); tests pass their own.
    explicit KeychainTokenStore(const QString& service, qsizetype chunkSize = kDefaultChunkSize,
                                QObject* parent = nullptr);
    // Operations that have not completed yet report Status::Failed to their callbacks.
    ~KeychainTokenStore() override;
    KeychainTokenStore(const KeychainTokenStore&) = delete;
    KeychainTokenStore& operator=(const KeychainTokenStore&) = delete;

    QString service() const
    {
        return m_service;
    }
    qsizetype chunkSize() const
    {
        return m_chunkSize;
    }

    void write(const QString& key, const QByteArray& secret, QObject* context, Callback done) override;
    void read(const QString& key, QObject* context, Callback done) override;
    void remove(const QString& key, QObject* context, Callback done) override;

private:
    struct Operation;
    struct Item;
    using OperationPtr = std::shared_ptr<Operation>;
    using ItemCallback = std::function<void(const Item&)>;

    void enqueue(const OperationPtr& op);
    void start(const OperationPtr& op);
    void finish(const OperationPtr& op, const Result& result);
    void fail(const OperationPtr& op, const Item& item);

    void continueRead(const OperationPtr& op, const Item& stored);
    void readChunk(const OperationPtr& op, int index);
    void continueWrite(const OperationPtr& op);
    void writeChunk(const OperationPtr& op, int index);
    // Deletes the chunks `from` .. the last one the entry had before this operation, then completes it.
    void removeStoredChunks(const OperationPtr& op, int from);

    void readItem(const QString& itemKey, ItemCallback next);
    void writeItem(const QString& itemKey, const QByteArray& data, ItemCallback next);
    void deleteItem(const QString& itemKey, ItemCallback next);
    void run(QKeychain::Job* job, ItemCallback next);

    const QString m_service;
    const qsizetype m_chunkSize;
    // Per key, the running operation first and then those waiting for it: one key, one operation at a time.
    QHash<QString, std::deque<OperationPtr>> m_queues;
};
