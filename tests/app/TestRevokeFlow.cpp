#include "AuditWindow.h"
#include "Clock.h"
#include "ConnectionDialog.h"
#include "GraphClient.h"
#include "MainWindow.h"
#include "MemoryTokenStore.h"
#include "RevokeDialog.h"
#include "ScriptedBrowser.h"
#include "SettingsStore.h"
#include "TenantSim.h"
#include "UserSearchController.h"
#include "UserSearchModel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QImage>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUrlQuery>

namespace {
constexpr char kLouId[] = "11111111-1111-4111-8111-000000000005";

ConnectionSettings connectionTo(const QUrl& base)
{
    ConnectionSettings s;
    s.cloud = Cloud::Custom;
    s.customAuthority = base;
    s.customGraph = base;
    s.tenant = QString::fromLatin1(TenantSim::kTenant);
    s.clientId = QString::fromLatin1(TenantSim::kClientId);
    return s;
}

template <typename T> T* child(const QObject& parent, const char* name)
{
    return parent.findChild<T*>(QLatin1String(name));
}

// The app's own access manager, counting what it sends: Graph user reads, and revocations.
class CountingNetwork : public QNetworkAccessManager
{
public:
    QList<QUrl> userReads;       // GET .../users...
    QList<QUrl> posts;           // POST to Graph (revocations)
    QList<QUrlQuery> tokenForms; // POST to the token endpoint, the form sent

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& request, QIODevice* data) override
    {
        const QString path = request.url().path();
        const bool graph = path.startsWith(QLatin1String("/v1.0/")) || path.startsWith(QLatin1String("/beta/"));
        if (graph && op == GetOperation && path.contains(QLatin1String("/users"))) {
            userReads.append(request.url());
        } else if (graph && op == PostOperation) {
            posts.append(request.url());
        } else if (op == PostOperation && path.endsWith(QLatin1String("/oauth2/v2.0/token")) && data) {
            tokenForms.append(QUrlQuery(QString::fromUtf8(data->peek(data->size()))));
        }
        return QNetworkAccessManager::createRequest(op, request, data);
    }
};
} // namespace

// The operator's whole errand against the real tenant-sim: find the user as you type, check it is the right
// person, confirm by typing the name, revoke, see it verified; and every way that can go wrong on the way.
class TestRevokeFlow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void searchAsYouTypeOneRequestPerPause();
    void directLookupOfIdsAndUpns();
    void revokeLouFromSearchToVerified();
    void escapeBeforeSendingSendsNothing();
    void deniedIsShownInOperatorWords();
    void deletedMeanwhileIsNotFound();
    void throttledThenRetriedWithCountdown();
    void cancelDuringRetryWaitRevokesNothing();
    void selectionChangeDoesNotRetarget();
    void betaCallFromSettings();
    void guestIsMarked();
    void searchErrorIsShownInPlace();
    void settingsChooseTheRevokeCall();
    void signMeOutEverywhere();
    void ownSessionsRevokedElsewhere();
    void stepUpChallengeSignsInWithTheClaims();
    void screenshot();

private:
    std::unique_ptr<MainWindow> makeWindow();
    bool signIn(MainWindow& window, const QString& upn);
    std::unique_ptr<MainWindow> signedInWindow(const QString& upn);
    bool typeAndWait(MainWindow& window, const QString& text);
    bool select(MainWindow& window, const QString& upn);
    RevokeDialog* openRevokeDialog(MainWindow& window);
    QJsonObject simUser(const QString& idOrUpn) const
    {
        return m_sim.control("GET", QStringLiteral("/_sim/users/") + idOrUpn).json();
    }

    TenantSim m_sim;
    QTemporaryDir m_dir;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<MemoryTokenStore> m_tokens;
    std::unique_ptr<CountingNetwork> m_network;
    Clock m_clock;
    QUrl m_launched;
    QString m_auditPath;
};

void TestRevokeFlow::initTestCase()
{
    QVERIFY2(m_sim.start({QStringLiteral("--users"), QStringLiteral("100")}), qPrintable(m_sim.errorText()));
}

void TestRevokeFlow::init()
{
    const QString name = QString::fromLatin1(QTest::currentTestFunction());
    m_settings = std::make_unique<SettingsStore>(m_dir.filePath(name + QStringLiteral(".ini")));
    m_tokens = std::make_unique<MemoryTokenStore>();
    m_network = std::make_unique<CountingNetwork>();
    m_auditPath = m_dir.filePath(name + QStringLiteral("-audit.jsonl"));
    m_launched.clear();
}

void TestRevokeFlow::cleanup()
{
    m_sim.control("DELETE", QStringLiteral("/_sim/faults"));
}

