#include "ConnectionDialog.h"

#include "GraphClient.h"
#include "RevokeOperation.h"
#include "ui_ConnectionDialog.h"

#include <QFileDialog>
#include <QPushButton>

ConnectionDialog::ConnectionDialog(const ConnectionSettings& settings, QWidget* parent)
    : QDialog(parent), m_ui(new Ui::ConnectionDialog)
{
    m_ui->setupUi(this);
    for (const QString& id : Clouds::ids()) {
        const Cloud cloud = Clouds::fromId(id).value_or(Cloud::Global);
        m_ui->cloudCombo->addItem(Clouds::displayName(cloud), id);
    }
    m_ui->cloudCombo->setCurrentIndex(m_ui->cloudCombo->findData(Clouds::id(settings.cloud)));
    m_ui->authorityEdit->setText(settings.customAuthority.toString());
    m_ui->graphEdit->setText(settings.customGraph.toString());
    m_ui->tenantEdit->setText(settings.tenant);
    m_ui->clientIdEdit->setText(settings.clientId);
    m_ui->caFileEdit->setText(settings.caFile);
    for (const RevokeApi api : {RevokeApi::RevokeSignInSessions, RevokeApi::InvalidateAllRefreshTokens}) {
        m_ui->revokeApiCombo->addItem(RevokeOperation::apiName(api), static_cast<int>(api));
    }

    connect(m_ui->cloudCombo, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateState);
    for (QLineEdit* edit :
         {m_ui->authorityEdit, m_ui->graphEdit, m_ui->tenantEdit, m_ui->clientIdEdit, m_ui->caFileEdit}) {
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::updateState);
    }
    connect(m_ui->caFileBrowse, &QToolButton::clicked, this, &ConnectionDialog::browseCaFile);
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateState();
}

ConnectionDialog::~ConnectionDialog() = default;

ConnectionSettings ConnectionDialog::settings() const
{
    ConnectionSettings s;
    s.cloud = Clouds::fromId(m_ui->cloudCombo->currentData().toString()).value_or(Cloud::Global);
    if (s.cloud == Cloud::Custom) {
        s.customAuthority = QUrl(m_ui->authorityEdit->text().trimmed(), QUrl::StrictMode);
        s.customGraph = QUrl(m_ui->graphEdit->text().trimmed(), QUrl::StrictMode);
    }
    s.tenant = m_ui->tenantEdit->text().trimmed();
    s.clientId = m_ui->clientIdEdit->text().trimmed();
    s.caFile = m_ui->caFileEdit->text().trimmed();
    return s;
}

void ConnectionDialog::setRevokeApi(RevokeApi api)
{
    m_ui->revokeApiCombo->setCurrentIndex(m_ui->revokeApiCombo->findData(static_cast<int>(api)));
}

RevokeApi ConnectionDialog::revokeApi() const
{
    return m_ui->revokeApiCombo->currentData().toInt() == static_cast<int>(RevokeApi::InvalidateAllRefreshTokens)
               ? RevokeApi::InvalidateAllRefreshTokens
               : RevokeApi::RevokeSignInSessions;
}

void ConnectionDialog::updateState()
{
    const ConnectionSettings s = settings();
    const bool custom = s.cloud == Cloud::Custom;
    for (QWidget* widget : {static_cast<QWidget*>(m_ui->authorityEdit), static_cast<QWidget*>(m_ui->graphEdit),
                            static_cast<QWidget*>(m_ui->authorityLabel), static_cast<QWidget*>(m_ui->graphLabel)}) {
        widget->setEnabled(custom);
    }
    if (!custom) {
        m_ui->authorityEdit->setPlaceholderText(s.authorityHost().toString());
        m_ui->graphEdit->setPlaceholderText(s.graphEndpoint().toString());
    }
    const QString problem = s.validationError();
    m_ui->problemLabel->setText(problem);
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

void ConnectionDialog::browseCaFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Extra CA certificates"), m_ui->caFileEdit->text(),
                                                      tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    if (!file.isEmpty()) {
        m_ui->caFileEdit->setText(file);
    }
}
