// session-revoker's start-up up to its first painted frame: the product's own guiMain() (src/app/GuiMain.cpp, what
// main.cpp runs), with the first-paint probe of bare_window.cpp hooked around the main window.

#include "FirstPaintProbe.h"
#include "GuiMain.h"
#include "MainWindow.h"

#include <memory>

int main(int argc, char* argv[])
{
    const qint64 mainEntered = FirstPaintProbe::monotonicNs();
    std::unique_ptr<FirstPaintProbe> probe;
    GuiMainHooks hooks;
    hooks.windowCreated = [&probe, mainEntered](MainWindow& window) {
        probe = std::make_unique<FirstPaintProbe>(window, mainEntered);
    };
    hooks.windowShown = [&probe] {
        probe->markShown();
    };
    return guiMain(argc, argv, hooks);
}