std::unique_ptr<MainWindow> TestRevokeFlow::makeWindow()
{
    const AppServices services{*m_settings,
                               *m_tokens,
                               *m_network,
                               m_clock,
                               [this](const QUrl& url) {
                                   m_launched = url;
                                   return true;
                               },
                               m_auditPath};
    auto window = std::make_unique<MainWindow>(services, connectionTo(m_sim.baseUrl()));
    window->resize(1180, 640);
    window->show();
    window->activateWindow();
    return window;
}

bool TestRevokeFlow::signIn(MainWindow& window, const QString& upn)
{
    m_launched.clear();
    window.session()->signIn();
    if (!QTest::qWaitFor([this] { return m_launched.isValid(); }, 10000)) {
        qWarning("the browser was never asked to open the sign-in page");
        return false;
    }
    ScriptedBrowser browser;
    const auto outcome = browser.run(m_launched, upn, QString::fromLatin1(TenantSim::kPassword));
    if (!outcome.reachedLoopback) {
        qWarning("sign-in failed: %s", qPrintable(outcome.failure));
        return false;
    }
    return QTest::qWaitFor([&] { return window.session()->state() == AuthSession::State::SignedIn; }, 10000);
}

std::unique_ptr<MainWindow> TestRevokeFlow::signedInWindow(const QString& upn)
{
    auto window = makeWindow();
    if (!signIn(*window, upn) || !QTest::qWaitForWindowActive(window.get())) {
        return nullptr;
    }
    return window;
}

bool TestRevokeFlow::typeAndWait(MainWindow& window, const QString& text)
{
    auto* search = child<QLineEdit>(window, "searchEdit");
    search->clear();
    QTest::keyClicks(search, text);
    UserSearchModel* model = window.searchModel();
    return QTest::qWaitFor(
        [&] {
            return !window.searchController()->isPending() && !model->isBusy() &&
                   model->state() != UserSearchModel::State::Loading;
        },
        15000);
}

bool TestRevokeFlow::select(MainWindow& window, const QString& upn)
{
    UserSearchModel* model = window.searchModel();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->user(row).userPrincipalName.compare(upn, Qt::CaseInsensitive) == 0) {
            child<QTableView>(window, "resultsView")->selectRow(row);
            return window.selectedUser() &&
                   window.selectedUser()->userPrincipalName == model->user(row).userPrincipalName;
        }
    }
    qWarning("%s is not among the results", qPrintable(upn));
    return false;
}

RevokeDialog* TestRevokeFlow::openRevokeDialog(MainWindow& window)
{
    auto* view = child<QTableView>(window, "resultsView");
    view->setFocus();
    QTest::keyClick(view, Qt::Key_R, Qt::ControlModifier);
    if (!QTest::qWaitFor([&] { return window.revokeDialog() != nullptr; }, 5000)) {
        qWarning("Ctrl+R opened no dialog");
    }
    return window.revokeDialog();
}

void TestRevokeFlow::searchAsYouTypeOneRequestPerPause()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    auto* search = child<QLineEdit>(*window, "searchEdit");
    auto* hint = child<QLabel>(*window, "resultsHintLabel");
    UserSearchController* controller = window->searchController();
    QCOMPARE(window->focusWidget(), search);

    QTest::keyClicks(search, QStringLiteral("l"));
    QVERIFY(!controller->isPending()); // too short: said at once, nothing asked
    QVERIFY(hint->text().contains(QStringLiteral("Type at least 2 characters")));
    QVERIFY(hint->isVisible());

    QTest::keyClicks(search, QStringLiteral("ou")); // faster than the pause
    QVERIFY(controller->isPending());
    QTRY_VERIFY(!controller->isPending());
    QTRY_COMPARE(window->searchModel()->state(), UserSearchModel::State::Results);
    QCOMPARE(m_network->userReads.size(), 1);
    const QUrlQuery query(m_network->userReads.first());
    QVERIFY2(query.queryItemValue(QStringLiteral("$search"), QUrl::FullyDecoded).contains(QStringLiteral("lou")),
             qPrintable(m_network->userReads.first().toString()));
    QVERIFY(child<QTableView>(*window, "resultsView")->isVisible());
    QVERIFY(window->searchModel()->rowOfUser(QString::fromLatin1(kLouId)) >= 0);

    // A character typed and taken back within the pause is no new query.
    QTest::keyClicks(search, QStringLiteral("x"));
    QTest::keyClick(search, Qt::Key_Backspace);
    QTRY_VERIFY(!controller->isPending());
    QCOMPARE(m_network->userReads.size(), 1);

    // Three pauses, three requests; the older ones never land on the newer query.
    for (const QString& more : {QStringLiteral(" s"), QStringLiteral("t"), QStringLiteral("o")}) {
        QTest::keyClicks(search, more);
        QTRY_VERIFY(!controller->isPending());
    }
    QTRY_VERIFY(!window->searchModel()->isBusy());
    QCOMPARE(m_network->userReads.size(), 4);
    QCOMPARE(window->searchModel()->query(), QStringLiteral("lou sto"));

    QVERIFY(typeAndWait(*window, QStringLiteral("zzqx")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::NoMatches);
    QCOMPARE(hint->text(), QStringLiteral("No one matches 'zzqx'"));
    QVERIFY(hint->isVisible());
    QVERIFY(!child<QLabel>(*window, "messageLabel")->isVisible()); // finding no one is not an error
}

