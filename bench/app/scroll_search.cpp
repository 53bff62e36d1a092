// Scrolling all of a large search (bench/README.md, "app"): the broadest query the search box can send to a
// 100,000-user tenant-sim, scrolled to its last row a page step at a time while the view fetches more pages as it
// needs them. Figures: the event-loop stalls during the scroll (gaps of a 1 ms heartbeat; baseline: the same
// heartbeat on the idle window just before) and the process's peak RSS (baseline: its RSS before the scroll).
// Prints one JSON object on stdout; progress goes to stderr.

#include "CountingNetwork.h"
#include "Heartbeat.h"
#include "MainWindow.h"
#include "SignedInApp.h"
#include "TenantSim.h"
#include "UserSearchModel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

namespace {
double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // KiB on Linux
}

// User and system CPU time of the whole process (GUI thread, Qt's network thread), ms.
double processCpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double currentRssMiB()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QList<QByteArray> fields = statm.readAll().split(' ');
    const double pages = fields.size() > 1 ? fields.at(1).toDouble() : 0;
    return pages * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Scroll benchmark of session-revoker's search results."));
    parser.addHelpOption();
    const QCommandLineOption usersOption(QStringLiteral("users"), QStringLiteral("Users in the directory."),
                                         QStringLiteral("n"), QStringLiteral("100000"));
    // "s." is a search token "s" (the dot separates): every user with a name part starting with s, the broadest
    // text the app searches for in the simulated directory (bench/README.md).
    const QCommandLineOption queryOption(QStringLiteral("query"), QStringLiteral("Text typed into the search box."),
                                         QStringLiteral("text"), QStringLiteral("s."));
    const QCommandLineOption stepOption(QStringLiteral("step-ms"), QStringLiteral("Time between page steps."),
                                        QStringLiteral("ms"), QStringLiteral("16"));
    const QCommandLineOption idleOption(QStringLiteral("idle-ms"), QStringLiteral("Length of the idle baseline."),
                                        QStringLiteral("ms"), QStringLiteral("3000"));
    parser.addOptions({usersOption, queryOption, stepOption, idleOption});
    parser.process(app);
    const int stepMs = parser.value(stepOption).toInt();
    const int idleMs = parser.value(idleOption).toInt();

    TenantSim sim;
    if (!sim.start({QStringLiteral("--users"), parser.value(usersOption), QStringLiteral("--ru-limit"),
                    QStringLiteral("1000000000")})) {
        std::fprintf(stderr, "scroll_search: %s\n", qUtf8Printable(sim.errorText()));
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    SignedInApp signedIn(sim.baseUrl(), clock);
    if (!signedIn.signIn(QStringLiteral("helpdesk@contoso.test"))) {
        return 1;
    }
    UserSearchModel* model = signedIn.window().searchModel();
    QTableView* view = signedIn.resultsView();
    QScrollBar* bar = view->verticalScrollBar();
    CountingNetwork& network = signedIn.network();

    QTest::keyClicks(signedIn.searchEdit(), parser.value(queryOption));
    if (!SignedInApp::runUntil([&] { return model->state() == UserSearchModel::State::Results; }, 30000)) {
        std::fprintf(stderr, "scroll_search: no results for '%s'\n", qUtf8Printable(parser.value(queryOption)));
        return 1;
    }
    const qint64 total = model->totalCount().value_or(-1);
    std::fprintf(stderr, "  '%s': %lld users, %d rows per page\n", qUtf8Printable(parser.value(queryOption)),
                 static_cast<long long>(total), model->rowCount());
    SignedInApp::runFor(500);

    Heartbeat heartbeat;
    heartbeat.start();
    SignedInApp::runFor(idleMs);
    heartbeat.stop();
    const Samples idle = heartbeat.gaps();
    const Samples idleBusy = heartbeat.busy();
    const double rssBefore = currentRssMiB();
    const double peakBefore = peakRssMiB();

    // A page step every stepMs (a click held in the scroll bar's track), for as long as there is more to see or to
    // fetch.
    network.clearUserReads();
    int steps = 0;
    QTimer stepper;
    stepper.setTimerType(Qt::PreciseTimer);
    stepper.setInterval(stepMs);
    QObject::connect(&stepper, &QTimer::timeout, view, [&] {
        bar->triggerAction(QAbstractSlider::SliderPageStepAdd);
        ++steps;
    });
    // Every row fetched and the last page on screen (within one page step: under load the view may still be
    // laying out the last rows when the stepper's next step comes).
    const auto atEnd = [&] {
        return bar->value() >= bar->maximum() - bar->pageStep() && !model->isBusy() &&
               !model->canFetchMore(QModelIndex());
    };
    const qint64 scrollStart = clock.nsecsElapsed();
    const double cpuStart = processCpuMs();
    heartbeat.start();
    stepper.start();
    // The view lays out inserted rows later (a delayed layout), so the scroll bar's maximum can lag the model by an
    // event: the end is reached only when it still holds two steps later.
    const bool reachedEnd = SignedInApp::runUntil(atEnd, 15 * 60 * 1000, stepMs * 2);
    stepper.stop();
    heartbeat.stop();
    const double scrollSecs = static_cast<double>(clock.nsecsElapsed() - scrollStart) / 1e9;
    const double scrollCpuMs = processCpuMs() - cpuStart;
    const Samples& scroll = heartbeat.gaps();
    const Samples& scrollBusy = heartbeat.busy();
    const double rssAfter = currentRssMiB();
    const double peak = peakRssMiB();
    if (!reachedEnd) {
        std::fprintf(stderr,
                     "scroll_search: the end was not reached (%d of %lld rows; at %d of %d, busy %d, more %d)\n",
                     model->rowCount(), static_cast<long long>(total), bar->value(), bar->maximum(),
                     int(model->isBusy()), int(model->canFetchMore(QModelIndex())));
        return 1;
    }
    if (model->rowCount() != total) { // paging stopped early: an error, or @odata.count was wrong
        std::fprintf(stderr, "scroll_search: the end came at %d rows of %lld\n", model->rowCount(),
                     static_cast<long long>(total));
        return 1;
    }
    std::fprintf(stderr, "  scrolled %d rows in %.1f s (%d steps, %lld pages fetched); heartbeat p99 %.1f ms\n",
                 model->rowCount(), scrollSecs, steps, static_cast<long long>(network.userReads().size()),
                 scroll.percentile(99));

    const int rows = model->rowCount();
    const QJsonObject out{
        {QStringLiteral("scroll"),
         QJsonObject{
             {QStringLiteral("query"), parser.value(queryOption)},
             {QStringLiteral("directory_users"), parser.value(usersOption).toInt()},
             {QStringLiteral("total_count"), static_cast<double>(total)},
             {QStringLiteral("rows"), rows},
             {QStringLiteral("pages_fetched"), static_cast<int>(network.userReads().size())},
             {QStringLiteral("page_steps"), steps},
             {QStringLiteral("step_ms"), stepMs},
             {QStringLiteral("seconds"), scrollSecs},
             {QStringLiteral("cpu_ms"), scrollCpuMs},
             {QStringLiteral("cpu_ms_per_page"),
              scrollCpuMs / std::max(1.0, static_cast<double>(network.userReads().size()))},
             {QStringLiteral("gaps_ms"), scroll.summary()},
             {QStringLiteral("idle_gaps_ms"), idle.summary()},
             {QStringLiteral("gap_cpu_ms"), scrollBusy.summary()},
             {QStringLiteral("idle_gap_cpu_ms"), idleBusy.summary()},
             {QStringLiteral("gaps_over_50ms"), static_cast<double>(scroll.countAbove(50))},
             {QStringLiteral("p99_ratio"), scroll.percentile(99) / idle.percentile(99)},
             {QStringLiteral("rss_before_mib"), rssBefore},
             {QStringLiteral("peak_before_mib"), peakBefore},
             {QStringLiteral("rss_after_mib"), rssAfter},
             {QStringLiteral("peak_rss_mib"), peak},
             {QStringLiteral("rss_ratio"), peak / rssBefore},
             {QStringLiteral("kib_per_row"), rows > 0 ? (rssAfter - rssBefore) * 1024.0 / rows : 0.0},
         }},
    };
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputs("\n", stdout);
    return 0;
}
