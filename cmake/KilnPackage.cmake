# Installs kiln as a CMake package (find_package(kiln CONFIG): kiln::runtime, kiln_add_model) and a
# pkg-config file (kiln-runtime.pc), in every flavour; the runtime-only one has no compiler in it.
include(CMakePackageConfigHelpers)

if(TARGET kiln)
  set(KILN_PACKAGE_HAS_COMPILER TRUE)
else()
  set(KILN_PACKAGE_HAS_COMPILER FALSE)
endif()
set(KILN_CMAKE_DIR lib/cmake/kiln)
install(EXPORT kilnTargets NAMESPACE kiln:: FILE kilnTargets.cmake DESTINATION ${KILN_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kilnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/kilnConfig.cmake INSTALL_DESTINATION ${KILN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/kilnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/kilnConfig.cmake ${PROJECT_BINARY_DIR}/package/kilnConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/KilnAddModel.cmake DESTINATION ${KILN_CMAKE_DIR})

# The static library needs these from the system; the shared one links them itself.
set(KILN_PC_PRIVATE_LIBS "-ldl -lpthread")
configure_file(${PROJECT_SOURCE_DIR}/runtime/kiln-runtime.pc.in ${PROJECT_BINARY_DIR}/package/kiln-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/kiln-runtime.pc DESTINATION lib/pkgconfig)
