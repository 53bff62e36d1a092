#pragma once

#include <QIcon>

// The app's icon, drawn once as resources/icons/session-revoker.svg and compiled in as PNGs at each size
// (no SVG plugin needed at run time): the window icon, and the picture in the About dialog. Each size is read when
// it is first asked for.
class AppIcon
{
public:
    static QIcon icon();
};
