# Helpers shared by every kstreams target.

# Strict warnings for kstreams' own code only; never exported to users.
function(kstreams_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wold-style-cast -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 reports a false -Wrestrict inside std::string (GCC bug 105651).
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(KSTREAMS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# kstreams_add_test(NAME name SOURCES a.cc... [LABELS unit|integration|example|bench|slow...]
#                   [DEPS targets...] [TIMEOUT seconds])
# Builds one GoogleTest binary and registers each of its tests with CTest, labelled and bounded.
function(kstreams_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LABELS;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} kstreams_test_support GTest::gmock_main)
  kstreams_set_warnings(${ARG_NAME})
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
