#pragma once

#include "RevokeOperation.h"

#include <QDialog>
#include <QPointer>
#include <QScopedPointer>

namespace Ui {
class RevokeDialog;
}
class AuditLog;
class AuthSession;
class GraphClient;
class QPushButton;

// "Revoke all sessions for Ann O'Brien?": shows the target unmistakably, says what revoking does and does not do,
// and only lets the operator go ahead after typing the user's name (the UPN, or its part before @). The dialog
// keeps its own copy of the user: the call goes to that object id, whatever happens in the main window meanwhile.
// One click sends one request; while it runs the dialog shows progress and can only be cancelled during a retry
// wait that Graph asked for.
class RevokeDialog : public QDialog
{
    Q_OBJECT

public:
    // `request.target` is the user to revoke (or the operator, with `request.self`); the reason comes from the dialog.
    RevokeDialog(GraphClient& graph, AuditLog& audit, AuthSession& auth, const RevokeRequest& request,
                 QWidget* parent = nullptr);
    ~RevokeDialog() override;

    const DirectoryUser& target() const { return m_request.target; }
    bool isSelf() const { return m_request.self; }
    // True from the click on "Revoke sessions" until the outcome is known.
    bool isRunning() const { return m_phase != Phase::Confirming && m_phase != Phase::Done; }

    // Esc, Cancel and the close button: only before sending, or during a retry wait (which cancels the operation).
    void reject() override;

Q_SIGNALS:
    // Once, when the operation is over (also when it was cancelled); the dialog closes right after.
    void revokeFinished(const RevokeOutcome& outcome);

private:
    enum class Phase
    {
        Confirming,
        Sending,
        WaitingToRetry,
        Verifying,
        Done,
    };
    void updateConfirmation();
    void submit();
    void setPhase(Phase phase, const QString& status = QString());
    void onFinished(const RevokeOutcome& outcome);

    const QScopedPointer<Ui::RevokeDialog> m_ui;
    GraphClient& m_graph;
    AuditLog& m_audit;
    AuthSession& m_auth;
    RevokeRequest m_request;
    QPushButton* m_revokeButton;
    QPushButton* m_cancelButton;
    QPointer<RevokeOperation> m_operation;
    Phase m_phase = Phase::Confirming;
};
