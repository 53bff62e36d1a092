# QtKeychain 0.15.0 for the Windows build (installer/windows/vcpkg.json). vcpkg's own port stops at 0.14.3, and only
# 0.15 stores secrets larger than 2,560 bytes in Windows Credential Manager (it spreads them over the credential's
# attributes, up to 18,944 bytes): a refresh token with its account record can be larger than that.
# The archive is GitHub's tarball of tag 0.15.0 (commit ad7344c45a86a4f66cbafc4b081b5f7b876cb0b7); its SHA-256,
# f4254dc8f0933b06d90672d683eab08ef770acd8336e44dfa030ce041dc2ca22, is the one Debian's qtkeychain_0.15.0.orig.tar.gz
# and Homebrew's formula have, and the SHA-512 below was computed from that same file.
vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO frankosterfeld/qtkeychain
    REF "${VERSION}"
    SHA512 b1068ae513d5eab8f300186497ddcce4075e11a2a569deddbc949177efaa27970ed7bdce0b1aff61a021144540e942f60c9259b975601a92c60b8a742754624a
    HEAD_REF main
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DBUILD_WITH_QT6=ON
        -DBUILD_TEST_APPLICATION=OFF
        -DBUILD_TRANSLATIONS=OFF # the app has no translations yet; saves building qttools' linguist
        -DUSE_CREDENTIAL_STORE=ON
)
vcpkg_cmake_install()
vcpkg_copy_pdbs()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/Qt6Keychain PACKAGE_NAME Qt6Keychain)

file(REMOVE_RECURSE
    "${CURRENT_PACKAGES_DIR}/debug/include"
    "${CURRENT_PACKAGES_DIR}/debug/share"
    "${CURRENT_PACKAGES_DIR}/mkspecs"
    "${CURRENT_PACKAGES_DIR}/debug/mkspecs"
)
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/COPYING")
