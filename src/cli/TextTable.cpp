#include "TextTable.h"

#include <QTextStream>

#include <algorithm>

namespace TextTable {
void print(QTextStream& out, const QStringList& header, const QList<QStringList>& rows, qsizetype maxWidth)
{
    QList<qsizetype> widths(header.size());
    for (qsizetype c = 0; c < header.size(); ++c) {
        widths[c] = header.at(c).size();
        for (const QStringList& row : rows) {
            widths[c] = std::min(std::max(widths[c], row.value(c).size()), maxWidth);
        }
    }
    const auto printRow = [&](const QStringList& row) {
        QStringList cells;
        for (qsizetype c = 0; c < header.size(); ++c) {
            const QString cell = row.value(c);
            if (c + 1 == header.size()) {
                cells.append(cell);
            } else if (cell.size() > widths[c]) {
                cells.append(cell.left(widths[c] - 1) + QStringLiteral("…"));
            } else {
                cells.append(cell.leftJustified(widths[c], QLatin1Char(' ')));
            }
        }
        out << cells.join(QStringLiteral("  ")) << '\n';
    };
    printRow(header);
    for (const QStringList& row : rows) {
        printRow(row);
    }
}
} // namespace TextTable
