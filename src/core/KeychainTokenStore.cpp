#include "KeychainTokenStore.h"

#include "Logging.h"

#include <QCryptographicHash>
#include <QList>
#include <QMetaObject>
#include <QPointer>
#include <qt6keychain/keychain.h>

#include <optional>

namespace {
// The value stored at a key is either the secret itself or, for a split secret, this prefix and
// "<chunk count> <size> <sha256 hex>". A secret that happens to start with the prefix is always split, so the two
// can never be confused.
const QByteArray kHeaderPrefix = QByteArrayLiteral("session-revoker-chunked-entry/1 ");
// A corrupted header must not send a read through thousands of lookups.
constexpr int kMaxChunks = 1024;

struct ChunkHeader
{
    int count = 0;
    qsizetype size = 0;
    QByteArray sha256;
};

QByteArray sha256Hex(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

bool isHeader(const QByteArray& value)
{
    return value.startsWith(kHeaderPrefix);
}

QByteArray headerFor(qsizetype chunkCount, const QByteArray& secret)
{
    return kHeaderPrefix + QByteArray::number(chunkCount) + ' ' + QByteArray::number(secret.size()) + ' ' +
           sha256Hex(secret);
}

std::optional<ChunkHeader> parseHeader(const QByteArray& value)
{
    const QList<QByteArray> fields = value.mid(kHeaderPrefix.size()).split(' ');
    if (fields.size() != 3) {
        return std::nullopt;
    }
    bool countOk = false;
    bool sizeOk = false;
    ChunkHeader header;
    header.count = fields.at(0).toInt(&countOk);
    header.size = static_cast<qsizetype>(fields.at(1).toLongLong(&sizeOk));
    header.sha256 = fields.at(2);
    if (!countOk || !sizeOk || header.count < 1 || header.count > kMaxChunks || header.size < 0 ||
        header.sha256.size() != 64) {
        return std::nullopt;
    }
    return header;
}

QString chunkKey(const QString& key, int index)
{
    return key + QLatin1Char('/') + QString::number(index);
}

// QtKeychain 0.13 has no "no keychain" error for the Secret Service: libsecret's D-Bus failures arrive as
// OtherError, e.g. "Cannot autolaunch D-Bus without X11 $DISPLAY", "Could not connect: No such file or directory"
// or "The name org.freedesktop.secrets was not provided by any .service files".
bool isMissingSecretService(const QString& errorString)
{
    static const char* const markers[] = {"org.freedesktop.secrets",
                                          "org.freedesktop.DBus.Error",
                                          "D-Bus",
                                          "DBus",
                                          "kwalletd",
                                          "Could not connect",
                                          "autolaunch"};
    for (const char* marker : markers) {
        if (errorString.contains(QLatin1String(marker), Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
}

const char* errorName(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return "NoError";
    case QKeychain::EntryNotFound:
        return "EntryNotFound";
    case QKeychain::CouldNotDeleteEntry:
        return "CouldNotDeleteEntry";
    case QKeychain::AccessDeniedByUser:
        return "AccessDeniedByUser";
    case QKeychain::AccessDenied:
        return "AccessDenied";
    case QKeychain::NoBackendAvailable:
        return "NoBackendAvailable";
    case QKeychain::NotImplemented:
        return "NotImplemented";
    case QKeychain::OtherError:
        return "OtherError";
    }
    return "unknown error";
}
} // namespace

// The outcome of one QtKeychain job on one keychain item (the entry itself, or one of its chunks).
struct KeychainTokenStore::Item
{
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QByteArray data;
};

struct KeychainTokenStore::Operation
{
    enum class Kind
    {
        Write,
        Read,
        Remove,
    };

    Kind kind = Kind::Read;
    QString key;
    QByteArray secret; // write: the secret to store; read: the parts read so far
    QPointer<QObject> context;
    Callback done;

    // The chunks the entry had when this operation started (0: a plain value, or nothing).
    int storedChunks = 0;
    // Read: what the header promised.
    qsizetype expectedSize = 0;
    QByteArray expectedSha256;
    // Write: the parts of the new secret (empty: stored as a plain value).
    QList<QByteArray> chunks;

    const char* verb() const
    {
        switch (kind) {
        case Kind::Write:
            return "write";
        case Kind::Read:
            return "read";
        case Kind::Remove:
            return "remove";
        }
        return "use";
    }
};

KeychainTokenStore::KeychainTokenStore(const QString& service, qsizetype chunkSize, QObject* parent)
    : TokenStore(parent), m_service(service), m_chunkSize(chunkSize > 0 ? chunkSize : 0)
{
}

KeychainTokenStore::~KeychainTokenStore()
{
    // Jobs still running finish on their own and delete themselves; only their answers have nowhere to go.
    const Result cancelled{Status::Failed, {}, tr("The keychain operation was cancelled.")};
    for (const std::deque<OperationPtr>& queue : std::as_const(m_queues)) {
        for (const OperationPtr& op : queue) {
            if (op->context && op->done) {
                QMetaObject::invokeMethod(
                    op->context, [done = op->done, cancelled] { done(cancelled); }, Qt::QueuedConnection);
            }
        }
    }
}

void KeychainTokenStore::write(const QString& key, const QByteArray& secret, QObject* context, Callback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Write;
    op->key = key;
    op->secret = secret;
    op->context = context ? context : this;
    op->done = std::move(done);
    enqueue(op);
}

void KeychainTokenStore::read(const QString& key, QObject* context, Callback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Read;
    op->key = key;
    op->context = context ? context : this;
    op->done = std::move(done);
    enqueue(op);
}

void KeychainTokenStore::remove(const QString& key, QObject* context, Callback done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Operation::Kind::Remove;
    op->key = key;
    op->context = context ? context : this;
    op->done = std::move(done);
    enqueue(op);
}

void KeychainTokenStore::enqueue(const OperationPtr& op)
{
    std::deque<OperationPtr>& queue = m_queues[op->key];
    queue.push_back(op);
    if (queue.size() == 1) {
        start(op);
    }
}

void KeychainTokenStore::start(const OperationPtr& op)
{
    // Every operation first looks at what the key holds: a chunk header there names the other items of the entry.
    readItem(op->key, [this, op](const Item& stored) {
        if (stored.error != QKeychain::NoError && stored.error != QKeychain::EntryNotFound) {
            fail(op, stored);
            return;
        }
        if (stored.error == QKeychain::NoError && isHeader(stored.data)) {
            if (const std::optional<ChunkHeader> header = parseHeader(stored.data)) {
                op->storedChunks = header->count;
                op->expectedSize = header->size;
                op->expectedSha256 = header->sha256;
            } else {
                qCWarning(lcAuth).nospace()
                    << "keychain entry " << op->key << " for " << m_service << " has an unreadable chunk header";
            }
        }
        switch (op->kind) {
        case Operation::Kind::Read:
            continueRead(op, stored);
            break;
        case Operation::Kind::Write:
            continueWrite(op);
            break;
        case Operation::Kind::Remove:
            if (stored.error == QKeychain::EntryNotFound) {
                finish(op, Result{Status::Ok, {}, {}});
            } else {
                removeStoredChunks(op, 1);
            }
            break;
        }
    });
}

void KeychainTokenStore::finish(const OperationPtr& op, const Result& result)
{
    if (op->context && op->done) {
        // Queued to the context: dropped if it is destroyed before the answer is delivered.
        QMetaObject::invokeMethod(
            op->context, [done = std::move(op->done), result] { done(result); }, Qt::QueuedConnection);
    }
    op->secret.clear();

    const auto it = m_queues.find(op->key);
    Q_ASSERT(it != m_queues.end() && !it->empty() && it->front() == op);
    it->pop_front();
    if (it->empty()) {
        m_queues.erase(it);
    } else {
        start(it->front());
    }
}

void KeychainTokenStore::fail(const OperationPtr& op, const Item& item)
{
    Result result;
    switch (item.error) {
    case QKeychain::EntryNotFound:
        result.status = Status::NotFound;
        result.errorText = tr("No saved sign-in was found in the system keychain.");
        break;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        result.status = Status::Unavailable;
        break;
    case QKeychain::OtherError:
        result.status = isMissingSecretService(item.errorString) ? Status::Unavailable : Status::Failed;
        break;
    case QKeychain::AccessDeniedByUser:
        result.status = Status::Failed;
        result.errorText = tr("Access to the system keychain was refused.");
        break;
    case QKeychain::AccessDenied:
        result.status = Status::Failed;
        result.errorText = tr("The system keychain denied access; it may be locked.");
        break;
    case QKeychain::NoError:
    case QKeychain::CouldNotDeleteEntry:
        result.status = Status::Failed;
        break;
    }
    if (result.status == Status::Unavailable) {
        result.errorText = tr("No keychain service (such as GNOME Keyring or KWallet) is available in this session.");
    } else if (result.errorText.isEmpty()) {
        result.errorText = tr("The system keychain reported an error: %1").arg(item.errorString);
    }

    if (result.status == Status::NotFound) {
        qCDebug(lcAuth).nospace() << "keychain has no entry " << op->key << " for " << m_service;
    } else {
        // The key names the account, never the secret; QtKeychain's error texts never carry the stored data.
        qCWarning(lcAuth).nospace() << "keychain " << op->verb() << " of " << op->key << " for " << m_service
                                    << " failed: " << errorName(item.error) << ": " << item.errorString;
    }
    finish(op, result);
}

void KeychainTokenStore::continueRead(const OperationPtr& op, const Item& stored)
{
    if (stored.error == QKeychain::EntryNotFound) {
        fail(op, stored);
        return;
    }
    if (!isHeader(stored.data)) {
        finish(op, Result{Status::Ok, stored.data, {}});
        return;
    }
    if (op->storedChunks == 0) {
        finish(op, Result{Status::Failed, {}, tr("The saved sign-in in the system keychain is damaged.")});
        return;
    }
    readChunk(op, 1);
}

void KeychainTokenStore::readChunk(const OperationPtr& op, int index)
{
    if (index > op->storedChunks) {
        if (op->secret.size() != op->expectedSize || sha256Hex(op->secret) != op->expectedSha256) {
            // Another process rewrote the entry halfway, or a chunk was edited: never hand out a mixed secret.
            qCWarning(lcAuth).nospace() << "keychain entry " << op->key << " for " << m_service
                                        << " does not match its chunk header";
            finish(op, Result{Status::Failed, {}, tr("The saved sign-in in the system keychain is damaged.")});
            return;
        }
        finish(op, Result{Status::Ok, op->secret, {}});
        return;
    }
    readItem(chunkKey(op->key, index), [this, op, index](const Item& part) {
        if (part.error == QKeychain::EntryNotFound) {
            qCWarning(lcAuth).nospace() << "keychain entry " << op->key << " for " << m_service << " misses chunk "
                                        << index << " of " << op->storedChunks;
            finish(op, Result{Status::Failed, {}, tr("The saved sign-in in the system keychain is incomplete.")});
            return;
        }
        if (part.error != QKeychain::NoError) {
            fail(op, part);
            return;
        }
        op->secret += part.data;
        readChunk(op, index + 1);
    });
}

void KeychainTokenStore::continueWrite(const OperationPtr& op)
{
    const bool split = (m_chunkSize > 0 && op->secret.size() > m_chunkSize) || isHeader(op->secret);
    if (!split) {
        writeItem(op->key, op->secret, [this, op](const Item& written) {
            if (written.error != QKeychain::NoError) {
                fail(op, written);
                return;
            }
            removeStoredChunks(op, 1);
        });
        return;
    }
    const qsizetype size = m_chunkSize > 0 ? m_chunkSize : op->secret.size();
    for (qsizetype at = 0; at < op->secret.size(); at += size) {
        op->chunks.append(op->secret.mid(at, size));
    }
    if (op->chunks.size() > kMaxChunks) {
        qCWarning(lcAuth).nospace() << "keychain write of " << op->key << " for " << m_service
                                    << " refused: " << op->secret.size() << " bytes would need " << op->chunks.size()
                                    << " chunks";
        finish(op, Result{Status::Failed, {}, tr("The sign-in is too large for the system keychain.")});
        return;
    }
    writeChunk(op, 1);
}

void KeychainTokenStore::writeChunk(const OperationPtr& op, int index)
{
    const int count = static_cast<int>(op->chunks.size());
    if (index > count) {
        // The parts are all stored: only now point the key at them, so a reader never follows a header to parts
        // that are not there yet.
        writeItem(op->key, headerFor(count, op->secret), [this, op, count](const Item& written) {
            if (written.error != QKeychain::NoError) {
                fail(op, written);
                return;
            }
            removeStoredChunks(op, count + 1);
        });
        return;
    }
    writeItem(chunkKey(op->key, index), op->chunks.at(index - 1), [this, op, index](const Item& written) {
        if (written.error != QKeychain::NoError) {
            fail(op, written);
            return;
        }
        writeChunk(op, index + 1);
    });
}

void KeychainTokenStore::removeStoredChunks(const OperationPtr& op, int from)
{
    if (from <= op->storedChunks) {
        // Deleting an item that is already gone is not an error (the Secret Service says Ok, Windows NotFound).
        deleteItem(chunkKey(op->key, from), [this, op, from](const Item& deleted) {
            if (deleted.error != QKeychain::NoError && deleted.error != QKeychain::EntryNotFound) {
                fail(op, deleted);
                return;
            }
            removeStoredChunks(op, from + 1);
        });
        return;
    }
    if (op->kind != Operation::Kind::Remove) {
        finish(op, Result{Status::Ok, {}, {}});
        return;
    }
    // The header goes last: if this is interrupted, the entry still names its remaining chunks for the next try.
    deleteItem(op->key, [this, op](const Item& deleted) {
        if (deleted.error != QKeychain::NoError && deleted.error != QKeychain::EntryNotFound) {
            fail(op, deleted);
            return;
        }
        finish(op, Result{Status::Ok, {}, {}});
    });
}

void KeychainTokenStore::readItem(const QString& itemKey, ItemCallback next)
{
    auto* job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(itemKey);
    run(job, std::move(next));
}

void KeychainTokenStore::writeItem(const QString& itemKey, const QByteArray& data, ItemCallback next)
{
    auto* job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(itemKey);
    job->setBinaryData(data);
    run(job, std::move(next));
}

void KeychainTokenStore::deleteItem(const QString& itemKey, ItemCallback next)
{
    auto* job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(itemKey);
    run(job, std::move(next));
}

void KeychainTokenStore::run(QKeychain::Job* job, ItemCallback next)
{
    // No parent: the backend may still call into a job after this store is gone, so a job always lives until it
    // has finished and then deletes itself.
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [next = std::move(next)](QKeychain::Job* finished) {
        Item item;
        item.error = finished->error();
        item.errorString = finished->errorString();
        if (const auto* read = qobject_cast<const QKeychain::ReadPasswordJob*>(finished)) {
            item.data = read->binaryData();
        }
        next(item);
    });
    job->start();
}
