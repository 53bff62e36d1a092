#include "AuthSession.h"
#include "Clock.h"
#include "GraphClient.h"
#include "MemoryTokenStore.h"
#include "NetworkContext.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"
#include "UserSearchController.h"
#include "UserSearchModel.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {
// Counts the user reads the model sends (first pages, next pages and direct reads alike).
class CountingNetwork : public QNetworkAccessManager
{
public:
    int userReads = 0;

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& request, QIODevice* data) override
    {
        if (op == GetOperation && request.url().path().contains(QLatin1String("/users"))) {
            ++userReads;
        }
        return QNetworkAccessManager::createRequest(op, request, data);
    }
};

QJsonObject latency(int ms)
{
    return {{QStringLiteral("latency_ms"), ms}};
}
} // namespace

// UserSearchModel and UserSearchController against the real tenant-sim: lazy paging with @odata.nextLink, one
// request in flight, newer queries abort older ones, direct reads of ids and UPNs, and the states a view shows.
class TestUserSearchModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void tooShortAsksNothing();
    void pagesLazilyOneRequestAtATime();
    void newQueryAbortsTheOlderRequest();
    void directReadOfIdAndUpn();
    void failureOfFirstPageAndOfLaterPage();
    void controllerSendsOneQueryPerPause();

private:
    bool waitIdle(const UserSearchModel& model, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return !model.isBusy(); }, timeoutMs);
    }

    TenantSim m_sim;
    QTemporaryDir m_dir;
    MemoryTokenStore m_store;
    Clock m_clock;
    CountingNetwork m_manager;
    std::unique_ptr<NetworkContext> m_network;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<AuthSession> m_session;
    std::unique_ptr<GraphClient> m_graph;
    QUrl m_launched;
};

void TestUserSearchModel::initTestCase()
{
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("500")}), qPrintable(m_sim.errorText()));
    ConnectionSettings connection;
    connection.cloud = Cloud::Custom;
    connection.customAuthority = m_sim.baseUrl();
    connection.customGraph = m_sim.baseUrl();
    connection.tenant = QString::fromLatin1(TenantSim::kTenant);
    connection.clientId = QString::fromLatin1(TenantSim::kClientId);
    m_network = std::make_unique<NetworkContext>(&m_manager);
    m_settings = std::make_unique<SettingsStore>(m_dir.filePath(QStringLiteral("settings.ini")));
    m_session =
        std::make_unique<AuthSession>(connection, *m_network, m_store, *m_settings, m_clock, [this](const QUrl& url) {
            m_launched = url;
            return true;
        });
    m_session->signIn();
    QTRY_VERIFY(m_launched.isValid());
    ScriptedBrowser browser;
    const auto outcome =
        browser.run(m_launched, QStringLiteral("nora@contoso.test"), QString::fromLatin1(TenantSim::kPassword));
    QVERIFY2(outcome.reachedLoopback, qPrintable(outcome.failure));
    QTRY_COMPARE(m_session->state(), AuthSession::State::SignedIn);
    m_graph = std::make_unique<GraphClient>(*m_network, *m_session, connection.graphEndpoint());
}

void TestUserSearchModel::init()
{
    m_graph->setMaxRetries(3);
    m_manager.userReads = 0;
}

void TestUserSearchModel::cleanup()
{
    m_sim.control("DELETE", QStringLiteral("/_sim/faults"));
    m_sim.control("PUT", QStringLiteral("/_sim/config"), latency(0));
}

void TestUserSearchModel::tooShortAsksNothing()
{
    UserSearchModel model;
    model.setGraphClient(m_graph.get());
    QSignalSpy states(&model, &UserSearchModel::stateChanged);
    model.search(QStringLiteral(" l "));
    QCOMPARE(model.state(), UserSearchModel::State::TooShort);
    model.search(QString());
    QCOMPARE(model.state(), UserSearchModel::State::Empty);
    QCOMPARE(states.size(), 2);
    QVERIFY(!model.isBusy());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.canFetchMore(QModelIndex()));
    QCOMPARE(m_manager.userReads, 0);
}