void TestRevokeFlow::directLookupOfIdsAndUpns()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    const QList<QPair<QString, QString>> cases{
        {QString::fromLatin1(kLouId), QStringLiteral("lost@contoso.test")},
        {QStringLiteral("LOST@contoso.test"), QStringLiteral("lost@contoso.test")},
        {QStringLiteral("$svc-backup@contoso.test"), QStringLiteral("$svc-backup@contoso.test")},
        {QStringLiteral("ann_fabrikam.com#EXT#@contoso.test"), QStringLiteral("ann_fabrikam.com#EXT#@contoso.test")},
    };
    for (const auto& [typed, upn] : cases) {
        m_network->userReads.clear();
        QVERIFY(typeAndWait(*window, typed));
        QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Results);
        QCOMPARE(window->searchModel()->rowCount(), 1);
        QCOMPARE(m_network->userReads.size(), 1);
        QVERIFY2(!m_network->userReads.first().hasQuery() ||
                     !m_network->userReads.first().query().contains(QStringLiteral("search")),
                 qPrintable(m_network->userReads.first().toString())); // read directly, not searched
        // The one match is selected: its details show, and Ctrl+R would act on it.
        QVERIFY(window->selectedUser());
        QCOMPARE(window->selectedUser()->userPrincipalName, upn);
        QCOMPARE(child<QLabel>(*window, "detailsUpnLabel")->text(), upn);
    }
    QVERIFY(typeAndWait(*window, QStringLiteral("00000000-0000-4000-8000-00000000beef")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::NoMatches); // 404: no one, not an error
    QVERIFY(!child<QLabel>(*window, "messageLabel")->isVisible());
    QVERIFY(!window->selectedUser());
    QVERIFY(!child<QAction>(*window, "actionRevoke")->isEnabled());
}

