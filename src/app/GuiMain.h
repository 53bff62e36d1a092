#pragma once

#include <functional>

class MainWindow;

// What a caller of guiMain() may add around the main window; session-revoker itself adds nothing.
struct GuiMainHooks
{
    // The main window exists and is about to be shown.
    std::function<void(MainWindow&)> windowCreated = {};
    // The main window was shown and started (silent sign-in or the first-run dialog); the event loop runs next.
    std::function<void()> windowShown = {};
};

// session-revoker's main(): options, settings, keychain, network, the main window, the event loop. In the GUI
// library rather than in main.cpp so that the start-up benchmark (bench/app/startup_window.cpp) runs this very code.
int guiMain(int argc, char* argv[], const GuiMainHooks& hooks = {});
