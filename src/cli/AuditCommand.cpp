#include "AuditCommand.h"

#include "AuditLog.h"
#include "ExitCodes.h"
#include "TextTable.h"
#include "TimeText.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("AuditCommand", text);
}

void printTable(const QList<AuditRecord>& records)
{
    const QStringList header{tr("Time"),    tr("Phase"), tr("Operator"),   tr("Target"),
                             tr("Outcome"), tr("HTTP"),  tr("Request id"), tr("Reason")};
    QList<QStringList> rows;
    rows.reserve(records.size());
    for (const AuditRecord& r : records) {
        QString reason = r.reason;
        reason.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
        rows.append({localTimeText(r.time), r.phase, r.operatorUpn, r.targetText(), r.outcome,
                     r.httpStatus != 0 ? QString::number(r.httpStatus) : QString(), r.requestId, reason});
    }
    QTextStream out(stdout);
    TextTable::print(out, header, rows, 48);
    out.flush();
}
} // namespace

int AuditCommand::run() const
{
    const AuditLog log(m_path);
    QString error;
    int damaged = 0;
    const QList<AuditRecord> records = log.readAll(&error, &damaged);
    QTextStream err(stderr);
    if (!error.isEmpty()) {
        err << error << Qt::endl;
        return ExitFailure;
    }
    if (damaged > 0) {
        err << tr("%1 damaged line(s) in %2 were skipped.").arg(damaged).arg(QDir::toNativeSeparators(m_path))
            << Qt::endl;
    }
    switch (m_format) {
    case Format::Json: {
        QJsonArray array;
        for (const AuditRecord& r : records) {
            array.append(r.toJson());
        }
        const QJsonObject json{{QStringLiteral("auditFile"), QDir::toNativeSeparators(m_path)},
                               {QStringLiteral("damagedLines"), damaged},
                               {QStringLiteral("records"), array}};
        QTextStream(stdout) << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
        break;
    }
    case Format::Csv: {
        // Bytes as they are: CSV needs its CRLF line ends untouched.
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly) || out.write(AuditLog::toCsv(records).toUtf8()) < 0 ||
            !out.flush()) {
            err << tr("Could not write the CSV to standard output.") << Qt::endl;
            return ExitFailure;
        }
        break;
    }
    case Format::Table:
        if (records.isEmpty()) {
            err << tr("No audit records in %1.").arg(QDir::toNativeSeparators(m_path)) << Qt::endl;
            break;
        }
        printTable(records);
        break;
    }
    return ExitSuccess;
}
