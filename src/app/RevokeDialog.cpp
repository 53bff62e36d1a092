#include "RevokeDialog.h"

#include "ui_RevokeDialog.h"

#include <QPushButton>

RevokeDialog::RevokeDialog(GraphClient& graph, AuditLog& audit, AuthSession& auth, const RevokeRequest& request,
                           QWidget* parent)
    : QDialog(parent), m_ui(new Ui::RevokeDialog), m_graph(graph), m_audit(audit), m_auth(auth), m_request(request)
{
    m_ui->setupUi(this);
    const DirectoryUser& user = m_request.target;
    const QString name = user.displayName.isEmpty() ? user.userPrincipalName : user.displayName;

    QFont titleFont = m_ui->titleLabel->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_ui->titleLabel->setFont(titleFont);
    QFont targetFont = m_ui->targetLabel->font();
    targetFont.setBold(true);
    m_ui->targetLabel->setFont(targetFont);

    if (m_request.self) {
        setWindowTitle(tr("Sign me out everywhere"));
        m_ui->titleLabel->setText(tr("Sign yourself out everywhere?"));
        m_ui->explanationLabel->setText(
            tr("This signs you out of every app and browser, on every device, Session Revoker included: all your "
               "refresh tokens and browser session cookies stop working, and you will have to sign in again. Access "
               "tokens already issued may keep working for up to about an hour."));
    } else {
        setWindowTitle(tr("Revoke sessions"));
        m_ui->titleLabel->setText(tr("Revoke all sessions for %1?").arg(name));
        m_ui->explanationLabel->setText(
            tr("This signs %1 out of every app and browser, on every device: all refresh tokens and browser session "
               "cookies stop working. Access tokens already issued may keep working for up to about an hour. Guests "
               "are not affected. For a lost device, also consider disabling the account.")
                .arg(name));
    }
    m_ui->targetLabel->setText(
        user.userPrincipalName.isEmpty() ? name : tr("%1 <%2>").arg(user.displayName, user.userPrincipalName));
    QStringList info;
    for (const QString& part : {user.department, user.jobTitle}) {
        if (!part.isEmpty()) {
            info.append(part);
        }
    }
    if (user.accountEnabled.has_value()) {
        info.append(*user.accountEnabled ? tr("account enabled") : tr("account disabled"));
    }
    m_ui->targetInfoLabel->setText(info.join(QStringLiteral(" · ")));
    m_ui->targetInfoLabel->setVisible(!info.isEmpty());
    m_ui->objectIdLabel->setText(tr("Object id %1").arg(user.id));
    m_ui->objectIdLabel->setVisible(!user.id.isEmpty());
    m_ui->guestLabel->setText(
        tr("%1 is a guest (an external user). Guests sign in at their home organization: revoking here does not end "
           "those sessions. Ask their organization, or remove the guest account.")
            .arg(name));
    m_ui->guestLabel->setVisible(user.isGuest());
    m_ui->confirmLabel->setText(tr("&Type %1 to confirm:").arg(RevokeOperation::confirmationWord(user)));
    m_ui->confirmEdit->setAccessibleName(tr("Type %1 to confirm").arg(RevokeOperation::confirmationWord(user)));
    m_ui->apiLabel->setText(RevokeOperation::apiName(m_request.api));
    const QString path = m_request.api == RevokeApi::InvalidateAllRefreshTokens
                             ? QStringLiteral("POST /beta/%1/invalidateAllRefreshTokens")
                             : QStringLiteral("POST /v1.0/%1/revokeSignInSessions");
    m_ui->apiLabel->setToolTip(path.arg(m_request.self ? QStringLiteral("me") : QStringLiteral("users/") + user.id));

    m_cancelButton = m_ui->buttonBox->button(QDialogButtonBox::Cancel);
    m_cancelButton->setAutoDefault(false);
    m_revokeButton = m_ui->buttonBox->addButton(m_request.self ? tr("Sign me out everywhere") : tr("Revoke sessions"),
                                                QDialogButtonBox::AcceptRole);
    m_revokeButton->setObjectName(QStringLiteral("revokeButton"));
    m_revokeButton->setDefault(true);

    // The button box's accepted() would close the dialog: the click only starts the operation.
    connect(m_revokeButton, &QPushButton::clicked, this, &RevokeDialog::submit);
    connect(m_cancelButton, &QPushButton::clicked, this, &RevokeDialog::reject);
    connect(m_ui->confirmEdit, &QLineEdit::textChanged, this, &RevokeDialog::updateConfirmation);

    m_ui->reasonEdit->setFocus();
    updateConfirmation();
    // Wrapped labels: as tall as the text needs at the form's width, not at their narrowest.
    adjustSize();
}

RevokeDialog::~RevokeDialog() = default;

void RevokeDialog::updateConfirmation()
{
    m_revokeButton->setEnabled(m_phase == Phase::Confirming &&
                               RevokeOperation::confirms(m_ui->confirmEdit->text(), m_request.target));
}

void RevokeDialog::submit()
{
    if (m_phase != Phase::Confirming || !RevokeOperation::confirms(m_ui->confirmEdit->text(), m_request.target)) {
        return; // one click, one request
    }
    m_request.reason = m_ui->reasonEdit->text().trimmed();
    setPhase(Phase::Sending, tr("Revoking sessions…"));
    m_operation = new RevokeOperation(m_graph, m_audit, m_auth, m_request, this);
    connect(m_operation, &RevokeOperation::sending, this,
            [this] { setPhase(Phase::Sending, tr("Sending the request to Microsoft Graph…")); });
    connect(m_operation, &RevokeOperation::retryCountdown, this, [this](int seconds) {
        setPhase(Phase::WaitingToRetry, tr("Microsoft Graph asked us to wait: retrying in %1 s…").arg(seconds));
    });
    connect(m_operation, &RevokeOperation::verifying, this,
            [this] { setPhase(Phase::Verifying, tr("Revoked. Checking the new sessions valid-from time…")); });
    connect(m_operation, &RevokeOperation::finished, this, &RevokeDialog::onFinished);
    m_operation->start();
}

void RevokeDialog::setPhase(Phase phase, const QString& status)
{
    m_phase = phase;
    const bool confirming = phase == Phase::Confirming;
    m_ui->reasonEdit->setEnabled(confirming);
    m_ui->confirmEdit->setEnabled(confirming);
    m_ui->progressBar->setVisible(phase != Phase::Confirming && phase != Phase::Done);
    m_ui->statusLabel->setText(status);
    // Cancel means something only while nothing is on the wire.
    m_cancelButton->setEnabled(confirming || phase == Phase::WaitingToRetry);
    updateConfirmation();
}

void RevokeDialog::reject()
{
    switch (m_phase) {
    case Phase::Confirming:
        QDialog::reject();
        break;
    case Phase::WaitingToRetry:
        setPhase(Phase::WaitingToRetry, tr("Cancelling…"));
        m_cancelButton->setEnabled(false);
        if (m_operation) {
            m_operation->cancel(); // finished() follows and closes the dialog
        }
        break;
    case Phase::Sending:
    case Phase::Verifying:
    case Phase::Done:
        break; // a request on the wire cannot be recalled: wait for its answer
    }
}

void RevokeDialog::onFinished(const RevokeOutcome& outcome)
{
    setPhase(Phase::Done);
    Q_EMIT revokeFinished(outcome);
    done(outcome.error.kind == GraphError::Kind::Cancelled && !outcome.revoked ? QDialog::Rejected : QDialog::Accepted);
}
