#include "MainWindow.h"

#include "ConnectionDialog.h"
#include "NetworkContext.h"
#include "SettingsStore.h"
#include "Version.h"
#include "ui_MainWindow.h"

#include <QApplication>
#include <QLabel>
#include <QMessageBox>

MainWindow::MainWindow(const AppServices& services, const ConnectionSettings& connection, QWidget* parent)
    : QMainWindow(parent), m_ui(new Ui::MainWindow), m_services(services), m_connectionLabel(new QLabel(this))
{
    m_ui->setupUi(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_connectionLabel, 1);

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
    delete m_session; // before the network context it uses
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
    delete m_session;
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
    case AuthSession::State::SignedIn: {
        const Account& account = m_session->account();
        m_ui->pages->setCurrentWidget(m_ui->signedInPage);
        m_ui->signedInLabel->setText(tr("Signed in as %1 (%2).").arg(account.name, account.username));
        break;
    }
    }
    const bool signedIn = state == AuthSession::State::SignedIn;
    const bool idle = state == AuthSession::State::SignedOut || signedIn;
    m_ui->actionSignIn->setText(signedIn ? tr("&Switch account…") : tr("&Sign in…"));
    m_ui->actionSignIn->setEnabled(valid && idle);
    m_ui->signInButton->setEnabled(valid && idle);
    m_ui->actionSignOut->setEnabled(signedIn);
    m_ui->actionSettings->setEnabled(idle);
    updateConnectionDisplay();
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
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const ConnectionSettings chosen = dialog.settings();
    m_services.settings.saveConnection(chosen);
    if (!(chosen == m_connection)) {
        setConnection(chosen);
        m_session->restore();
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About %1").arg(QString::fromLatin1(SessionRevoker::kApplicationName)),
        tr("<h3>%1 %2</h3><p>Revokes a user's Microsoft Entra ID sessions after a lost or stolen device.</p>"
           "<p>Built with Qt %3. <a href=\"%4\">%4</a></p>")
            .arg(QString::fromLatin1(SessionRevoker::kApplicationName), QString::fromLatin1(SessionRevoker::kVersion),
                 QString::fromLatin1(qVersion()), QString::fromLatin1(SessionRevoker::kProjectUrl)));
}
