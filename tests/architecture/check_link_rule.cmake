# Fails when the link report of cmake/HivewatchLinkRule.cmake names a violation.
#   cmake -DREPORT=<file> -P check_link_rule.cmake
#   cmake -DPROJECT=<dir> -DBINARY=<dir> -P check_link_rule.cmake   configures PROJECT first (the
#       planted violation under tests/architecture/link-violation) and checks its report
if(DEFINED PROJECT)
    file(REMOVE_RECURSE "${BINARY}")
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${PROJECT}" -B "${BINARY}"
                    RESULT_VARIABLE configured OUTPUT_QUIET)
    if(NOT configured EQUAL 0)
        message(FATAL_ERROR "could not configure ${PROJECT}")
    endif()
    set(REPORT "${BINARY}/link-closure.txt")
endif()
if(NOT EXISTS "${REPORT}")
    message(FATAL_ERROR "no link report at ${REPORT}: configure the project first")
endif()
file(STRINGS "${REPORT}" violations REGEX "^VIOLATION")
file(STRINGS "${REPORT}" closures REGEX "closure:")
foreach(line IN LISTS closures)
    message(STATUS "${line}")
endforeach()
if(violations)
    list(JOIN violations "\n  " text)
    message(FATAL_ERROR "link rule broken (docs/architecture.md, \"Link lines\"):\n  ${text}")
endif()
message(STATUS "link rule ok: ui never reaches Qt Network, Qt Sql or libpq; models only through sync")
