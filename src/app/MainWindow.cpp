#include "MainWindow.h"

#include "AboutDialog.h"
#include "AuditWindow.h"
#include "ConnectionDialog.h"
#include "GraphClient.h"
#include "NetworkContext.h"
#include "RevokeDialog.h"
#include "RevokeOperation.h"
#include "SearchPage.h"
#include "SettingsStore.h"
#include "UserSearchController.h"
#include "ui_MainWindow.h"

#include <QApplication>
#include <QClipboard>
#include <QKeyEvent>
#include <QLabel>

MainWindow::MainWindow(const AppServices& services, const ConnectionSettings& connection, QWidget* parent)
    : QMainWindow(parent), m_ui(new Ui::MainWindow), m_services(services), m_audit(services.auditLogPath),
      m_connectionLabel(new QLabel(this)), m_searchModel(new UserSearchModel(this)),
      m_searchController(new UserSearchController(*m_searchModel, this))
{
    m_ui->setupUi(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    statusBar()->addPermanentWidget(m_connectionLabel, 1);

    m_ui->searchEdit->installEventFilter(this);

    connect(m_ui->searchEdit, &QLineEdit::textChanged, m_searchController, &UserSearchController::setText);
    connect(m_ui->searchEdit, &QLineEdit::returnPressed, m_searchController, &UserSearchController::searchNow);
    connect(m_searchModel, &UserSearchModel::stateChanged, this, &MainWindow::onSearchStateChanged);
    connect(m_searchModel, &UserSearchModel::busyChanged, m_ui->searchBusy, &QWidget::setVisible);
    connect(m_searchModel, &UserSearchModel::errorOccurred, this, [this](const GraphError& error) {
        showMessage(error.message);
        m_searchMessageShown = true;
        answerClaimsChallenge(error);
    });
    connect(m_searchModel, &QAbstractItemModel::modelReset, this, &MainWindow::onSelectionChanged);
    connect(m_searchModel, &QAbstractItemModel::dataChanged, this, &MainWindow::onSelectionChanged);

    connect(m_ui->actionFind, &QAction::triggered, this, [this] {
        m_ui->searchEdit->setFocus(Qt::ShortcutFocusReason);
        m_ui->searchEdit->selectAll();
    });
    connect(m_ui->actionCopyObjectId, &QAction::triggered, this, &MainWindow::copyObjectId);
    connect(m_ui->actionRevoke, &QAction::triggered, this, &MainWindow::openRevokeDialog);
    connect(m_ui->revokeButton, &QPushButton::clicked, m_ui->actionRevoke, &QAction::trigger);
    connect(m_ui->actionRevokeMine, &QAction::triggered, this, &MainWindow::openRevokeMineDialog);
    connect(m_ui->actionAuditLog, &QAction::triggered, this, &MainWindow::openAuditLog);
    connect(m_ui->copyResultButton, &QToolButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_resultCopyText); });
    connect(m_ui->dismissResultButton, &QToolButton::clicked, this, [this] { m_ui->resultBar->hide(); });

    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_ui->actionAboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
    connect(m_ui->actionSignIn, &QAction::triggered, this, &MainWindow::signIn);
    connect(m_ui->actionSignOut, &QAction::triggered, this, [this] {
        if (m_session) {
            m_session->signOut();
        }
    });
    connect(m_ui->actionSettings, &QAction::triggered, this, &MainWindow::openSettings);
    connect(m_ui->signInButton, &QPushButton::clicked, m_ui->actionSignIn, &QAction::trigger);
    connect(m_ui->cancelSignInButton, &QPushButton::clicked, this, [this] {
        if (m_session) {
            m_session->cancel();
        }
    });

    setConnection(connection);
}

MainWindow::~MainWindow()
{
    dropConnection(); // before the network context they use
}

GraphClient* MainWindow::graphClient() const
{
    return m_graph;
}

RevokeDialog* MainWindow::revokeDialog() const
{
    return m_revokeDialog;
}

AuditWindow* MainWindow::auditWindow() const
{
    return m_auditWindow;
}

AboutDialog* MainWindow::aboutDialog() const
{
    return m_aboutDialog;
}

void MainWindow::dropConnection()
{
    // The dialog's operation uses the client and the session; the model's request uses the client.
    delete m_revokeDialog;
    m_searchModel->setGraphClient(nullptr);
    delete m_graph;
    delete m_session;
}

