# A real Apache Kafka broker as a CTest fixture (scripts/kafka/kafka-broker).
#
#   include(KstreamsKafkaFixture)
#   kstreams_add_kafka_fixture()                       # fixture "kafka_broker", 1 node
#   kstreams_add_kafka_fixture(NAME kafka_cluster3 NODES 3)   # optional second fixture
#
# kstreams_add_kafka_fixture([NAME fixture] [NODES 1|3] [PARTITIONS n] [DIR dir]
#                            [START_TIMEOUT s] [STOP_TIMEOUT s])
#   Registers two CTest tests, <NAME>_start (FIXTURES_SETUP <NAME>) and
#   <NAME>_stop (FIXTURES_CLEANUP <NAME>), labelled "integration".
#   NAME defaults to kafka_broker, DIR to ${CMAKE_BINARY_DIR}/kafka-fixture
#   (${CMAKE_BINARY_DIR}/<NAME>-fixture for any other NAME). <NAME>_start
#   fetches the broker jars on first use (Maven Central -> ~/.cache/kstreams),
#   stops/wipes a cluster left in DIR by an earlier run, starts the nodes and
#   writes DIR/bootstrap. If KSTREAMS_TEST_BOOTSTRAP is set in ctest's
#   environment, it starts nothing and writes that value to DIR/bootstrap.
#   Sets in the caller's scope:
#     KSTREAMS_KAFKA_FIXTURE_DIR        DIR
#     KSTREAMS_KAFKA_BOOTSTRAP_FILE     DIR/bootstrap
#     KSTREAMS_KAFKA_FIXTURE_AVAILABLE  ON if java, mvn (or a filled cache) and kcat were found
#
# Contract for a test that needs a broker:
#   * CTest property FIXTURES_REQUIRED <NAME> (and LABELS integration), e.g.
#       gtest_discover_tests(my_it PROPERTIES
#         LABELS integration FIXTURES_REQUIRED kafka_broker
#         ENVIRONMENT "KSTREAMS_TEST_BOOTSTRAP_FILE=${KSTREAMS_KAFKA_BOOTSTRAP_FILE}")
#   * bootstrap servers: the env var KSTREAMS_TEST_BOOTSTRAP if set and
#     non-empty, else the first line of the file named by
#     KSTREAMS_TEST_BOOTSTRAP_FILE (i.e. DIR/bootstrap): "127.0.0.1:PORT[,...]".
#   * the broker is shared by all tests of one ctest run (tests may run in
#     parallel): use unique topic / group / transactional ids per test.
#     Topics auto-create with num.partitions=PARTITIONS; create topics with an
#     explicit partition count through the admin API (or
#     scripts/kafka/kafka-broker create-topic --dir DIR ...).
#   * a test must never stop the shared broker; broker-failure tests start
#     their own cluster in their own temp dir with kafka-broker start/stop.

function(kstreams_add_kafka_fixture)
  cmake_parse_arguments(ARG "" "NAME;NODES;PARTITIONS;DIR;START_TIMEOUT;STOP_TIMEOUT" "" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kstreams_add_kafka_fixture: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME kafka_broker)
  endif()
  if(NOT ARG_NODES)
    set(ARG_NODES 1)
  endif()
  if(NOT ARG_NODES MATCHES "^(1|3)$")
    message(FATAL_ERROR "kstreams_add_kafka_fixture: NODES must be 1 or 3, not '${ARG_NODES}'")
  endif()
  if(NOT ARG_PARTITIONS)
    set(ARG_PARTITIONS 1)
  endif()
  if(NOT ARG_DIR)
    if(ARG_NAME STREQUAL "kafka_broker")
      set(ARG_DIR "${CMAKE_BINARY_DIR}/kafka-fixture")
    else()
      set(ARG_DIR "${CMAKE_BINARY_DIR}/${ARG_NAME}-fixture")
    endif()
  endif()
  # Start covers a cold fetch from Maven Central (~6 s) plus start-up (~3-13 s).
  if(NOT ARG_START_TIMEOUT)
    set(ARG_START_TIMEOUT 300)
  endif()
  # kafka-broker stop SIGKILLs after KSTREAMS_KAFKA_STOP_TIMEOUT (20 s).
  if(NOT ARG_STOP_TIMEOUT)
    set(ARG_STOP_TIMEOUT 60)
  endif()

  set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../scripts/kafka/kafka-broker")
  cmake_path(NORMAL_PATH script)
  if(NOT EXISTS "${script}")
    message(FATAL_ERROR "kstreams_add_kafka_fixture: ${script} not found")
  endif()
  find_program(BASH_EXECUTABLE bash REQUIRED)

  find_program(KSTREAMS_JAVA java)
  find_program(KSTREAMS_MVN mvn)
  find_program(KSTREAMS_KCAT kcat)
  set(available ON)
  if(NOT KSTREAMS_JAVA OR NOT KSTREAMS_KCAT)
    set(available OFF)
  endif()
  if(NOT KSTREAMS_MVN AND NOT DEFINED ENV{KSTREAMS_KAFKA_CACHE}
     AND NOT EXISTS "$ENV{HOME}/.cache/kstreams")
    set(available OFF)
  endif()
  if(NOT available)
    message(STATUS "kstreams: Kafka fixture '${ARG_NAME}' registered, but java/mvn/kcat "
                   "are missing: its tests will fail (scripts/install-deps installs them)")
  endif()

  add_test(NAME ${ARG_NAME}_start
    COMMAND "${BASH_EXECUTABLE}" "${script}" start --replace --use-env-bootstrap
            --nodes ${ARG_NODES} --partitions ${ARG_PARTITIONS} --dir "${ARG_DIR}")
  set_tests_properties(${ARG_NAME}_start PROPERTIES
    FIXTURES_SETUP ${ARG_NAME}
    LABELS integration
    TIMEOUT ${ARG_START_TIMEOUT}
    RESOURCE_LOCK ${ARG_NAME}_dir)

  add_test(NAME ${ARG_NAME}_stop
    COMMAND "${BASH_EXECUTABLE}" "${script}" stop --dir "${ARG_DIR}")
  set_tests_properties(${ARG_NAME}_stop PROPERTIES
    FIXTURES_CLEANUP ${ARG_NAME}
    LABELS integration
    TIMEOUT ${ARG_STOP_TIMEOUT}
    RESOURCE_LOCK ${ARG_NAME}_dir)

  set(KSTREAMS_KAFKA_FIXTURE_DIR "${ARG_DIR}" PARENT_SCOPE)
  set(KSTREAMS_KAFKA_BOOTSTRAP_FILE "${ARG_DIR}/bootstrap" PARENT_SCOPE)
  set(KSTREAMS_KAFKA_FIXTURE_AVAILABLE ${available} PARENT_SCOPE)
endfunction()
