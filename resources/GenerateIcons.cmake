# Makes every raster form of the app icon from the one SVG, with Debian tools:
#   rsvg-convert (librsvg2-bin)  SVG -> PNG at each size
#   icotool      (icoutils)      PNGs -> the Windows .ico (256 px stored as PNG, as Windows Vista+ expects)
#   png2icns     (icnsutils)     PNGs -> the macOS .icns (16 px to 1024 px)
# The build runs it (resources/CMakeLists.txt); so does CI's icons job, whose output the Windows and macOS builds use
# through SR_ICONS_DIR, since those machines have none of the three tools:
#   cmake -DSVG=resources/icons/session-revoker.svg -DOUTPUT_DIR=<dir> -P resources/GenerateIcons.cmake
# Output: <dir>/png/<size>.png, <dir>/session-revoker.ico, <dir>/session-revoker.icns.
cmake_minimum_required(VERSION 3.25)

if(NOT SVG OR NOT OUTPUT_DIR)
    message(FATAL_ERROR "usage: cmake -DSVG=<icon.svg> -DOUTPUT_DIR=<dir> -P GenerateIcons.cmake")
endif()
foreach(tool IN ITEMS RSVG_CONVERT ICOTOOL PNG2ICNS)
    string(TOLOWER "${tool}" program)
    string(REPLACE "_" "-" program "${program}")
    if(NOT ${tool})
        find_program(${tool} ${program})
    endif()
    if(NOT ${tool})
        message(FATAL_ERROR "${program} not found: install librsvg2-bin, icoutils and icnsutils (scripts/setup.sh)")
    endif()
endforeach()

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_QUIET ERROR_VARIABLE errors)
    if(NOT result EQUAL 0)
        list(JOIN ARGN " " command)
        message(FATAL_ERROR "${command} failed (${result}): ${errors}")
    endif()
endfunction()

file(MAKE_DIRECTORY "${OUTPUT_DIR}/png")
foreach(size IN ITEMS 16 24 32 48 64 128 256 512 1024)
    run("${RSVG_CONVERT}" --width=${size} --height=${size} --keep-aspect-ratio --format=png
        --output "${OUTPUT_DIR}/png/${size}.png" "${SVG}")
endforeach()

set(png "${OUTPUT_DIR}/png")
run("${ICOTOOL}" --create --output "${OUTPUT_DIR}/session-revoker.ico"
    "${png}/16.png" "${png}/24.png" "${png}/32.png" "${png}/48.png" "${png}/64.png" "${png}/128.png"
    --raw "${png}/256.png")
run("${PNG2ICNS}" "${OUTPUT_DIR}/session-revoker.icns"
    "${png}/16.png" "${png}/32.png" "${png}/48.png" "${png}/128.png" "${png}/256.png" "${png}/512.png"
    "${png}/1024.png")
