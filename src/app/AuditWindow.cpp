#include "AuditWindow.h"

#include "TimeText.h"
#include "ui_AuditWindow.h"

#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QSaveFile>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>

namespace {
enum Column
{
    TimeColumn,
    OperatorColumn,
    TargetColumn,
    ReasonColumn,
    CallColumn,
    OutcomeColumn,
    StatusColumn,
    RequestIdColumn,
    ColumnCount,
};
constexpr int kAttemptIdRole = Qt::UserRole + 1;

} // namespace

AuditWindow::AuditWindow(const AuditLog& log, QWidget* parent)
    : QWidget(parent, Qt::Window), m_ui(new Ui::AuditWindow), m_log(log), m_model(new QStandardItemModel(this)),
      m_filter(new QSortFilterProxyModel(this))
{
    m_ui->setupUi(this);
    m_model->setHorizontalHeaderLabels({tr("Time"), tr("Operator"), tr("Target"), tr("Reason"), tr("Call"),
                                        tr("Outcome"), tr("HTTP status"), tr("Request id")});
    m_filter->setSourceModel(m_model);
    m_filter->setFilterKeyColumn(-1);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_ui->auditView->setModel(m_filter);
    m_ui->auditView->sortByColumn(TimeColumn, Qt::DescendingOrder);
    m_ui->auditView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);

    connect(m_ui->filterEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setFilterFixedString(text.trimmed());
        updateCount();
    });
    connect(m_ui->refreshButton, &QPushButton::clicked, this, &AuditWindow::reload);
    connect(m_ui->exportButton, &QPushButton::clicked, this, &AuditWindow::chooseExportFile);
    connect(m_ui->closeButton, &QPushButton::clicked, this, &QWidget::close);
    reload();
}

AuditWindow::~AuditWindow() = default;

void AuditWindow::reload()
{
    QString error;
    m_damagedLines = 0;
    m_records = m_log.readAll(&error, &m_damagedLines);
    QStringList problems;
    if (!error.isEmpty()) {
        problems.append(error);
    }
    if (m_damagedLines > 0) {
        problems.append(tr("Damaged lines in %1 could not be read and are not shown: %2.")
                            .arg(QDir::toNativeSeparators(m_log.path()))
                            .arg(m_damagedLines));
    }
    m_ui->problemLabel->setText(problems.join(QLatin1Char('\n')));
    m_ui->problemLabel->setVisible(!problems.isEmpty());

    // One row per attempt: the attempt says who asked what for whom, its result how it ended.
    QList<AuditRecord> rows;
    QHash<QString, qsizetype> rowOfAttempt;
    for (const AuditRecord& record : std::as_const(m_records)) {
        const qsizetype known = record.attemptId.isEmpty() ? -1 : rowOfAttempt.value(record.attemptId, -1);
        if (known < 0) {
            if (!record.attemptId.isEmpty()) {
                rowOfAttempt.insert(record.attemptId, rows.size());
            }
            rows.append(record);
            continue;
        }
        AuditRecord& row = rows[known];
        if (record.phase == QLatin1String("verification") && record.outcome != QLatin1String("verified")) {
            // "success · not-verified": the call went through, the re-read did not confirm it (yet).
            row.outcome += QStringLiteral(" · ") + record.outcome;
        } else {
            row.outcome = record.outcome;
        }
        row.detail = row.detail.isEmpty() ? record.detail : row.detail + QLatin1Char('\n') + record.detail;
        if (record.httpStatus != 0) {
            row.httpStatus = record.httpStatus;
        }
        if (!record.requestId.isEmpty()) {
            row.requestId = record.requestId;
        }
        if (!record.clientRequestId.isEmpty()) {
            row.clientRequestId = record.clientRequestId;
        }
    }

    // One sort after the rebuild, not one per row appended.
    m_filter->setDynamicSortFilter(false);
    m_model->removeRows(0, m_model->rowCount());
    for (const AuditRecord& row : std::as_const(rows)) {
        QString outcome = row.outcome;
        if (row.phase == QLatin1String("attempt") && row.outcome == QLatin1String("pending")) {
            outcome = tr("no result recorded");
        }
        QList<QStandardItem*> items{
            new QStandardItem(localTimeText(row.time)),
            new QStandardItem(row.operatorUpn),
            new QStandardItem(row.targetText()),
            new QStandardItem(row.reason),
            new QStandardItem(row.api),
            new QStandardItem(outcome),
            new QStandardItem(row.httpStatus != 0 ? QString::number(row.httpStatus) : QString()),
            new QStandardItem(row.requestId),
        };
        const QString tip = row.detail.isEmpty() ? QString() : row.detail;
        for (QStandardItem* item : std::as_const(items)) {
            item->setData(row.attemptId, kAttemptIdRole);
            item->setToolTip(tip);
        }
        items.at(TargetColumn)->setToolTip(tr("Object id %1").arg(row.targetId));
        m_model->appendRow(items);
    }
    m_filter->setDynamicSortFilter(true);
    m_ui->auditView->resizeColumnsToContents();
    updateCount();
}

int AuditWindow::visibleRows() const
{
    return m_filter->rowCount();
}

void AuditWindow::updateCount()
{
    const int shown = m_filter->rowCount();
    const int all = m_model->rowCount();
    const QString revocations = all == 1 ? tr("1 revocation") : tr("%1 revocations").arg(all);
    m_ui->countLabel->setText(shown == all ? revocations : tr("%1 shown of %2").arg(shown).arg(revocations));
    m_ui->exportButton->setEnabled(shown > 0);
}

QString AuditWindow::exportCsv(const QString& path) const
{
    QSet<QString> shown;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        shown.insert(m_filter->index(row, 0).data(kAttemptIdRole).toString());
    }
    QList<AuditRecord> records;
    for (const AuditRecord& record : m_records) {
        if (shown.contains(record.attemptId)) {
            records.append(record);
        }
    }
    // A UTF-8 byte order mark first: without it Excel reads a CSV file in the system's ANSI code page and garbles
    // names such as José or 王伟. (The CLI's --csv, for scripts, writes none.)
    const QByteArray bytes = QByteArrayLiteral("\xEF\xBB\xBF") + AuditLog::toCsv(records).toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) < 0 || !file.commit()) {
        return tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
    }
    return {};
}

void AuditWindow::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the audit log"), QDir::home().filePath(QStringLiteral("session-revoker-audit.csv")),
        tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    const QString error = exportCsv(path);
    m_ui->problemLabel->setText(error);
    m_ui->problemLabel->setVisible(!error.isEmpty());
}
