#include "SystemBrowser.h"

#include "Logging.h"

#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace SystemBrowser {
bool open(const QUrl& url)
{
    const QString target = url.toString(QUrl::FullyEncoded);
#if defined(Q_OS_WIN)
    const QString program = QStringLiteral("rundll32");
    const QStringList arguments{QStringLiteral("url.dll,FileProtocolHandler"), target};
#elif defined(Q_OS_MACOS)
    const QString program = QStringLiteral("open");
    const QStringList arguments{target};
#else
    const QString program = QStandardPaths::findExecutable(QStringLiteral("xdg-open"));
    const QStringList arguments{target};
    if (program.isEmpty()) {
        qCInfo(lcAuth) << "xdg-open not found; the browser cannot be opened";
        return false;
    }
#endif
    const bool started = QProcess::startDetached(program, arguments);
    qCDebug(lcAuth) << "system browser launcher started:" << started;
    return started;
}
} // namespace SystemBrowser
