#pragma once

class QUrl;

namespace SystemBrowser {
// Opens `url` in the operator's default browser without Qt GUI modules (the CLI has none): xdg-open on Linux and
// other Unix desktops (which honours $BROWSER), open on macOS, the URL protocol handler on Windows.
// Returns false when no launcher could be started.
bool open(const QUrl& url);
} // namespace SystemBrowser
