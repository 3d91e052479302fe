# .deb through CPack: `cmake --build build --target package` (or `cd build && cpack -G DEB`).
set(CPACK_PACKAGE_NAME hivewatch)
set(CPACK_PACKAGE_VENDOR "Hivewatch developers")
set(CPACK_PACKAGE_CONTACT "Hivewatch developers <dev@hivewatch.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Live dashboard for a hive of AI coding agents (ElectricSQL)")
set(CPACK_PACKAGE_DESCRIPTION
    "Hivewatch follows a hive's PostgreSQL state live through ElectricSQL shapes: tasks, nodes, \
assignments and execution logs. hivectl offers the same engine on the command line.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # runtime dependencies from the binaries' ELF NEEDED
# jemalloc is in NEEDED already; named too, so a build without shlibdeps still says it.
if(HIVEWATCH_JEMALLOC AND NOT HIVEWATCH_SANITIZE)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libjemalloc2")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql, libqt6sql6-sqlite, acl") # acl: the demo cluster as root
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/hivewatch/hivewatch")
set(CPACK_STRIP_FILES ON)
include(CPack)
