#include "MemoryTokenStore.h"

#include <QMetaObject>

#include <algorithm>

MemoryTokenStore::MemoryTokenStore(QObject* parent) : TokenStore(parent) {}

void MemoryTokenStore::write(const QString& key, const QByteArray& secret, QObject* context, Callback done)
{
    if (failing(context, done)) {
        return;
    }
    // Stored now, reported later: a read issued after this call sees the new value, as with the keychain.
    m_entries.insert(key, secret);
    deliver(context, std::move(done), Result{Status::Ok, {}, {}});
}

void MemoryTokenStore::read(const QString& key, QObject* context, Callback done)
{
    if (failing(context, done)) {
        return;
    }
    const auto it = m_entries.constFind(key);
    if (it == m_entries.constEnd()) {
        deliver(context, std::move(done), Result{Status::NotFound, {}, tr("No saved sign-in was found.")});
        return;
    }
    deliver(context, std::move(done), Result{Status::Ok, *it, {}});
}

void MemoryTokenStore::remove(const QString& key, QObject* context, Callback done)
{
    if (failing(context, done)) {
        return;
    }
    m_entries.remove(key);
    deliver(context, std::move(done), Result{Status::Ok, {}, {}});
}

void MemoryTokenStore::setFailure(Status status, const QString& errorText)
{
    m_failure = status;
    m_failureText = errorText;
}

QStringList MemoryTokenStore::keys() const
{
    QStringList keys = m_entries.keys();
    std::sort(keys.begin(), keys.end());
    return keys;
}

bool MemoryTokenStore::failing(QObject* context, Callback& done)
{
    if (m_failure == Status::Ok) {
        return false;
    }
    const QString text = m_failureText.isEmpty() ? tr("The in-memory token store was told to fail.") : m_failureText;
    deliver(context, std::move(done), Result{m_failure, {}, text});
    return true;
}

void MemoryTokenStore::deliver(QObject* context, Callback done, const Result& result)
{
    if (!done) {
        return;
    }
    // Queued to the context: never inside the caller's call, and dropped with the context if it dies first.
    QMetaObject::invokeMethod(
        context ? context : this, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
}