void TestRevokeFlow::revokeLouFromSearchToVerified()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    const QString before = simUser(QStringLiteral("lost@contoso.test")).value(QStringLiteral("valid_from")).toString();
    auto* search = child<QLineEdit>(*window, "searchEdit");
    auto* view = child<QTableView>(*window, "resultsView");
    QVERIFY(typeAndWait(*window, QStringLiteral("lou")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Results);

    // Down arrow: from the search box into the results.
    QTest::keyClick(search, Qt::Key_Down);
    QCOMPARE(window->focusWidget(), view);
    QVERIFY(view->selectionModel()->hasSelection());

    QVERIFY(select(*window, QStringLiteral("lost@contoso.test")));
    QCOMPARE(child<QLabel>(*window, "detailsNameLabel")->text(), QStringLiteral("Lou Stone"));
    QCOMPARE(child<QLabel>(*window, "detailsIdLabel")->text(), QString::fromLatin1(kLouId));
    QVERIFY(child<QLabel>(*window, "detailsInfoLabel")->text().contains(QStringLiteral("Operations · Field Engineer")));
    QVERIFY(child<QLabel>(*window, "detailsInfoLabel")->text().contains(QStringLiteral("enabled")));
    QVERIFY(!child<QLabel>(*window, "detailsGuestLabel")->isVisible());
    QTest::mouseClick(child<QToolButton>(*window, "copyIdButton"), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), QString::fromLatin1(kLouId));
    QVERIFY(child<QPushButton>(*window, "revokeDetailsButton")->isEnabled());

    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QVERIFY(dialog->isModal());
    QVERIFY(!child<QAction>(*window, "actionRevoke")->isEnabled()); // one dialog at a time
    QCOMPARE(dialog->target().id, QString::fromLatin1(kLouId));
    QVERIFY(child<QLabel>(*dialog, "titleLabel")->text().contains(QStringLiteral("Lou Stone")));
    QCOMPARE(child<QLabel>(*dialog, "targetLabel")->text(), QStringLiteral("Lou Stone <lost@contoso.test>"));
    QCOMPARE(child<QLabel>(*dialog, "targetInfoLabel")->text(),
             QStringLiteral("Operations · Field Engineer · account enabled"));
    QVERIFY(child<QLabel>(*dialog, "objectIdLabel")->text().contains(QString::fromLatin1(kLouId)));
    QVERIFY(!child<QLabel>(*dialog, "guestLabel")->isVisible());
    const QString explanation = child<QLabel>(*dialog, "explanationLabel")->text();
    QVERIFY(explanation.contains(QStringLiteral("refresh tokens")));
    QVERIFY(explanation.contains(QStringLiteral("about an hour")));
    QVERIFY(explanation.contains(QStringLiteral("disabling the account")));
    QCOMPARE(child<QLabel>(*dialog, "confirmLabel")->text(), QStringLiteral("&Type lost to confirm:"));
    QCOMPARE(child<QLabel>(*dialog, "apiLabel")->text(), QStringLiteral("revokeSignInSessions (v1.0)"));

    auto* revoke = child<QPushButton>(*dialog, "revokeButton");
    auto* confirm = child<QLineEdit>(*dialog, "confirmEdit");
    QVERIFY(!revoke->isEnabled());
    for (const QString& wrong : {QStringLiteral("lou"), QStringLiteral("Lou Stone"), QStringLiteral("los"),
                                 QStringLiteral("lost@contoso"), QStringLiteral("lostt")}) {
        confirm->setText(wrong);
        QVERIFY2(!revoke->isEnabled(), qPrintable(wrong));
    }
    QTest::keyClick(confirm, Qt::Key_Return); // Enter with the wrong text does nothing
    QVERIFY(m_network->posts.isEmpty());
    confirm->clear();
    QTest::keyClicks(confirm, QStringLiteral(" LOST "));
    QVERIFY(revoke->isEnabled());
    QTest::keyClicks(child<QLineEdit>(*dialog, "reasonEdit"), QStringLiteral("Lost phone, ticket 48213"));

    QTest::mouseClick(revoke, Qt::LeftButton);
    QTest::mouseClick(revoke, Qt::LeftButton); // a nervous double click
    QVERIFY(!revoke->isEnabled());
    QVERIFY(!confirm->isEnabled());
    QVERIFY(dialog->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);

    QCOMPARE(m_network->posts.size(), 1);
    QCOMPARE(m_network->posts.first().path(),
             QStringLiteral("/v1.0/users/%1/revokeSignInSessions").arg(QLatin1String(kLouId)));
    auto* result = child<QLabel>(*window, "resultLabel");
    QTRY_VERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("Sessions revoked for Lou Stone")), qPrintable(result->text()));
    QVERIFY2(result->text().contains(QStringLiteral("verified")), qPrintable(result->text()));
    QVERIFY2(result->text().contains(QStringLiteral("request-id")), qPrintable(result->text()));
    const QJsonObject lou = simUser(QStringLiteral("lost@contoso.test"));
    QVERIFY(!lou.value(QStringLiteral("revoked_at")).isNull());
    QVERIFY(lou.value(QStringLiteral("valid_from")).toString() != before);
    QTest::mouseClick(child<QToolButton>(*window, "copyResultButton"), Qt::LeftButton);
    QVERIFY(QGuiApplication::clipboard()->text().contains(QString::fromLatin1(kLouId)));
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("request-id: ")));
    QVERIFY(child<QAction>(*window, "actionRevoke")->isEnabled());

    // The audit trail: the window, its filter and the CSV export.
    child<QAction>(*window, "actionAuditLog")->trigger();
    AuditWindow* audit = window->auditWindow();
    QVERIFY(audit);
    QTRY_VERIFY(audit->isVisible());
    QCOMPARE(audit->visibleRows(), 1);
    auto* filter = child<QLineEdit>(*audit, "filterEdit");
    QTest::keyClicks(filter, QStringLiteral("48213"));
    QCOMPARE(audit->visibleRows(), 1);
    filter->setText(QStringLiteral("nobody-like-this"));
    QCOMPARE(audit->visibleRows(), 0);
    filter->setText(QStringLiteral("lost@"));
    QCOMPARE(audit->visibleRows(), 1);
    const QString csvPath = m_dir.filePath(QStringLiteral("audit.csv"));
    QCOMPARE(audit->exportCsv(csvPath), QString());
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QByteArray bytes = csv.readAll();
    QVERIFY(bytes.startsWith("\xEF\xBB\xBF"
                             "time,attemptId,")); // the BOM spreadsheet programs need to read UTF-8
    const QString text = QString::fromUtf8(bytes);
    QVERIFY2(text.contains(QStringLiteral("lost@contoso.test")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("48213")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("helpdesk@contoso.test")), qPrintable(text));
}

