#include "AboutDialog.h"

#include "AppIcon.h"
#include "Version.h"
#include "ui_AboutDialog.h"

#include <QFile>
#include <QFontDatabase>
#include <QPushButton>

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent), m_ui(new Ui::AboutDialog)
{
    m_ui->setupUi(this);
    const QString name = QString::fromLatin1(SessionRevoker::kApplicationName);
    const QString url = QString::fromLatin1(SessionRevoker::kProjectUrl);
    setWindowTitle(tr("About %1").arg(name));

    m_ui->iconLabel->setPixmap(AppIcon::icon().pixmap(QSize(96, 96)));
    QFont nameFont = m_ui->nameLabel->font();
    nameFont.setBold(true);
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.5);
    m_ui->nameLabel->setFont(nameFont);
    m_ui->nameLabel->setText(name);
    m_ui->versionLabel->setText(tr("Version %1 (Qt %2 at build time, %3 at run time)")
                                    .arg(QString::fromLatin1(SessionRevoker::kVersion),
                                         QString::fromLatin1(QT_VERSION_STR), QString::fromLatin1(qVersion())));
    m_ui->descriptionLabel->setText(tr("Revokes a user's Microsoft Entra ID sessions after a lost or stolen device."));
    m_ui->linkLabel->setText(QStringLiteral("<a href=\"%1\">%2</a>").arg(url.toHtmlEscaped(), url.toHtmlEscaped()));
    m_ui->copyrightLabel->setText(tr("Copyright © The Session Revoker authors. Free software under the %1 License:")
                                      .arg(QString::fromLatin1(SessionRevoker::kLicense)));

    QFile license(QStringLiteral(":/LICENSE"));
    if (license.open(QIODevice::ReadOnly)) {
        m_ui->licenseText->setPlainText(QString::fromUtf8(license.readAll()));
    }
    m_ui->licenseText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_ui->buttonBox->button(QDialogButtonBox::Close)->setDefault(true);
}

AboutDialog::~AboutDialog() = default;
