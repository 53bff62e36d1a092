#pragma once

#include "ConnectionSettings.h"

#include <QDialog>
#include <QScopedPointer>

namespace Ui {
class ConnectionDialog;
}
enum class RevokeApi; // GraphClient.h

// First-run and Settings dialog: cloud, authority and Graph URLs (Custom cloud), tenant, client id, extra CA file.
// Also which Graph call revokes sessions (not part of the connection: changing it does not sign anyone out).
// OK stays disabled while the settings are unusable, and the reason is shown in place.
class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectionDialog(const ConnectionSettings& settings, QWidget* parent = nullptr);
    ~ConnectionDialog() override;

    ConnectionSettings settings() const;
    void setRevokeApi(RevokeApi api);
    RevokeApi revokeApi() const;

private:
    void updateState();
    void browseCaFile();

    const QScopedPointer<Ui::ConnectionDialog> m_ui;
};
