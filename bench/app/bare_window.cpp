// The start-up benchmark's baseline: the least a Qt Widgets main window costs, a QMainWindow with a menu bar and
// a status bar, shown the way session-revoker shows its window, ended at its first painted frame by the same
// probe (bench/README.md, "app").

#include "FirstPaintProbe.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QStatusBar>

int main(int argc, char* argv[])
{
    const qint64 mainEntered = FirstPaintProbe::monotonicNs();
    QApplication app(argc, argv);

    QCommandLineParser parser;
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, WIDTHxHEIGHT."),
                                  QStringLiteral("size"), QStringLiteral("960x600"));
    parser.addOption(size);
    parser.process(app);
    const QStringList dimensions = parser.value(size).split(QLatin1Char('x'));

    QMainWindow window;
    window.setWindowTitle(QStringLiteral("Bare window"));
    QMenu* file = window.menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(QStringLiteral("&Quit"), &window, &QWidget::close);
    window.menuBar()->addMenu(QStringLiteral("&Help"))->addAction(QStringLiteral("&About"));
    window.setCentralWidget(new QLabel(QStringLiteral("Bare window"), &window));
    window.statusBar()->addPermanentWidget(new QLabel(QStringLiteral("not signed in"), &window), 1);
    if (dimensions.size() == 2) {
        window.resize(dimensions.at(0).toInt(), dimensions.at(1).toInt());
    }

    FirstPaintProbe probe(window, mainEntered);
    window.show();
    probe.markShown();
    return QApplication::exec();
}
