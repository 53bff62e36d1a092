// Search as you type against tenant-sim (bench/README.md, "app"): the operator types a 12-character name into the
// real search box, one key every 80 ms, and the benchmark counts the Graph requests that reach /v1.0/users
// (figure: requests per query; baseline: the pauses in the typing, one per query) and times the last keystroke to
// the results painted in the table (baseline: one bare round trip of the same query through the same
// QNetworkAccessManager, measured right after). Prints one JSON object on stdout; progress goes to stderr.

#include "CountingNetwork.h"
#include "MainWindow.h"
#include "Samples.h"
#include "SignedInApp.h"
#include "TenantSim.h"
#include "UserSearchController.h"
#include "UserSearchModel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QNetworkReply>
#include <QSet>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <cstdio>

namespace {
constexpr int kQueryLength = 12;

double ms(qint64 ns)
{
    return static_cast<double>(ns) / 1e6;
}

// The first model change (reset or rows inserted) after arm(), then the first paint of the table's viewport after
// that change, and when that paint pass had been flushed.
class ResultsPaintWatch : public QObject
{
public:
    ResultsPaintWatch(QAbstractItemModel& model, QWidget& viewport, const QElapsedTimer& clock)
        : m_viewport(viewport), m_clock(clock)
    {
        connect(&model, &QAbstractItemModel::modelReset, this, &ResultsPaintWatch::modelChanged);
        connect(&model, &QAbstractItemModel::rowsInserted, this, &ResultsPaintWatch::modelChanged);
        viewport.installEventFilter(this);
    }

    void arm()
    {
        m_armed = true;
        modelNs = paintEventNs = paintedNs = -1;
    }
    void disarm() { m_armed = false; }

