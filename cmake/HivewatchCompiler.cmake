# Warnings, sanitizers and ccache for every target in the project.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_compile_options(-Wall -Wextra)
if(HIVEWATCH_WERROR)
    add_compile_options(-Werror)
endif()

if(HIVEWATCH_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer: every library gets coverage instrumentation so the fuzz targets (tests/fuzz) can
# steer into the parsers; ASan/UBSan turn silent memory errors into findings.
if(HIVEWATCH_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "HIVEWATCH_FUZZ needs clang (configure with CC=clang CXX=clang++)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# Qt: bytes never turn into QString by accident; HIVEWATCH_VERSION feeds --version.
add_compile_definitions(QT_NO_CAST_FROM_BYTEARRAY QT_USE_QSTRINGBUILDER
                        HIVEWATCH_VERSION="${PROJECT_VERSION}")
