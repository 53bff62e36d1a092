#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QNetworkAccessManager>
#include <QUrl>

// The app's access manager in the benchmarks: a plain QNetworkAccessManager that also counts the Graph user reads
// the app sends (GET /v1.0/users..., the search and its pages) and when each was sent. Requests the benchmark
// sends itself (the baselines) carry kUncounted and are not counted.
class CountingNetwork : public QNetworkAccessManager
{
public:
    // QNetworkRequest attribute: set to true on a benchmark's own request.
    static constexpr auto kUncounted = QNetworkRequest::Attribute(QNetworkRequest::User + 1);

    explicit CountingNetwork(const QElapsedTimer& clock) : m_clock(clock) {}

    struct Sent
    {
        QUrl url;
        qint64 atNs; // on the benchmark's clock
    };
    const QList<Sent>& userReads() const { return m_userReads; }
    void clearUserReads() { m_userReads.clear(); }

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& request, QIODevice* data) override;

private:
    const QElapsedTimer& m_clock;
    QList<Sent> m_userReads;
};