    qint64 modelNs = -1;
    qint64 paintEventNs = -1;
    qint64 paintedNs = -1;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (m_armed && watched == &m_viewport && event->type() == QEvent::Paint && modelNs >= 0 && paintEventNs < 0) {
            paintEventNs = m_clock.nsecsElapsed();
            // Queued: runs once the whole paint pass, flush included, is done.
            QMetaObject::invokeMethod(
                this, [this] { paintedNs = m_clock.nsecsElapsed(); }, Qt::QueuedConnection);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    void modelChanged()
    {
        if (m_armed && modelNs < 0) {
            modelNs = m_clock.nsecsElapsed();
        }
    }

    QWidget& m_viewport;
    const QElapsedTimer& m_clock;
    bool m_armed = false;
};

// Display names to type: 12-character prefixes (no leading or trailing space, which the app trims; ASCII, which
// QTest can type) of real users, with different initials, spread through the first 999 users of the directory.
QStringList pickQueries(const TenantSim& sim, int count)
{
    const QJsonObject grant = sim.passwordGrant(QStringLiteral("helpdesk@contoso.test"),
                                                QStringLiteral("https://graph.microsoft.com/User.Read.All"));
    const QByteArray token = grant.value(QStringLiteral("access_token")).toString().toLatin1();
    const TenantSim::Answer answer = sim.request("GET", QStringLiteral("/v1.0/users?$select=displayName&$top=999"), {},
                                                 {{"Authorization", "Bearer " + token}});
    QStringList candidates;
    const QJsonArray users = answer.json().value(QStringLiteral("value")).toArray();
    for (const QJsonValue& user : users) {
        const QString prefix = user.toObject().value(QStringLiteral("displayName")).toString().left(kQueryLength);
        const bool ascii = std::all_of(prefix.cbegin(), prefix.cend(),
                                       [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f; });
        if (prefix.size() == kQueryLength && ascii && prefix.trimmed() == prefix) {
            candidates.append(prefix);
        }
    }
    QStringList picked;
    QSet<QChar> initials;
    const qsizetype step = std::max<qsizetype>(1, candidates.size() / std::max(1, count * 2));
    for (qsizetype i = 0; i < candidates.size() && picked.size() < count; i += step) {
        const QChar initial = candidates.at(i).at(0).toLower();
        if (!initials.contains(initial) && !picked.contains(candidates.at(i))) {
            initials.insert(initial);
            picked.append(candidates.at(i));
        }
    }
    for (qsizetype i = 0; i < candidates.size() && picked.size() < count; ++i) { // fewer initials than queries
        if (!picked.contains(candidates.at(i))) {
            picked.append(candidates.at(i));
        }
    }
    return picked;
}
} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Search-as-you-type benchmark of session-revoker."));
    parser.addHelpOption();
    const QCommandLineOption usersOption(QStringLiteral("users"), QStringLiteral("Users in the directory."),
                                         QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption latencyOption(QStringLiteral("latency-ms"), QStringLiteral("Simulated latency."),
                                           QStringLiteral("ms"), QStringLiteral("50"));
    const QCommandLineOption queriesOption(QStringLiteral("queries"), QStringLiteral("Names typed."),
                                           QStringLiteral("n"), QStringLiteral("15"));
    const QCommandLineOption intervalOption(QStringLiteral("key-interval-ms"),
                                            QStringLiteral("Time from one key to the next."), QStringLiteral("ms"),
                                            QStringLiteral("80"));
    // Diagnosis only (bench/README.md): what the debounce would cost as a Qt::PreciseTimer.
    const QCommandLineOption preciseOption(QStringLiteral("precise-debounce"),
                                           QStringLiteral("Make the search controller's timer a precise one."));
    parser.addOptions({usersOption, latencyOption, queriesOption, intervalOption, preciseOption});
    parser.process(app);
    const int latencyMs = parser.value(latencyOption).toInt();
    const int queryCount = parser.value(queriesOption).toInt();
    const int keyIntervalMs = parser.value(intervalOption).toInt();

    TenantSim sim;
    // Throttling out of the way, as in the simulator's benchmark: a 429 here would measure Retry-After.
    if (!sim.start({QStringLiteral("--users"), parser.value(usersOption), QStringLiteral("--latency-ms"),
                    QString::number(latencyMs), QStringLiteral("--ru-limit"), QStringLiteral("1000000000")})) {
        std::fprintf(stderr, "search_typing: %s\n", qUtf8Printable(sim.errorText()));
        return 1;
    }
    const QStringList queries = pickQueries(sim, queryCount);
    if (queries.size() < queryCount) {
        std::fprintf(stderr, "search_typing: only %lld names to type\n", static_cast<long long>(queries.size()));
        return 1;
    }

    QElapsedTimer clock;
    clock.start();
    SignedInApp signedIn(sim.baseUrl(), clock);
    if (!signedIn.signIn(QStringLiteral("helpdesk@contoso.test"))) {
        return 1;
    }
    MainWindow& window = signedIn.window();
    UserSearchModel* model = window.searchModel();
    UserSearchController* controller = window.searchController();
    QLineEdit* edit = signedIn.searchEdit();
    QTableView* view = signedIn.resultsView();
    CountingNetwork& network = signedIn.network();
    const int debounceMs = controller->delayMs();
    if (parser.isSet(preciseOption)) {
        for (QTimer* timer : controller->findChildren<QTimer*>()) {
            timer->setTimerType(Qt::PreciseTimer);
        }
    }
    ResultsPaintWatch watch(*model, *view->viewport(), clock);
    const QByteArray token = signedIn.accessToken();

    int requests = 0;
    int pauses = 0;
    Samples keyGaps;
    Samples keyToPainted;
    Samples keyToSent;
    Samples sentToModel;
    Samples modelToPainted;
    Samples rtt;
    QJsonArray perQuery;
    for (const QString& query : queries) {
        edit->clear(); // nothing to search: no request
        SignedInApp::runUntil([&] { return model->state() == UserSearchModel::State::Empty && !model->isBusy(); },
                              5000);
        SignedInApp::runFor(debounceMs + 50);
        network.clearUserReads();

        // One key every keyIntervalMs, on a schedule (not after a fixed wait), so a slow keystroke does not push
        // the next ones back.
        const qint64 startNs = clock.nsecsElapsed();
        qint64 previousKeyNs = -1;
        qint64 lastKeyNs = -1;
        int queryPauses = 1; // the pause after the last key
        for (int i = 0; i < query.size(); ++i) {
            const qint64 dueNs = startNs + qint64(i) * keyIntervalMs * 1000000;
            SignedInApp::runUntil([&] { return clock.nsecsElapsed() >= dueNs; }, keyIntervalMs * 2);
            if (i == query.size() - 1) {
                watch.arm();
            }
            const qint64 keyNs = clock.nsecsElapsed();
            if (previousKeyNs >= 0) {
                keyGaps.add(ms(keyNs - previousKeyNs));
                // A gap as long as the debounce interval is a pause the app must answer, once the text is long
                // enough to be searched: it counts in the baseline.
                if (ms(keyNs - previousKeyNs) >= debounceMs && i >= UserSearchModel::kMinimumLength) {
                    ++queryPauses;
                }
            }
            previousKeyNs = lastKeyNs = keyNs;
            QTest::keyClick(edit, query.at(i).toLatin1());
        }
        const bool painted = SignedInApp::runUntil([&] { return watch.paintedNs >= 0; }, 15000);
        watch.disarm();
        if (!painted || model->state() != UserSearchModel::State::Results) {
            std::fprintf(stderr, "search_typing: '%s' was not answered with painted results (state %d)\n",
                         qUtf8Printable(query), static_cast<int>(model->state()));
            return 1;
        }
        // Whatever the app still had to send for this query has been sent by now.
        SignedInApp::runFor(debounceMs + 100);
        const QList<CountingNetwork::Sent> sent = network.userReads();
        requests += static_cast<int>(sent.size());
        pauses += queryPauses;
        const CountingNetwork::Sent& last = sent.last();
        keyToPainted.add(ms(watch.paintedNs - lastKeyNs));
        keyToSent.add(ms(last.atNs - lastKeyNs));
        sentToModel.add(ms(watch.modelNs - last.atNs));
        modelToPainted.add(ms(watch.paintedNs - watch.modelNs));

        // Baseline: the same query, sent bare through the same access manager. The clauses get one more space
        // each (same meaning, same answer) so that the simulator's match cache does not answer it.
        QUrl bare = last.url;
        QString encoded = bare.query(QUrl::FullyEncoded);
        encoded.replace(QStringLiteral("%20OR%20"), QStringLiteral("%20%20OR%20"));
        bare.setQuery(encoded, QUrl::StrictMode);
        QNetworkRequest request(bare);
        request.setAttribute(CountingNetwork::kUncounted, true);
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setRawHeader("Accept", "application/json");
        request.setRawHeader("ConsistencyLevel", "eventual");
        const qint64 sentNs = clock.nsecsElapsed();
        QNetworkReply* reply = network.get(request);
        qint64 answeredNs = -1;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&] { answeredNs = clock.nsecsElapsed(); });
        SignedInApp::runUntil([&] { return answeredNs >= 0; }, 15000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        delete reply;
        if (answeredNs < 0 || status != 200 || !body.contains("\"value\"")) {
            std::fprintf(stderr, "search_typing: the baseline request for '%s' failed (HTTP %d)\n",
                         qUtf8Printable(query), status);
            return 1;
        }
        rtt.add(ms(answeredNs - sentNs));

        perQuery.append(QJsonObject{{QStringLiteral("query"), query},
                                    {QStringLiteral("requests"), static_cast<int>(sent.size())},
                                    {QStringLiteral("pauses"), queryPauses},
                                    {QStringLiteral("rows"), model->rowCount()},
                                    {QStringLiteral("key_to_painted_ms"), ms(watch.paintedNs - lastKeyNs)},
                                    {QStringLiteral("rtt_ms"), ms(answeredNs - sentNs)}});
        std::fprintf(stderr, "  %-14s %d request(s), last key to painted %.1f ms, bare round trip %.1f ms\n",
                     qUtf8Printable(QLatin1Char('\'') + query + QLatin1Char('\'')), static_cast<int>(sent.size()),
                     ms(watch.paintedNs - lastKeyNs), ms(answeredNs - sentNs));
    }