void TestRevokeFlow::escapeBeforeSendingSendsNothing()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("lost@contoso.test")));
    // Enter in the results opens the dialog too.
    auto* view = child<QTableView>(*window, "resultsView");
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY(window->revokeDialog());
    RevokeDialog* dialog = window->revokeDialog();
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("lost"));
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_VERIFY(!window->revokeDialog());
    QVERIFY(m_network->posts.isEmpty());
    QVERIFY(!child<QLabel>(*window, "resultLabel")->isVisible());
}

void TestRevokeFlow::deniedIsShownInOperatorWords()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("admin@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(dialog->target().userPrincipalName, QStringLiteral("admin@contoso.test"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("admin"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    auto* result = child<QLabel>(*window, "resultLabel");
    QTRY_VERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("not allowed")), qPrintable(result->text()));
    QVERIFY2(!result->text().contains(QStringLiteral("Authorization_RequestDenied")), qPrintable(result->text()));
    QVERIFY(!result->text().contains(QStringLiteral("Sessions revoked")));
    QVERIFY(simUser(QStringLiteral("admin@contoso.test")).value(QStringLiteral("revoked_at")).isNull());
    for (QWidget* top : QApplication::topLevelWidgets()) {
        QVERIFY2(!top->isVisible() || !top->inherits("QMessageBox"), "no pop-ups");
    }
}

void TestRevokeFlow::deletedMeanwhileIsNotFound()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("zoe.angstrom@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    const QString id = dialog->target().id;
    QCOMPARE(m_sim.control("DELETE", QStringLiteral("/_sim/users/") + id).status, 204);
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("zoe.angstrom"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    auto* result = child<QLabel>(*window, "resultLabel");
    QTRY_VERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("no longer exists")), qPrintable(result->text()));
    QVERIFY(!result->text().contains(QStringLiteral("Sessions revoked")));
}

void TestRevokeFlow::throttledThenRetriedWithCountdown()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("jsmith@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(m_sim
                 .control("POST", QStringLiteral("/_sim/faults"),
                          {{QStringLiteral("path"), QStringLiteral("/revokeSignInSessions$")},
                           {QStringLiteral("method"), QStringLiteral("POST")},
                           {QStringLiteral("kind"), QStringLiteral("429")},
                           {QStringLiteral("count"), 1},
                           {QStringLiteral("retry_after"), 2}})
                 .status,
             201);
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("jsmith"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    auto* status = child<QLabel>(*dialog, "statusLabel");
    QTRY_VERIFY2(status->text().contains(QStringLiteral("Microsoft Graph asked us to wait: retrying in")),
                 qPrintable(status->text()));
    QVERIFY(child<QDialogButtonBox>(*dialog, "buttonBox")
                ->button(QDialogButtonBox::Cancel)
                ->isEnabled()); // cancellable while waiting
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    QCOMPARE(m_network->posts.size(), 2); // the 429 and its one retry, to the same user
    QCOMPARE(m_network->posts.at(0), m_network->posts.at(1));
    auto* result = child<QLabel>(*window, "resultLabel");
    QTRY_VERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("verified")), qPrintable(result->text()));
    QVERIFY(!simUser(QStringLiteral("jsmith@contoso.test")).value(QStringLiteral("revoked_at")).isNull());
}

