# Installers, made by CPack from the install() rules (src/app, src/cli and the platform parts below):
#   Linux    cpack -G DEB        session-revoker_<version>_<arch>.deb; Depends computed by dpkg-shlibdeps
#   Windows  cpack -G WIX        session-revoker-<version>-windows-x64.msi; windeployqt runs on the staging tree
#   macOS    cpack -G DragNDrop  session-revoker-<version>-macos.dmg; macdeployqt, then signing and notarization
#                                when an identity is given (installer/README.md)
# `cmake --build <build dir> --target package` picks the platform's generator. See README.md, "Installing".
include_guard(GLOBAL)

set(CPACK_PACKAGE_NAME "Session Revoker")
set(CPACK_PACKAGE_VENDOR "Session Revoker team")
set(CPACK_PACKAGE_CONTACT "Session Revoker team <team@session-revoker.example>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY ${PROJECT_DESCRIPTION})
# Lines under 80 columns: the .deb's extended description shows them as they are.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "A desktop tool for IT helpdesk operators. The operator signs in with their own"
    "work account in the system browser, finds the user through Microsoft Graph,"
    "and revokes every refresh token and browser session the user holds, so that"
    "every app on the lost device must make the user sign in again."
    "Includes session-revoker-cli, the same from the command line.")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Session Revoker")
set(CPACK_PACKAGE_EXECUTABLES session-revoker "Session Revoker")
# WiX takes a license only as .txt or .rtf.
configure_file(${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_BINARY_DIR}/LICENSE.txt COPYONLY)
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_BINARY_DIR}/LICENSE.txt)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_GENERATOR "") # source archives come from git tags, not from here

# Where Qt's host tools are (windeployqt, macdeployqt): beside qmake. Qt's tool targets set only the per-configuration
# IMPORTED_LOCATION_<CONFIG>, so look at each configuration they were imported for.
function(sr_qt_tools_dir out)
    get_target_property(configurations Qt6::qmake IMPORTED_CONFIGURATIONS)
    foreach(property IN ITEMS IMPORTED_LOCATION LISTS configurations)
        if(NOT property STREQUAL "IMPORTED_LOCATION")
            set(property IMPORTED_LOCATION_${property})
        endif()
        get_target_property(location Qt6::qmake ${property})
        if(location)
            get_filename_component(directory "${location}" DIRECTORY)
            set(${out} "${directory}" PARENT_SCOPE)
            return()
        endif()
    endforeach()
    message(FATAL_ERROR "Cannot tell where Qt's tools are: Qt6::qmake has no imported location")
endfunction()

