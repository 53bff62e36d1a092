#pragma once

#include "AuditLog.h"

#include <QHash>
#include <QScopedPointer>
#include <QWidget>

namespace Ui {
class AuditWindow;
}
class QSortFilterProxyModel;
class QStandardItemModel;

// The audit trail as a table: one row per revocation (its attempt and result records together), newest first,
// with a filter over every column and "Export CSV…" of the rows shown.
class AuditWindow : public QWidget
{
    Q_OBJECT

public:
    explicit AuditWindow(const AuditLog& log, QWidget* parent = nullptr);
    ~AuditWindow() override;

    // Reads the file again (also after each revocation, while the window is open).
    void reload();
    // Writes the records behind the visible rows to `path` as CSV; returns an operator-readable error, or empty.
    QString exportCsv(const QString& path) const;
    int visibleRows() const;

private:
    void chooseExportFile();
    void updateCount();

    const QScopedPointer<Ui::AuditWindow> m_ui;
    const AuditLog& m_log;
    QList<AuditRecord> m_records;
    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_filter;
    int m_damagedLines = 0;
};
