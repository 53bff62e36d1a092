#include "AboutDialog.h"
#include "AppIcon.h"
#include "Clock.h"
#include "MainWindow.h"
#include "MemoryTokenStore.h"
#include "SettingsStore.h"
#include "Version.h"

#include <QAction>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTest>

// Help → About: the version this build was configured with, the full license text, the project's link, the icon
// made from resources/icons/session-revoker.svg; and the Help menu opens one About dialog at a time.
class TestAboutDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionComesFromTheBuild();
    void showsVersionLicenseAndLink();
    void iconIsCompiledInAtEverySize();
    void helpMenuOpensOneDialog();
};

void TestAboutDialog::versionComesFromTheBuild()
{
    // SR_PROJECT_VERSION is project(VERSION) in the top-level CMakeLists.txt, passed by tests/app/CMakeLists.txt.
    QCOMPARE(QString::fromLatin1(SessionRevoker::kVersion), QStringLiteral(SR_PROJECT_VERSION));
}

void TestAboutDialog::showsVersionLicenseAndLink()
{
    AboutDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.windowTitle(), QStringLiteral("About Session Revoker"));

    const auto* version = dialog.findChild<QLabel*>(QStringLiteral("versionLabel"));
    QVERIFY(version);
    QVERIFY2(version->text().startsWith(QStringLiteral("Version %1 ").arg(QStringLiteral(SR_PROJECT_VERSION))),
             qPrintable(version->text()));
    QVERIFY2(version->text().contains(QString::fromLatin1(qVersion())), qPrintable(version->text()));

    const auto* license = dialog.findChild<QPlainTextEdit*>(QStringLiteral("licenseText"));
    QVERIFY(license);
    QVERIFY(license->isReadOnly());
    const QString text = license->toPlainText();
    QVERIFY2(text.startsWith(QStringLiteral("MIT License")), qPrintable(text.left(80)));
    QVERIFY(text.contains(QStringLiteral("Copyright (c) 2026 The Session Revoker authors")));
    QVERIFY(text.contains(QStringLiteral("Permission is hereby granted, free of charge")));
    const auto* copyright = dialog.findChild<QLabel*>(QStringLiteral("copyrightLabel"));
    QVERIFY(copyright && copyright->text().contains(QStringLiteral("MIT License")));

    const auto* link = dialog.findChild<QLabel*>(QStringLiteral("linkLabel"));
    QVERIFY(link);
    const QString url = QString::fromLatin1(SessionRevoker::kProjectUrl);
    QVERIFY(url.startsWith(QStringLiteral("https://")));
    QVERIFY2(link->text().contains(QStringLiteral("href=\"%1\"").arg(url)), qPrintable(link->text()));
    QVERIFY(link->openExternalLinks());

    const auto* icon = dialog.findChild<QLabel*>(QStringLiteral("iconLabel"));
    QVERIFY(icon);
    QVERIFY(!icon->pixmap().isNull());
    QCOMPARE(icon->pixmap().deviceIndependentSize().toSize(), QSize(96, 96));
}

void TestAboutDialog::iconIsCompiledInAtEverySize()
{
    const QIcon icon = AppIcon::icon();
    for (const int size : {16, 24, 32, 48, 64, 128, 256}) {
        const QImage image = icon.pixmap(QSize(size, size)).toImage();
        QCOMPARE(image.size(), QSize(size, size) * image.devicePixelRatio());
        // The tile is opaque blue in the middle of its left edge, the corners are transparent (rounded).
        const QColor edge = image.pixelColor(image.width() / 10, image.height() / 2);
        QVERIFY2(edge.alpha() == 255 && edge.blue() > 120 && edge.red() < 100, qPrintable(edge.name()));
        QCOMPARE(image.pixelColor(0, 0).alpha(), 0);
    }
    // What the window system is offered for the window icon: Qt's default set, up to 128 pixels.
    const QList<QSize> offered = icon.availableSizes();
    QCOMPARE(offered.size(), 6);
    QCOMPARE(offered.first(), QSize(16, 16));
    QCOMPARE(offered.last(), QSize(128, 128));
    // Between the compiled-in sizes the next larger picture is scaled down; a disabled icon is greyed by the style.
    QCOMPARE(icon.pixmap(QSize(40, 40)).toImage().size(), QSize(40, 40) * qApp->devicePixelRatio());
    const QImage disabled = icon.pixmap(QSize(32, 32), QIcon::Disabled).toImage();
    QVERIFY(!disabled.isNull());
    const QColor grey = disabled.pixelColor(disabled.width() / 10, disabled.height() / 2);
    QVERIFY2(grey.alpha() > 0 && qAbs(grey.red() - grey.blue()) < 40, qPrintable(grey.name(QColor::HexArgb)));
    // Never scaled up: past the largest picture, the largest picture.
    QCOMPARE(icon.actualSize(QSize(512, 512)), QSize(256, 256));
    QCOMPARE(icon.pixmap(QSize(512, 512)).toImage().size(), QSize(256, 256));
}

void TestAboutDialog::helpMenuOpensOneDialog()
{
    QTemporaryDir dir;
    SettingsStore settings(dir.filePath(QStringLiteral("settings.ini")));
    MemoryTokenStore tokens;
    QNetworkAccessManager network;
    const Clock clock;
    const AppServices services{settings, tokens, network, clock, [](const QUrl&) {
                                   return false;
                               }};
    MainWindow window(services, ConnectionSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!window.aboutDialog());

    auto* about = window.findChild<QAction*>(QStringLiteral("actionAbout"));
    QVERIFY(about);
    QCOMPARE(about->menuRole(), QAction::AboutRole); // macOS moves it to the application menu
    about->trigger();
    QTRY_VERIFY(window.aboutDialog() && window.aboutDialog()->isVisible());
    const QPointer<AboutDialog> first = window.aboutDialog();
    about->trigger(); // again: the same dialog comes to the front
    QCOMPARE(window.aboutDialog(), first.data());
    QCOMPARE(window.findChildren<AboutDialog*>().size(), 1);

    first->reject();             // Close
    QTRY_VERIFY(first.isNull()); // deleted on close
    QVERIFY(!window.aboutDialog());
}

QTEST_MAIN(TestAboutDialog)
#include "TestAboutDialog.moc"
