#pragma once

#include <QList>
#include <QStringList>

class QTextStream;

namespace TextTable {
// Prints a header and rows as aligned columns separated by two spaces; every column but the last is cut to
// `maxWidth` characters (with an ellipsis) so one long value cannot push the rest off the terminal.
void print(QTextStream& out, const QStringList& header, const QList<QStringList>& rows, qsizetype maxWidth);
} // namespace TextTable