void TestRevokeFlow::cancelDuringRetryWaitRevokesNothing()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("dmitry.ivanov@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(m_sim
                 .control("POST", QStringLiteral("/_sim/faults"),
                          {{QStringLiteral("path"), QStringLiteral("/revokeSignInSessions$")},
                           {QStringLiteral("kind"), QStringLiteral("429")},
                           {QStringLiteral("count"), 1},
                           {QStringLiteral("retry_after"), 30}})
                 .status,
             201);
    auto* cancel = child<QDialogButtonBox>(*dialog, "buttonBox")->button(QDialogButtonBox::Cancel);
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("dmitry.ivanov"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QVERIFY(!cancel->isEnabled()); // on the wire: nothing to cancel
    QTest::keyClick(dialog, Qt::Key_Escape);
    QVERIFY(window->revokeDialog());
    QTRY_VERIFY(child<QLabel>(*dialog, "statusLabel")->text().contains(QStringLiteral("retrying in")));
    QTRY_VERIFY(cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY(!window->revokeDialog());
    QCOMPARE(m_network->posts.size(), 1);
    auto* result = child<QLabel>(*window, "resultLabel");
    QVERIFY2(result->text().contains(QStringLiteral("Cancelled")), qPrintable(result->text()));
    QVERIFY(simUser(QStringLiteral("dmitry.ivanov@contoso.test")).value(QStringLiteral("revoked_at")).isNull());
}

void TestRevokeFlow::selectionChangeDoesNotRetarget()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("john")));
    QVERIFY(select(*window, QStringLiteral("john.smith@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    const QString shownId = dialog->target().id;

    // Behind the modal dialog the selection moves to another John Smith (a slow click landing late, a test seam).
    QVERIFY(select(*window, QStringLiteral("john.smith2@contoso.test")));
    const QString otherId = window->selectedUser()->id;
    QVERIFY(otherId != shownId);
    QCOMPARE(dialog->target().id, shownId);

    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("john.smith"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    QCOMPARE(m_network->posts.size(), 1);
    QVERIFY(m_network->posts.first().path().contains(shownId));
    QVERIFY(!simUser(shownId).value(QStringLiteral("revoked_at")).isNull());
    QVERIFY(simUser(otherId).value(QStringLiteral("revoked_at")).isNull());
}

void TestRevokeFlow::betaCallFromSettings()
{
    m_settings->setRevokeApi(RevokeApi::InvalidateAllRefreshTokens);
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("jose.nunez@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(child<QLabel>(*dialog, "apiLabel")->text(), QStringLiteral("invalidateAllRefreshTokens (beta)"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("jose.nunez@contoso.test"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    QCOMPARE(m_network->posts.size(), 1);
    QVERIFY2(m_network->posts.first().path().startsWith(QStringLiteral("/beta/users/")) &&
                 m_network->posts.first().path().endsWith(QStringLiteral("/invalidateAllRefreshTokens")),
             qPrintable(m_network->posts.first().toString()));
    auto* result = child<QLabel>(*window, "resultLabel");
    QTRY_VERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("Sessions revoked")), qPrintable(result->text()));
    QVERIFY(!simUser(QStringLiteral("jose.nunez@contoso.test")).value(QStringLiteral("revoked_at")).isNull());
}

void TestRevokeFlow::guestIsMarked()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("ann_fabrikam.com#EXT#@contoso.test")));
    QVERIFY(child<QLabel>(*window, "detailsGuestLabel")->isVisible());
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QVERIFY(child<QLabel>(*dialog, "guestLabel")->isVisible());
    QVERIFY(child<QLabel>(*dialog, "guestLabel")->text().contains(QStringLiteral("guest")));
    QCOMPARE(child<QLabel>(*dialog, "confirmLabel")->text(), QStringLiteral("&Type ann_fabrikam.com#EXT# to confirm:"));
    auto* confirm = child<QLineEdit>(*dialog, "confirmEdit");
    confirm->setText(QStringLiteral("ann"));
    QVERIFY(!child<QPushButton>(*dialog, "revokeButton")->isEnabled());
    confirm->setText(QStringLiteral("ANN_fabrikam.com#ext#"));
    QVERIFY(child<QPushButton>(*dialog, "revokeButton")->isEnabled());
    dialog->reject();
    QTRY_VERIFY(!window->revokeDialog());
    QVERIFY(m_network->posts.isEmpty());
}

void TestRevokeFlow::searchErrorIsShownInPlace()
{
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    auto* busy = child<QProgressBar>(*window, "searchBusy");
    QVERIFY(!busy->isVisible());
    QCOMPARE(m_sim.control("PUT", QStringLiteral("/_sim/config"), {{QStringLiteral("latency_ms"), 300}}).status, 200);
    QCOMPARE(m_sim
                 .control("POST", QStringLiteral("/_sim/faults"),
                          {{QStringLiteral("path"), QStringLiteral("^/v1.0/users$")},
                           {QStringLiteral("kind"), QStringLiteral("malformed")},
                           {QStringLiteral("count"), 1}})
                 .status,
             201);
    QTest::keyClicks(child<QLineEdit>(*window, "searchEdit"), QStringLiteral("stone"));
    QTRY_VERIFY(busy->isVisible()); // while Graph is asked
    QTRY_VERIFY(!busy->isVisible());
    m_sim.control("PUT", QStringLiteral("/_sim/config"), {{QStringLiteral("latency_ms"), 0}});
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Failed);
    auto* message = child<QLabel>(*window, "messageLabel");
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("Microsoft Graph")), qPrintable(message->text()));
    QCOMPARE(child<QLabel>(*window, "resultsHintLabel")->text(), QStringLiteral("Could not search for 'stone'."));
    for (QWidget* top : QApplication::topLevelWidgets()) {
        QVERIFY2(!top->isVisible() || !top->inherits("QMessageBox"), "errors belong in the window, not in pop-ups");
    }
    // The next query works, and the stale error goes away.
    QVERIFY(typeAndWait(*window, QStringLiteral("lou")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Results);
    QVERIFY(!message->isVisible());
}