    const double goalMs = debounceMs + rtt.median() + 30;
    const QJsonObject typing{
        {QStringLiteral("queries"), static_cast<int>(queries.size())},
        {QStringLiteral("query_length"), kQueryLength},
        {QStringLiteral("key_interval_ms"), keyIntervalMs},
        {QStringLiteral("debounce_ms"), debounceMs},
        {QStringLiteral("requests"), requests},
        {QStringLiteral("pauses"), pauses},
        {QStringLiteral("requests_per_query"), double(requests) / double(queries.size())},
        {QStringLiteral("ratio"), double(requests) / double(pauses)},
        {QStringLiteral("key_gap_ms"), keyGaps.summary()},
        {QStringLiteral("per_query"), perQuery},
    };
    const QJsonObject results{
        {QStringLiteral("latency_ms"), latencyMs},
        {QStringLiteral("debounce_ms"), debounceMs},
        {QStringLiteral("key_to_painted_ms"), keyToPainted.summary()},
        {QStringLiteral("key_to_sent_ms"), keyToSent.summary()},
        {QStringLiteral("sent_to_model_ms"), sentToModel.summary()},
        {QStringLiteral("model_to_painted_ms"), modelToPainted.summary()},
        {QStringLiteral("rtt_ms"), rtt.summary()},
        {QStringLiteral("goal_ms"), goalMs},
        {QStringLiteral("margin_ms"), goalMs - keyToPainted.median()},
        {QStringLiteral("ratio"), keyToPainted.median() / (debounceMs + rtt.median())},
    };
    const QJsonObject out{{QStringLiteral("typing"), typing}, {QStringLiteral("results_latency"), results}};
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputs("\n", stdout);
    return 0;
}