void MainWindow::start(bool firstRun)
{
    if (firstRun) {
        openSettings();
        return;
    }
    if (m_session) {
        m_session->restore();
    }
}

void MainWindow::setConnection(const ConnectionSettings& connection)
{
    dropConnection();
    m_connection = connection;
    m_networkContext = std::make_unique<NetworkContext>(&m_services.network);
    clearMessage();
    if (!connection.caFile.isEmpty()) {
        if (const QString error = m_networkContext->addCaFile(connection.caFile); !error.isEmpty()) {
            showMessage(error);
        }
    }
    m_session = new AuthSession(connection, *m_networkContext, m_services.tokens, m_services.settings, m_services.clock,
                                m_services.browser, this);
    connect(m_session, &AuthSession::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_session, &AuthSession::waitingForBrowser, this, &MainWindow::onWaitingForBrowser);
    connect(m_session, &AuthSession::signedIn, this, [this] { clearMessage(); });
    connect(m_session, &AuthSession::signInFailed, this, [this](const AuthError& error) {
        if (error.kind != AuthError::Kind::Cancelled) {
            showMessage(error.message);
        }
    });
    connect(m_session, &AuthSession::signedOut, this, [this](const QString& reason) {
        if (!reason.isEmpty()) {
            showMessage(reason);
        }
    });
    connect(m_session, &AuthSession::keychainProblem, this, &MainWindow::showMessage);
    m_graph = new GraphClient(*m_networkContext, *m_session, connection.graphEndpoint(), this);
    m_searchModel->setGraphClient(m_graph);
    onStateChanged(m_session->state());
}

void MainWindow::signIn()
{
    clearMessage();
    if (m_session) {
        m_session->signIn();
    }
}

void MainWindow::onStateChanged(AuthSession::State state)
{
    const bool valid = m_connection.validationError().isEmpty();
    switch (state) {
    case AuthSession::State::SignedOut:
        m_ui->pages->setCurrentWidget(m_ui->signedOutPage);
        m_ui->signInButton->setFocus();
        break;
    case AuthSession::State::Restoring:
        m_ui->pages->setCurrentWidget(m_ui->waitingPage);
        m_ui->waitingLabel->setText(tr("Signing in…"));
        m_ui->waitingDetailLabel->setText(tr("Using the sign-in remembered in the system keychain."));
        break;
    case AuthSession::State::WaitingForBrowser:
        m_ui->pages->setCurrentWidget(m_ui->waitingPage);
        m_ui->waitingLabel->setText(tr("Waiting for the browser…"));
        m_ui->waitingDetailLabel->setText(tr("Finish signing in in your web browser."));
        m_ui->cancelSignInButton->setFocus();
        break;
    case AuthSession::State::SignedIn:
        m_ui->pages->setCurrentWidget(searchPage());
        break;
    }
    const bool signedIn = state == AuthSession::State::SignedIn;
    m_ui->searchEdit->setEnabled(signedIn);
    if (signedIn) {
        m_ui->searchEdit->setFocus(Qt::OtherFocusReason);
    } else {
        // Another operator (or none) must not see, or act on, what the previous one found.
        m_ui->searchEdit->clear();
        m_searchModel->clear();
    }
    const bool idle = state == AuthSession::State::SignedOut || signedIn;
    m_ui->actionSignIn->setText(signedIn ? tr("&Switch account…") : tr("&Sign in…"));
    m_ui->actionSignIn->setEnabled(valid && idle);
    m_ui->signInButton->setEnabled(valid && idle);
    m_ui->actionSignOut->setEnabled(signedIn);
    m_ui->actionSettings->setEnabled(idle);
    updateConnectionDisplay();
    updateActions();
}

void MainWindow::onWaitingForBrowser(const QUrl& url, bool opened)
{
    if (opened) {
        m_ui->waitingDetailLabel->setText(tr("Finish signing in in your web browser."));
    } else {
        m_ui->waitingDetailLabel->setText(
            tr("No web browser could be opened. Open this address in your browser to sign in:<br><a href=\"%1\">%2</a>")
                .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped(), url.host().toHtmlEscaped()));
    }
}