if(WIN32)
    # ---- Windows: an MSI (WiX Toolset 3; CMake >= 3.29 for CPACK_WIX_INSTALL_SCOPE) -------------------------------
    set(CPACK_GENERATOR WIX)
    set(CPACK_PACKAGE_FILE_NAME session-revoker-${PROJECT_VERSION}-windows-x64)
    # Never change it: Windows Installer recognises earlier versions by it, and a new version replaces the old one
    # (the MajorUpgrade in CPack's template). The product code is new in every build, as a major upgrade needs.
    set(CPACK_WIX_UPGRADE_GUID 98549D27-9C64-4FEB-A2F4-83346C3459C7)
    set(CPACK_WIX_PRODUCT_ICON ${SR_ICON_ICO})
    set(CPACK_WIX_PROGRAM_MENU_FOLDER "Session Revoker")
    set(CPACK_WIX_ROOT_FEATURE_TITLE "Session Revoker")
    # Programs and Features: name, version and publisher come from the product itself; these add the links.
    set(CPACK_WIX_PROPERTY_ARPURLINFOABOUT ${PROJECT_HOMEPAGE_URL})
    set(CPACK_WIX_PROPERTY_ARPHELPLINK ${PROJECT_HOMEPAGE_URL})
    set(CPACK_WIX_PROPERTY_ARPCONTACT "team@session-revoker.example")
    # Per machine: into Program Files, the Start-menu shortcut for every user, needs elevation.
    if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.29)
        set(CPACK_WIX_INSTALL_SCOPE perMachine)
    else()
        set(CPACK_WIX_PROPERTY_ALLUSERS 1)
    endif()

    # The Visual C++ runtime beside the executables (app-local), so no separate redistributable is needed.
    set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${CMAKE_INSTALL_BINDIR})
    include(InstallRequiredSystemLibraries)

    # windeployqt at install time, on the installed tree (which is CPack's staging tree when packaging).
    sr_qt_tools_dir(sr_qt_tools_dir)
    find_program(SR_WINDEPLOYQT windeployqt HINTS ${sr_qt_tools_dir} REQUIRED)
    get_filename_component(sr_linker_dir "${CMAKE_LINKER}" DIRECTORY)
    find_program(SR_DUMPBIN dumpbin HINTS ${sr_linker_dir} REQUIRED)
    install(CODE "
        set(SR_WINDEPLOYQT [[${SR_WINDEPLOYQT}]])
        set(SR_DUMPBIN [[${SR_DUMPBIN}]])
        set(SR_BINDIR [[${CMAKE_INSTALL_BINDIR}]])
        set(SR_DEPENDENCY_DIRS [[$<TARGET_FILE_DIR:Qt6::Core>;$<TARGET_FILE_DIR:Qt6Keychain::Qt6Keychain>]])
        include([[${CMAKE_CURRENT_LIST_DIR}/windows/DeployQt.cmake]])")

elseif(APPLE)
    # ---- macOS: "Session Revoker.app" on a drag-and-drop disk image ----------------------------------------------
    set(CPACK_GENERATOR DragNDrop)
    set(CPACK_PACKAGE_FILE_NAME session-revoker-${PROJECT_VERSION}-macos)
    set(CPACK_DMG_VOLUME_NAME "Session Revoker")
    set(CPACK_DMG_FORMAT UDZO)
    set(CPACK_PACKAGE_ICON ${SR_ICON_ICNS}) # the volume's icon
    # Signs and notarizes the .dmg when the environment provides an identity; says so and skips otherwise.
    set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/macos/SignAndNotarize.cmake)

    sr_qt_tools_dir(sr_qt_tools_dir)
    find_program(SR_MACDEPLOYQT macdeployqt HINTS ${sr_qt_tools_dir} REQUIRED)
    install(CODE "
        set(SR_MACDEPLOYQT [[${SR_MACDEPLOYQT}]])
        set(SR_BUNDLE_NAME [[$<TARGET_BUNDLE_DIR_NAME:session-revoker>]])
        set(SR_BINDIR [[${CMAKE_INSTALL_BINDIR}]])
        include([[${CMAKE_CURRENT_LIST_DIR}/macos/DeployQt.cmake]])")

else()
    # ---- Linux: a Debian package ---------------------------------------------------------------------------------
    set(CPACK_GENERATOR DEB)
    set(CPACK_DEBIAN_PACKAGE_NAME session-revoker)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # session-revoker_<version>_<arch>.deb
    set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Session Revoker team <team@session-revoker.example>")
    set(CPACK_DEBIAN_PACKAGE_SECTION admin)
    set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
    # Depends: computed by dpkg-shlibdeps from the two binaries (Qt, QtKeychain, libstdc++, libc), never written here.
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    # Loaded at run time, so shlibdeps cannot see them, and the app works without them (it then says it cannot
    # remember the sign-in, or prints the sign-in URL): libsecret and a Secret Service for QtKeychain, xdg-open for
    # the system browser.
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libsecret-1-0, gnome-keyring | kwalletmanager, xdg-utils")
    set(CPACK_STRIP_FILES ON)

    set(SR_RELEASE_DATE 2026-11-25) # the AppStream release date of PROJECT_VERSION: change both together
    set(SR_SCREENSHOT_URL
        https://raw.githubusercontent.com/session-revoker/session-revoker/main/docs/screenshot-revoke.png)
    configure_file(${CMAKE_CURRENT_LIST_DIR}/linux/session-revoker.desktop.in
        ${PROJECT_BINARY_DIR}/installer/${SR_APP_ID}.desktop @ONLY)
    configure_file(${CMAKE_CURRENT_LIST_DIR}/linux/session-revoker.metainfo.xml.in
        ${PROJECT_BINARY_DIR}/installer/${SR_APP_ID}.metainfo.xml @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/installer/${SR_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/applications)
    install(FILES ${PROJECT_BINARY_DIR}/installer/${SR_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/metainfo)
    foreach(size IN ITEMS 16 24 32 48 64 128 256 512)
        install(FILES ${SR_ICON_DIR}/png/${size}.png
            DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/icons/hicolor/${size}x${size}/apps RENAME session-revoker.png)
    endforeach()
    install(FILES ${SR_ICON_SVG} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/icons/hicolor/scalable/apps)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/session-revoker RENAME copyright)

    # The .deb, built and proven: installed with apt into a fresh minimal Debian 12 root (so a missing Depends
    # shows), where both executables answer --version and the GUI shows its main window (offscreen and on Xvfb).
    # Needs root and the network (apt's Debian mirror); ~2-4 min, the fresh root cached under build/deb-root-cache.
    if(SR_BUILD_TESTS)
        add_test(NAME package.deb
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/linux/test-deb.sh ${PROJECT_BINARY_DIR} ${CMAKE_CPACK_COMMAND}
                ${PROJECT_VERSION} ${SR_APP_ID})
        # COST: start first, since it is the longest; 77: skipped (not root), with the reason printed.
        set_tests_properties(package.deb PROPERTIES LABELS package TIMEOUT 1200 COST 10000 SKIP_RETURN_CODE 77)
    endif()
endif()

include(CPack)
