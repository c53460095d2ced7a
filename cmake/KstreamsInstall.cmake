# `cmake --install` produces a package that `find_package(kstreams CONFIG)` finds:
# kstreams::kstreams, kstreams::testing, kstreams::protobuf, kstreams::reflect.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KSTREAMS_INSTALL_TARGETS kstreams kstreams_testing)
foreach(opt_in kstreams_protobuf kstreams_reflect)
  if(TARGET ${opt_in})
    list(APPEND KSTREAMS_INSTALL_TARGETS ${opt_in})
  endif()
endforeach()

install(TARGETS ${KSTREAMS_INSTALL_TARGETS}
  EXPORT kstreams-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kstreams DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT kstreams-targets
  NAMESPACE kstreams::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstreams)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kstreams-config.cmake.in
  ${PROJECT_BINARY_DIR}/kstreams-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstreams)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kstreams-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/kstreams-config.cmake
  ${PROJECT_BINARY_DIR}/kstreams-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstreams)