void TestRevokeFlow::settingsChooseTheRevokeCall()
{
    auto window = makeWindow();
    QCOMPARE(m_settings->revokeApi(), RevokeApi::RevokeSignInSessions);
    bool answered = false;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = window->findChild<ConnectionDialog*>();
        QVERIFY(dialog);
        auto* combo = child<QComboBox>(*dialog, "revokeApiCombo");
        QCOMPARE(combo->currentText(), QStringLiteral("revokeSignInSessions (v1.0)"));
        combo->setCurrentIndex(combo->findText(QStringLiteral("invalidateAllRefreshTokens (beta)")));
        QTest::mouseClick(child<QDialogButtonBox>(*dialog, "buttonBox")->button(QDialogButtonBox::Ok), Qt::LeftButton);
        answered = true;
    });
    child<QAction>(*window, "actionSettings")->trigger();
    QVERIFY(answered);
    QCOMPARE(m_settings->revokeApi(), RevokeApi::InvalidateAllRefreshTokens);
    QCOMPARE(SettingsStore(m_settings->fileName()).revokeApi(), RevokeApi::InvalidateAllRefreshTokens); // stored
}

void TestRevokeFlow::ownSessionsRevokedElsewhere()
{
    // An administrator revokes the operator's own sessions while the app runs. The app declared "cp1", so Graph
    // refuses its still-valid access token at once with a CAE claims challenge; the app asks the token endpoint
    // for those claims with its refresh token, as MSAL does, which Entra refuses (AADSTS50173): signed out, told
    // why, nothing found before left on screen, and signing in again works.
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("lou stone")));
    QVERIFY(window->searchModel()->rowCount() > 0);

    QVERIFY(m_sim.advanceClock(5)); // the revocation comes after the operator's token was issued
    QVERIFY(m_sim.revokeSessionsOf(QStringLiteral("helpdesk@contoso.test")));

    m_launched.clear();
    m_network->tokenForms.clear();
    auto* search = child<QLineEdit>(*window, "searchEdit");
    QTest::keyClicks(search, QStringLiteral(" x"));
    QTRY_COMPARE(window->session()->state(), AuthSession::State::SignedOut);
    QCOMPARE(m_network->tokenForms.size(), 1);
    const QUrlQuery refresh = m_network->tokenForms.first();
    QCOMPARE(refresh.queryItemValue(QStringLiteral("grant_type")), QStringLiteral("refresh_token"));
    const QString claims = refresh.queryItemValue(QStringLiteral("claims"), QUrl::FullyDecoded);
    QVERIFY2(claims.contains(QStringLiteral("\"nbf\"")) && claims.contains(QStringLiteral("cp1")), qPrintable(claims));

    const QString message = child<QLabel>(*window, "messageLabel")->text();
    QVERIFY2(message.contains(QStringLiteral("revoked")) && message.contains(QStringLiteral("AADSTS50173")),
             qPrintable(message));
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedOutPage"));
    QVERIFY(search->text().isEmpty());
    QVERIFY(!search->isEnabled());
    QCOMPARE(window->searchModel()->rowCount(), 0);
    QVERIFY(!m_launched.isValid()); // no browser opened behind the operator's back

    QVERIFY(signIn(*window, QStringLiteral("helpdesk@contoso.test")));
    QVERIFY(typeAndWait(*window, QStringLiteral("dmitry")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Results);
}

