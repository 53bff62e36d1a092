# Install-time step on macOS (installer/Packaging.cmake), on the installed tree (CPack's staging tree when
# packaging), before the .dmg is made:
#   1. session-revoker-cli moves into the bundle, beside the GUI, so the disk image holds one thing to drag to
#      Applications (run it as "/Applications/Session Revoker.app/Contents/MacOS/session-revoker-cli").
#   2. macdeployqt copies Qt's frameworks and plugins (and any other non-system library) into the bundle.
#   3. Signing: with SR_MACOS_SIGN_IDENTITY set (a "Developer ID Application: ..." identity in the keychain),
#      macdeployqt signs every binary with the hardened runtime and a secure timestamp, as notarization requires.
#      Without it the bundle gets an ad-hoc signature, which Apple silicon needs to run it at all; Gatekeeper will
#      still warn about a downloaded copy. installer/macos/SignAndNotarize.cmake then signs and notarizes the .dmg.
# Inputs: SR_MACDEPLOYQT, SR_BUNDLE_NAME ("Session Revoker.app"), SR_BINDIR.
set(prefix "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(app "${prefix}/${SR_BUNDLE_NAME}")
set(cli "${app}/Contents/MacOS/session-revoker-cli")

file(RENAME "${prefix}/${SR_BINDIR}/session-revoker-cli" "${cli}")
file(GLOB left "${prefix}/${SR_BINDIR}/*")
if(NOT left)
    file(REMOVE_RECURSE "${prefix}/${SR_BINDIR}")
endif()

set(identity "$ENV{SR_MACOS_SIGN_IDENTITY}")
set(args "${app}" "-executable=${cli}" -always-overwrite -verbose=1)
if(identity)
    message(STATUS "macdeployqt: signing with \"${identity}\" (hardened runtime, timestamp)")
    list(APPEND args "-sign-for-notarization=${identity}")
else()
    message(STATUS "SR_MACOS_SIGN_IDENTITY is not set: not signing with a Developer ID (ad-hoc signature only; "
        "notarization will be skipped too)")
endif()
execute_process(COMMAND "${SR_MACDEPLOYQT}" ${args} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "macdeployqt failed (${result})")
endif()
if(NOT identity)
    execute_process(COMMAND codesign --force --deep --sign - "${app}" RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "ad-hoc codesign failed (${result})")
    endif()
endif()
execute_process(COMMAND codesign --verify --deep --strict --verbose=2 "${app}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "codesign --verify failed on ${app} (${result})")
endif()
