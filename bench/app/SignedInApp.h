#pragma once

#include "Clock.h"
#include "CountingNetwork.h"
#include "MemoryTokenStore.h"
#include "SettingsStore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>

class MainWindow;
class QLineEdit;
class QTableView;

// session-revoker's main window as the operator uses it, against a running tenant-sim: the services of main.cpp
// with the keychain replaced by MemoryTokenStore and a throwaway settings file (as the GUI tests do), signed in
// through the real browser flow (ScriptedBrowser fills in the sign-in page). Offscreen.
class SignedInApp
{
public:
    // `clock`: the benchmark's clock, for CountingNetwork's send times.
    SignedInApp(const QUrl& simBase, const QElapsedTimer& clock);
    ~SignedInApp();
    SignedInApp(const SignedInApp&) = delete;
    SignedInApp& operator=(const SignedInApp&) = delete;

    // Shows the window and signs in as `upn`; false (and a line on stderr) if that did not work.
    bool signIn(const QString& upn);

    MainWindow& window() { return *m_window; }
    CountingNetwork& network() { return m_network; }
    QLineEdit* searchEdit() const;
    QTableView* resultsView() const;
    // A valid access token of the signed-in operator (for a baseline request sent like the app's).
    QByteArray accessToken();

    // Runs the event loop (no sleeping: events are handled as they come) until `done` is true, checking it every
    // millisecond, or until `timeoutMs`. Returns `done()`. With `holdMs`, `done` must also still be true after the
    // loop has run `holdMs` more (a condition a later event can undo, such as a delayed layout); until then it
    // keeps waiting, within `timeoutMs` in all.
    static bool runUntil(const std::function<bool()>& done, int timeoutMs, int holdMs = 0);
    // Runs the event loop for `ms`.
    static void runFor(int ms);

private:
    static bool runUntilOnce(const std::function<bool()>& done, int timeoutMs);

    QTemporaryDir m_dir;
    SettingsStore m_settings;
    MemoryTokenStore m_tokens;
    CountingNetwork m_network;
    Clock m_clock;
    QUrl m_simBase;
    QUrl m_launched;
    std::unique_ptr<MainWindow> m_window;
};
