# Install-time step on Windows (installer/Packaging.cmake): makes the installed tree — CPack's staging tree when
# packaging — run on a machine without Qt, before WiX turns it into the MSI.
#   1. windeployqt: the Qt DLLs and the plugins both executables load (platforms, styles, TLS, image formats).
#   2. Everything else they load that is not part of Windows: QtKeychain, and the libraries vcpkg built Qt with
#      (zlib, pcre2, ICU, ...), which windeployqt leaves out; found with file(GET_RUNTIME_DEPENDENCIES).
# The Visual C++ runtime comes from InstallRequiredSystemLibraries. Inputs: SR_WINDEPLOYQT, SR_DUMPBIN, SR_BINDIR,
# SR_DEPENDENCY_DIRS (where the DLLs are: vcpkg's bin folder).
set(bin "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${SR_BINDIR}")
set(executables "${bin}/session-revoker.exe" "${bin}/session-revoker-cli.exe")

message(STATUS "windeployqt: ${bin}")
execute_process(
    COMMAND "${SR_WINDEPLOYQT}" --release --no-translations --no-compiler-runtime --no-system-d3d-compiler
            --no-opengl-sw --verbose 1 --dir "${bin}" ${executables}
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "windeployqt failed (${result})")
endif()

file(GLOB_RECURSE modules "${bin}/*.dll")
set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM windows+pe)
set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL dumpbin)
set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND "${SR_DUMPBIN}")
file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${executables}
    LIBRARIES ${modules}
    DIRECTORIES ${SR_DEPENDENCY_DIRS}
    PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-"
    POST_EXCLUDE_REGEXES "[/\\\\][Ss]ystem32[/\\\\]" "[/\\\\][Ww]in[Ss]x[Ss][/\\\\]"
    RESOLVED_DEPENDENCIES_VAR resolved
    UNRESOLVED_DEPENDENCIES_VAR unresolved)
foreach(dll IN LISTS resolved)
    get_filename_component(name "${dll}" NAME)
    if(NOT EXISTS "${bin}/${name}")
        message(STATUS "Deploying ${name}")
        file(COPY "${dll}" DESTINATION "${bin}")
    endif()
endforeach()
if(unresolved)
    message(FATAL_ERROR "Libraries the executables need but none of ${SR_DEPENDENCY_DIRS} has: ${unresolved}")
endif()