void TestUserSearchModel::pagesLazilyOneRequestAtATime()
{
    UserSearchModel model;
    model.setGraphClient(m_graph.get());
    model.setPageSize(2);
    model.search(QStringLiteral("john"));
    QCOMPARE(model.state(), UserSearchModel::State::Loading);
    QVERIFY(model.isBusy());
    QVERIFY(!model.canFetchMore(QModelIndex())); // nothing to page before the first answer
    QVERIFY(waitIdle(model));
    QCOMPARE(model.state(), UserSearchModel::State::Results);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(model.totalCount().has_value());
    const qint64 total = *model.totalCount();
    QVERIFY2(total > 4, qPrintable(QString::number(total))); // the four John Smiths at least
    QCOMPARE(model.columnCount(), static_cast<int>(UserSearchModel::ColumnCount));
    QCOMPARE(model.headerData(UserSearchModel::UpnColumn, Qt::Horizontal).toString(), QStringLiteral("UPN"));

    int requests = m_manager.userReads;
    while (model.canFetchMore(QModelIndex())) {
        const int before = model.rowCount();
        model.fetchMore(QModelIndex());
        QVERIFY(model.isBusy());
        QVERIFY(!model.canFetchMore(QModelIndex())); // one request in flight at most
        model.fetchMore(QModelIndex());              // a view asking again sends nothing
        QVERIFY(waitIdle(model));
        QCOMPARE(m_manager.userReads, ++requests);
        QVERIFY(model.rowCount() > before);
    }
    QCOMPARE(static_cast<qint64>(model.rowCount()), total);
    QSet<QString> ids;
    for (int row = 0; row < model.rowCount(); ++row) {
        ids.insert(model.data(model.index(row, 0), UserSearchModel::ObjectIdRole).toString());
    }
    QCOMPARE(ids.size(), model.rowCount()); // no user twice across pages
}

void TestUserSearchModel::newQueryAbortsTheOlderRequest()
{
    UserSearchModel model;
    model.setGraphClient(m_graph.get());
    model.setPageSize(2);
    model.search(QStringLiteral("john"));
    QVERIFY(waitIdle(model));
    QVERIFY(model.canFetchMore(QModelIndex()));
    QCOMPARE(m_sim.control("PUT", QStringLiteral("/_sim/config"), latency(400)).status, 200);

    model.fetchMore(QModelIndex()); // slow page of "john", in flight...
    QVERIFY(model.isBusy());
    model.search(QStringLiteral("lost@contoso.test")); // ...overtaken by a new query
    QVERIFY(model.isBusy());
    model.search(QStringLiteral("nora@contoso.test")); // ...and that one by another
    QVERIFY(waitIdle(model));
    QCOMPARE(model.state(), UserSearchModel::State::Results);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.user(0).userPrincipalName, QStringLiteral("nora@contoso.test"));
    // Nothing of the aborted answers arrives later.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QVERIFY(!inserted.wait(1200));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(model.rowCount(), 1);
}

void TestUserSearchModel::directReadOfIdAndUpn()
{
    UserSearchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setGraphClient(m_graph.get());
    model.search(QStringLiteral("11111111-1111-4111-8111-000000000005"));
    QVERIFY(waitIdle(model));
    QCOMPARE(model.rowCount(), 1);
    const DirectoryUser lou = model.user(0);
    QCOMPARE(lou.displayName, QStringLiteral("Lou Stone"));
    QCOMPARE(model.data(model.index(0, UserSearchModel::EnabledColumn)).toString(), QStringLiteral("Enabled"));
    QCOMPARE(model.data(model.index(0, UserSearchModel::DepartmentColumn)).toString(), QStringLiteral("Operations"));
    QVERIFY(lou.signInSessionsValidFrom.isValid());
    QVERIFY(!model.canFetchMore(QModelIndex()));
    QCOMPARE(model.rowOfUser(lou.id.toUpper()), 0);

    DirectoryUser changed = lou;
    changed.signInSessionsValidFrom = lou.signInSessionsValidFrom.addSecs(60);
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    model.updateUser(changed);
    QCOMPARE(dataChanged.size(), 1);
    QCOMPARE(model.user(0).signInSessionsValidFrom, changed.signInSessionsValidFrom);

    model.search(QStringLiteral("ann_fabrikam.com#EXT#@contoso.test"));
    QVERIFY(waitIdle(model));
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.user(0).isGuest());
    QVERIFY(model.data(model.index(0, UserSearchModel::NameColumn)).toString().contains(QStringLiteral("guest")));

    model.search(QStringLiteral("nobody.at.all@contoso.test"));
    QVERIFY(waitIdle(model));
    QCOMPARE(model.state(), UserSearchModel::State::NoMatches);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.lastError().isError());
}

