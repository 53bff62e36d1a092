#pragma once

#include "ConnectionSettings.h"

#include <QDialog>
#include <QScopedPointer>

namespace Ui {
class ConnectionDialog;
}

// First-run and Settings dialog: cloud, authority and Graph URLs (Custom cloud), tenant, client id, extra CA file.
// OK stays disabled while the settings are unusable, and the reason is shown in place.
class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectionDialog(const ConnectionSettings& settings, QWidget* parent = nullptr);
    ~ConnectionDialog() override;

    ConnectionSettings settings() const;

private:
    void updateState();
    void browseCaFile();

    const QScopedPointer<Ui::ConnectionDialog> m_ui;
};
