# CPack post-build script on macOS (CPACK_POST_BUILD_SCRIPTS): signs the .dmg, has Apple notarize it and staples
# the ticket, when the environment provides what that needs; otherwise says what was skipped and why.
#   SR_MACOS_SIGN_IDENTITY    "Developer ID Application: <name> (<team id>)", in the keychain (CI imports it)
#   and, to notarize, either  SR_MACOS_NOTARY_PROFILE  (a profile saved with `xcrun notarytool store-credentials`)
#   or all three of           SR_MACOS_NOTARY_APPLE_ID, SR_MACOS_NOTARY_TEAM_ID, SR_MACOS_NOTARY_PASSWORD
#                             (an app-specific password)
# The app inside was already signed by installer/macos/DeployQt.cmake with the same identity.
if(NOT CPACK_GENERATOR STREQUAL "DragNDrop")
    return()
endif()

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT result EQUAL 0)
        list(GET ARGN 0 program)
        message(FATAL_ERROR "${program} failed (${result}):\n${out}")
    endif()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(identity "$ENV{SR_MACOS_SIGN_IDENTITY}")
if(NOT identity)
    message(STATUS "Signing and notarization skipped: SR_MACOS_SIGN_IDENTITY is not set. The disk image works, but "
        "Gatekeeper will ask users to confirm opening an app from an unidentified developer.")
    return()
endif()

if(DEFINED ENV{SR_MACOS_NOTARY_PROFILE} AND NOT "$ENV{SR_MACOS_NOTARY_PROFILE}" STREQUAL "")
    set(credentials --keychain-profile "$ENV{SR_MACOS_NOTARY_PROFILE}")
elseif(NOT "$ENV{SR_MACOS_NOTARY_APPLE_ID}" STREQUAL "" AND NOT "$ENV{SR_MACOS_NOTARY_TEAM_ID}" STREQUAL ""
       AND NOT "$ENV{SR_MACOS_NOTARY_PASSWORD}" STREQUAL "")
    set(credentials --apple-id "$ENV{SR_MACOS_NOTARY_APPLE_ID}" --team-id "$ENV{SR_MACOS_NOTARY_TEAM_ID}"
        --password "$ENV{SR_MACOS_NOTARY_PASSWORD}")
else()
    set(credentials "")
endif()

foreach(dmg IN LISTS CPACK_PACKAGE_FILES)
    message(STATUS "Signing ${dmg}")
    run(codesign --force --timestamp --sign "${identity}" "${dmg}")
    run(codesign --verify --verbose=2 "${dmg}")
    if(NOT credentials)
        message(STATUS "Notarization skipped: set SR_MACOS_NOTARY_PROFILE, or SR_MACOS_NOTARY_APPLE_ID, "
            "SR_MACOS_NOTARY_TEAM_ID and SR_MACOS_NOTARY_PASSWORD.")
        continue()
    endif()
    message(STATUS "Notarizing ${dmg} (waits for Apple's answer)")
    run(xcrun notarytool submit "${dmg}" ${credentials} --wait --output-format json)
    string(JSON status ERROR_VARIABLE json_error GET "${run_output}" status)
    if(NOT status STREQUAL "Accepted")
        message(FATAL_ERROR "Notarization was not accepted (${status}${json_error}): ${run_output}\n"
            "See `xcrun notarytool log <id>` for the reasons.")
    endif()
    run(xcrun stapler staple "${dmg}")
    run(xcrun stapler validate "${dmg}")
    run(spctl --assess --type open --context context:primary-signature --verbose=2 "${dmg}")
    message(STATUS "Notarized and stapled: ${dmg}")
endforeach()
