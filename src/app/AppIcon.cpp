#include "AppIcon.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPixmapCache>
#include <QStyle>
#include <QStyleOption>

#include <algorithm>
#include <array>

namespace {
// The sizes compiled in (resources: icons/<size>.png).
constexpr std::array<int, 7> kSides = {16, 24, 32, 48, 64, 128, 256};
// What a window manager is offered (QIcon::availableSizes): Qt's own default set for a window icon. The 256-pixel
// picture is still there for anyone asking for a large pixmap (the About dialog on a high-DPI screen).
constexpr int kLargestOffered = 128;

// Reads a PNG only when a pixmap of its size is first asked for. QIcon::addFile() decodes every file at once,
// which cost the start-up more than the whole main window does (bench/README.md, "app"); the window system then
// asks for the sizes it uses, when it uses them.
class AppIconEngine final : public QIconEngine
{
public:
    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        const int wanted = std::max(size.width(), size.height());
        if (wanted <= 0) {
            return {};
        }
        QPixmap picture = load(sideFor(wanted));
        if (picture.isNull()) {
            return {};
        }
        if (wanted < std::max(picture.width(), picture.height())) {
            // Down to the size asked for; never up: a larger request gets the largest picture (actualSize()).
            picture = picture.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
        if (mode != QIcon::Normal && qobject_cast<QApplication*>(QCoreApplication::instance())) {
            QStyleOption option;
            option.palette = QApplication::palette();
            const QPixmap generated = QApplication::style()->generatedIconPixmap(mode, picture, &option);
            if (!generated.isNull()) {
                picture = generated;
            }
        }
        Q_UNUSED(state)
        return picture;
    }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State state) override
    {
        const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        QPixmap picture = pixmap(rect.size() * ratio, mode, state);
        picture.setDevicePixelRatio(ratio);
        painter->drawPixmap(rect, picture);
    }

    QSize actualSize(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        Q_UNUSED(mode)
        Q_UNUSED(state)
        const int side = std::min(std::min(size.width(), size.height()), kSides.back());
        return side > 0 ? QSize(side, side) : QSize();
    }

    QList<QSize> availableSizes(QIcon::Mode mode, QIcon::State state) override
    {
        Q_UNUSED(mode)
        Q_UNUSED(state)
        QList<QSize> sizes;
        for (const int side : kSides) {
            if (side <= kLargestOffered) {
                sizes.append(QSize(side, side));
            }
        }
        return sizes;
    }

    QIconEngine* clone() const override { return new AppIconEngine; }

    QString key() const override { return QStringLiteral("SessionRevokerAppIcon"); }

private:
    // The smallest picture at least `wanted` pixels wide (scaled down, never up), else the largest.
    static int sideFor(int wanted)
    {
        for (const int side : kSides) {
            if (side >= wanted) {
                return side;
            }
        }
        return kSides.back();
    }

    static QPixmap load(int side)
    {
        const QString cacheKey = QStringLiteral("session-revoker-icon-%1").arg(side);
        QPixmap picture;
        if (!QPixmapCache::find(cacheKey, &picture)) {
            picture.load(QStringLiteral(":/icons/%1.png").arg(side));
            if (!picture.isNull()) {
                QPixmapCache::insert(cacheKey, picture);
            }
        }
        return picture;
    }
};
} // namespace

QIcon AppIcon::icon()
{
    return QIcon(new AppIconEngine);
}
