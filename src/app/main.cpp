#include "GuiMain.h"

int main(int argc, char* argv[])
{
    return guiMain(argc, argv);
}