void TestUserSearchModel::failureOfFirstPageAndOfLaterPage()
{
    m_graph->setMaxRetries(0);
    UserSearchModel model;
    model.setGraphClient(m_graph.get());
    model.setPageSize(2);
    QSignalSpy errors(&model, &UserSearchModel::errorOccurred);

    QCOMPARE(m_sim
                 .control("POST", QStringLiteral("/_sim/faults"),
                          {{QStringLiteral("path"), QStringLiteral("^/v1.0/users$")},
                           {QStringLiteral("kind"), QStringLiteral("503")},
                           {QStringLiteral("count"), 1}})
                 .status,
             201);
    model.search(QStringLiteral("john"));
    QVERIFY(waitIdle(model));
    QCOMPARE(model.state(), UserSearchModel::State::Failed);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(model.lastError().kind, GraphError::Kind::Unavailable);
    QVERIFY(!model.lastError().message.isEmpty());
    QCOMPARE(model.rowCount(), 0);

    model.search(QStringLiteral("john")); // the fault is used up
    QVERIFY(waitIdle(model));
    QCOMPARE(model.state(), UserSearchModel::State::Results);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(m_sim
                 .control("POST", QStringLiteral("/_sim/faults"),
                          {{QStringLiteral("path"), QStringLiteral("^/v1.0/users$")},
                           {QStringLiteral("kind"), QStringLiteral("503")},
                           {QStringLiteral("count"), 1}})
                 .status,
             201);
    model.fetchMore(QModelIndex());
    QVERIFY(waitIdle(model));
    QCOMPARE(errors.size(), 2);
    QCOMPARE(model.rowCount(), 2); // the rows already found stay
    QCOMPARE(model.state(), UserSearchModel::State::Results);
    QVERIFY(!model.canFetchMore(QModelIndex())); // no storm of retries from a view scrolled to the end
}

void TestUserSearchModel::controllerSendsOneQueryPerPause()
{
    UserSearchModel model;
    model.setGraphClient(m_graph.get());
    UserSearchController controller(model);
    controller.setDelayMs(100);
    QSignalSpy pending(&controller, &UserSearchController::pendingChanged);

    QString text;
    for (const QChar c : QStringLiteral("lou sto")) {
        text += c;
        controller.setText(text);
    }
    QVERIFY(controller.isPending());
    QCOMPARE(m_manager.userReads, 0);
    QTRY_VERIFY(!controller.isPending());
    QVERIFY(waitIdle(model));
    QCOMPARE(m_manager.userReads, 1);
    QCOMPARE(model.query(), QStringLiteral("lou sto"));
    QCOMPARE(pending.size(), 2); // became pending once, settled once

    controller.setText(QStringLiteral("lou stoX"));
    controller.setText(QStringLiteral("lou sto"));
    QTRY_VERIFY(!controller.isPending());
    QCOMPARE(m_manager.userReads, 1); // back to the answered query: nothing new

    controller.setText(QStringLiteral("lo"));
    controller.searchNow(); // Enter: no waiting for the pause
    QVERIFY(!controller.isPending());
    QCOMPARE(model.query(), QStringLiteral("lo"));
    QVERIFY(waitIdle(model));
    QCOMPARE(m_manager.userReads, 2);

    controller.setText(QStringLiteral("l")); // too short: at once, and the timer is off
    QVERIFY(!controller.isPending());
    QCOMPARE(model.state(), UserSearchModel::State::TooShort);
}

QTEST_MAIN(TestUserSearchModel)
#include "TestUserSearchModel.moc"