void MainWindow::updateConnectionDisplay()
{
    const QString problem = m_connection.validationError();
    if (!problem.isEmpty()) {
        m_connectionLabel->setText(tr("Not configured"));
        m_ui->connectionHintLabel->setText(problem);
        return;
    }
    m_ui->connectionHintLabel->setText(
        tr("You will sign in at %1 in your web browser.").arg(m_connection.authorityHost().toDisplayString()));
    if (m_session && m_session->state() == AuthSession::State::SignedIn) {
        const Account& account = m_session->account();
        const QStringList roles = directoryRoleNames(account.roleTemplateIds);
        QString who = tr("signed in as %1").arg(account.username);
        if (!roles.isEmpty()) {
            who += QStringLiteral(" (%1)").arg(roles.join(QStringLiteral(", ")));
        }
        QString text = tr("%1 · %2").arg(m_connection.summary(), who);
        if (!m_session->remembersSignIn()) {
            text += tr(" · not remembered");
        }
        m_connectionLabel->setText(text);
    } else {
        m_connectionLabel->setText(tr("%1 · not signed in").arg(m_connection.summary()));
    }
}

void MainWindow::showMessage(const QString& text)
{
    m_ui->messageLabel->setText(text);
    m_ui->messageLabel->setVisible(!text.isEmpty());
}

void MainWindow::clearMessage()
{
    showMessage(QString());
}

void MainWindow::openSettings()
{
    ConnectionDialog dialog(m_connection, this);
    dialog.setRevokeApi(m_services.settings.revokeApi());
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    m_services.settings.setRevokeApi(dialog.revokeApi());
    const ConnectionSettings chosen = dialog.settings();
    m_services.settings.saveConnection(chosen);
    if (!(chosen == m_connection)) {
        setConnection(chosen);
        m_session->restore();
    }
}

