# hivewatch_add_test(<name> SOURCES a.cpp… LIBS lib… [NEEDS_PG] [LABELS l…] [TIMEOUT s])
#
# One QtTest executable = one ctest test. NEEDS_PG makes the test depend on the private
# PostgreSQL cluster fixture; the test finds it through HIVEWATCH_TEST_PG_CONNFILE, a file holding
# a libpq conninfo string (see tests/support/pg/pgcluster.sh). Every test runs headless.
set(HIVEWATCH_PG_STATE_DIR ${CMAKE_BINARY_DIR}/test-pgcluster)

function(hivewatch_add_test name)
    cmake_parse_arguments(T "NEEDS_PG" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}) # the one include root
    add_test(NAME ${name} COMMAND ${name})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    set(env
        "QT_QPA_PLATFORM=offscreen"
        "XDG_RUNTIME_DIR=${CMAKE_BINARY_DIR}/test-runtime"
        "HIVEWATCH_TEST_PG_CONNFILE=${HIVEWATCH_PG_STATE_DIR}/conninfo"
        "HIVEWATCH_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
        "HIVEWATCH_BINARY_DIR=${CMAKE_BINARY_DIR}"
        "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
        "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${T_TIMEOUT}
                                            LABELS "${T_LABELS}")
    if(T_NEEDS_PG)
        set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED pgcluster)
    endif()
endfunction()

file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/test-runtime)
file(CHMOD ${CMAKE_BINARY_DIR}/test-runtime DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

add_test(NAME pgcluster_start
         COMMAND ${PROJECT_SOURCE_DIR}/tests/support/pg/pgcluster.sh start ${HIVEWATCH_PG_STATE_DIR})
add_test(NAME pgcluster_stop
         COMMAND ${PROJECT_SOURCE_DIR}/tests/support/pg/pgcluster.sh stop ${HIVEWATCH_PG_STATE_DIR})
set_tests_properties(pgcluster_start PROPERTIES FIXTURES_SETUP pgcluster TIMEOUT 60)
set_tests_properties(pgcluster_stop PROPERTIES FIXTURES_CLEANUP pgcluster TIMEOUT 60)
