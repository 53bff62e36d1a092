#pragma once

#include <QString>

// `audit` of session-revoker-cli: prints the audit trail as a table, as JSON (--json) or as CSV (--csv). Reads the
// file only: no sign-in, no network. Returns the exit code.
class AuditCommand
{
public:
    enum class Format
    {
        Table,
        Json,
        Csv,
    };
    AuditCommand(const QString& path, Format format) : m_path(path), m_format(format) {}
    int run() const;

private:
    QString m_path;
    Format m_format;
};