void MainWindow::showAbout()
{
    if (!m_aboutDialog) {
        m_aboutDialog = new AboutDialog(this);
        m_aboutDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_aboutDialog->show();
    m_aboutDialog->raise();
    m_aboutDialog->activateWindow();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::KeyPress) {
        return QMainWindow::eventFilter(watched, event);
    }
    const auto* key = static_cast<QKeyEvent*>(event);
    if (watched == m_ui->searchEdit && key->key() == Qt::Key_Down && key->modifiers() == Qt::NoModifier &&
        m_searchPage && m_searchModel->rowCount() > 0) {
        m_searchPage->focusResults();
        return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onSearchStateChanged(UserSearchModel::State state)
{
    if (m_searchMessageShown && state != UserSearchModel::State::Failed) {
        clearMessage(); // the error was about an earlier query
        m_searchMessageShown = false;
    }
}

void MainWindow::onSelectionChanged()
{
    m_selected = m_searchPage ? m_searchPage->selectedUser() : std::nullopt;
    if (m_searchPage) {
        m_searchPage->showDetails(m_selected);
    }
    updateActions();
}

SearchPage* MainWindow::searchPage()
{
    if (m_searchPage) {
        return m_searchPage;
    }
    m_searchPage = new SearchPage(*m_searchModel, m_ui->pages);
    m_searchPage->setObjectName(QStringLiteral("signedInPage"));
    m_ui->pages->addWidget(m_searchPage);
    connect(m_searchPage, &SearchPage::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_searchPage, &SearchPage::revokeRequested, m_ui->actionRevoke, &QAction::trigger);
    connect(m_searchPage, &SearchPage::copyObjectIdRequested, this, &MainWindow::copyObjectId);
    // Built with the page for the same reason: the search box is disabled, and empty, until someone signs in.
    m_ui->searchEdit->setClearButtonEnabled(true);
    onSelectionChanged(); // whatever the page selected as it was built, and the actions that go with it
    return m_searchPage;
}

void MainWindow::updateActions()
{
    const bool signedIn = m_session && m_session->state() == AuthSession::State::SignedIn;
    const bool free = m_revokeDialog.isNull();
    const bool canRevoke = signedIn && free && m_graph && m_selected.has_value();
    m_ui->actionRevoke->setEnabled(canRevoke);
    m_ui->revokeButton->setEnabled(canRevoke);
    if (m_searchPage) {
        m_searchPage->setRevokeEnabled(canRevoke);
    }
    m_ui->actionRevokeMine->setEnabled(signedIn && free && m_graph);
    m_ui->actionCopyObjectId->setEnabled(m_selected.has_value());
}

void MainWindow::copyObjectId()
{
    if (m_selected) {
        QGuiApplication::clipboard()->setText(m_selected->id);
    }
}

void MainWindow::openRevokeDialog()
{
    if (!m_selected || !m_ui->actionRevoke->isEnabled()) {
        return;
    }
    RevokeRequest request;
    request.target = *m_selected; // a copy: the selection may change while the dialog is open
    request.api = m_services.settings.revokeApi();
    showRevokeDialog(request);
}

void MainWindow::openRevokeMineDialog()
{
    if (!m_session || !m_ui->actionRevokeMine->isEnabled()) {
        return;
    }
    const Account& account = m_session->account();
    RevokeRequest request;
    request.self = true;
    request.target.id = account.objectId;
    request.target.displayName = account.name;
    request.target.userPrincipalName = account.username;
    request.api = m_services.settings.revokeApi();
    showRevokeDialog(request);
}

void MainWindow::showRevokeDialog(const RevokeRequest& request)
{
    auto* dialog = new RevokeDialog(*m_graph, m_audit, *m_session, request, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_revokeDialog = dialog;
    connect(dialog, &RevokeDialog::revokeFinished, this,
            [this, request](const RevokeOutcome& outcome) { onRevokeFinished(outcome, request); });
    connect(dialog, &QDialog::finished, this, [this] {
        m_revokeDialog.clear();
        updateActions();
    });
    updateActions();
    dialog->open();
}

void MainWindow::answerClaimsChallenge(const GraphError& error)
{
    // Continuous access evaluation: Graph wants a token satisfying these claims, which only an interactive
    // sign-in can give. Start it at once, carrying the claims, rather than leaving the operator stuck.
    if (error.claimsChallenge.isEmpty() || !m_session || m_session->state() == AuthSession::State::WaitingForBrowser) {
        return;
    }
    showMessage(tr("Microsoft Entra ID asks you to sign in again before Session Revoker can continue."));
    m_session->signIn(error.claimsChallenge);
}

void MainWindow::onRevokeFinished(const RevokeOutcome& outcome, const RevokeRequest& request)
{
    const DirectoryUser& target = request.target;
    const QString name = target.displayName.isEmpty() ? target.userPrincipalName : target.displayName;
    const QString text = outcome.summary.isEmpty() ? outcome.error.message : outcome.summary;
    QStringList copy{text};
    copy.append(tr("User: %1 <%2>, object id %3").arg(name, target.userPrincipalName, target.id));
    if (!outcome.requestId.isEmpty()) {
        copy.append(QStringLiteral("request-id: %1").arg(outcome.requestId));
    }
    if (!outcome.clientRequestId.isEmpty()) {
        copy.append(QStringLiteral("client-request-id: %1").arg(outcome.clientRequestId));
    }
    if (outcome.sentAt.isValid()) {
        copy.append(QStringLiteral("sent: %1").arg(outcome.sentAt.toUTC().toString(Qt::ISODate)));
    }
    // The line names the request-id by its start, as the UX sketch does; Copy gives the whole ids.
    QString shown = text;
    if (outcome.requestId.size() > 8) {
        shown.replace(outcome.requestId, outcome.requestId.left(4) + QStringLiteral("…"));
    }
    showResult(shown, copy.join(QLatin1Char('\n')));
    answerClaimsChallenge(outcome.error);

    if (outcome.revoked && outcome.validFrom.isValid() && !request.self) {
        const int row = m_searchModel->rowOfUser(target.id);
        if (row >= 0) {
            DirectoryUser updated = m_searchModel->user(row);
            if (request.api == RevokeApi::InvalidateAllRefreshTokens) {
                updated.refreshTokensValidFrom = outcome.validFrom;
            } else {
                updated.signInSessionsValidFrom = outcome.validFrom;
            }
            m_searchModel->updateUser(updated);
        }
    }
    if (m_auditWindow) {
        m_auditWindow->reload();
    }
    if (request.self && outcome.revoked && m_session) {
        // Our own refresh token is dead now; the next refresh would find out the hard way.
        m_session->signOut();
    }
}

void MainWindow::showResult(const QString& text, const QString& copyText)
{
    m_ui->resultLabel->setText(text);
    m_ui->resultLabel->setToolTip(copyText);
    m_resultCopyText = copyText;
    m_ui->resultBar->setVisible(!text.isEmpty());
}

void MainWindow::openAuditLog()
{
    if (!m_auditWindow) {
        m_auditWindow = new AuditWindow(m_audit, this);
        m_auditWindow->setAttribute(Qt::WA_DeleteOnClose);
    } else {
        m_auditWindow->reload();
    }
    m_auditWindow->show();
    m_auditWindow->raise();
    m_auditWindow->activateWindow();
}