void TestRevokeFlow::stepUpChallengeSignsInWithTheClaims()
{
    // A CAE challenge the refresh token cannot meet without the operator (Entra wants multi-factor
    // authentication: interaction_required, AADSTS50076): signed out with Entra's reason, and the operator's next
    // sign-in carries the challenge's claims, after which the search works again.
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("lou stone")));
    QVERIFY(m_sim.advanceClock(5));
    QVERIFY(m_sim.revokeSessionsOf(QStringLiteral("helpdesk@contoso.test")));
    QVERIFY(m_sim.addFault(QStringLiteral("/oauth2/v2.0/token$"), QStringLiteral("mfa-required")));

    QTest::keyClicks(child<QLineEdit>(*window, "searchEdit"), QStringLiteral(" x"));
    QTRY_COMPARE(window->session()->state(), AuthSession::State::SignedOut);
    const QString message = child<QLabel>(*window, "messageLabel")->text();
    QVERIFY2(message.contains(QStringLiteral("AADSTS50076")), qPrintable(message));
    QCOMPARE(child<QStackedWidget>(*window, "pages")->currentWidget()->objectName(), QStringLiteral("signedOutPage"));

    m_launched.clear();
    QTest::mouseClick(child<QPushButton>(*window, "signInButton"), Qt::LeftButton);
    QTRY_VERIFY(m_launched.isValid());
    const QUrlQuery query(m_launched);
    const QString claims = query.queryItemValue(QStringLiteral("claims"), QUrl::FullyDecoded);
    QVERIFY2(claims.contains(QStringLiteral("\"nbf\"")) && claims.contains(QStringLiteral("cp1")), qPrintable(claims));
    QCOMPARE(query.queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
             QStringLiteral("helpdesk@contoso.test"));

    ScriptedBrowser browser;
    const auto outcome =
        browser.run(m_launched, QStringLiteral("helpdesk@contoso.test"), QString::fromLatin1(TenantSim::kPassword));
    QVERIFY2(outcome.reachedLoopback, qPrintable(outcome.failure));
    QTRY_COMPARE(window->session()->state(), AuthSession::State::SignedIn);
    QVERIFY(typeAndWait(*window, QStringLiteral("dmitry")));
    QCOMPARE(window->searchModel()->state(), UserSearchModel::State::Results);
}

void TestRevokeFlow::signMeOutEverywhere()
{
    auto window = signedInWindow(QStringLiteral("nora@contoso.test"));
    QVERIFY(window);
    auto* action = child<QAction>(*window, "actionRevokeMine");
    QVERIFY(action->isEnabled());
    action->trigger();
    QTRY_VERIFY(window->revokeDialog());
    RevokeDialog* dialog = window->revokeDialog();
    QVERIFY(dialog->isSelf());
    QVERIFY(child<QLabel>(*dialog, "explanationLabel")->text().contains(QStringLiteral("sign in again")));
    QCOMPARE(child<QLabel>(*dialog, "confirmLabel")->text(), QStringLiteral("&Type nora to confirm:"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("nora"));
    QTest::mouseClick(child<QPushButton>(*dialog, "revokeButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window->revokeDialog(), 15000);
    QCOMPARE(m_network->posts.size(), 1);
    QCOMPARE(m_network->posts.first().path(), QStringLiteral("/v1.0/me/revokeSignInSessions"));
    QTRY_COMPARE(window->session()->state(), AuthSession::State::SignedOut);
    QVERIFY(!simUser(QStringLiteral("nora@contoso.test")).value(QStringLiteral("revoked_at")).isNull());
    auto* result = child<QLabel>(*window, "resultLabel");
    QVERIFY(result->isVisible());
    QVERIFY2(result->text().contains(QStringLiteral("revoked")), qPrintable(result->text()));
    QVERIFY(!child<QLineEdit>(*window, "searchEdit")->isEnabled());
}

// Draws the main window with results and the revoke dialog over it, and checks the picture has both. With
// SR_SCREENSHOT=<png> the picture is kept (that is how docs/screenshot-revoke.png is made).
void TestRevokeFlow::screenshot()
{
    QTemporaryDir scratch;
    const QString path = qEnvironmentVariableIsSet("SR_SCREENSHOT") ? qEnvironmentVariable("SR_SCREENSHOT")
                                                                    : scratch.filePath(QStringLiteral("shot.png"));
    auto window = signedInWindow(QStringLiteral("helpdesk@contoso.test"));
    QVERIFY(window);
    QVERIFY(typeAndWait(*window, QStringLiteral("st")));
    QVERIFY(select(*window, QStringLiteral("lost@contoso.test")));
    RevokeDialog* dialog = openRevokeDialog(*window);
    QVERIFY(dialog);
    QTest::keyClicks(child<QLineEdit>(*dialog, "reasonEdit"), QStringLiteral("Lost phone, ticket 48213"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "confirmEdit"), QStringLiteral("los"));
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QPixmap shot = window->grab();
    const QPixmap over = dialog->grab();
    {
        QPainter painter(&shot);
        painter.fillRect(shot.rect(), QColor(0, 0, 0, 60));
        const QPoint at((shot.width() - over.width()) / 2, (shot.height() - over.height()) / 2);
        painter.drawPixmap(at, over);
    }
    QVERIFY(shot.save(path));
    const QImage saved(path);
    QCOMPARE(saved.size(), window->size() * window->devicePixelRatio());
    QVERIFY(over.width() > 200 && over.height() > 100); // the dialog was drawn, not an empty widget
    dialog->reject();
}

QTEST_MAIN(TestRevokeFlow)
#include "TestRevokeFlow.moc"
