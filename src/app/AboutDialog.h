#pragma once

#include <QDialog>
#include <QScopedPointer>

namespace Ui {
class AboutDialog;
}

// Help → About: the version this build was made from, the Qt it was built with and runs on, the license (the full
// MIT text, compiled in from LICENSE) and the project's link.
class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(QWidget* parent = nullptr);
    ~AboutDialog() override;

private:
    const QScopedPointer<Ui::AboutDialog> m_ui;
};
