# ig_module(NAME SOURCES ... DEPS ...): a static library for one capability under src/.
function(ig_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ig_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ig_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ig_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ig_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest executable registered with CTest.
# The file name says what the test needs (_sqlite_test, _simulator_test, ...); LABELS repeat it so
# that `ctest -L sqlite` selects the group.
function(ig_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    IMEIGUARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    IMEIGUARD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
