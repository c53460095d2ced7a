// Public-header hygiene (as Arrow's public_api_test): the headers an application includes must
// not drag in the third-party libraries kstreams uses internally. Their version macros are a
// reliable sign that one of their headers was included. The kstreams headers come first, before
// anything else, so that nothing else can define these macros.
#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

namespace kstreams_public_api {

#ifdef RD_KAFKA_VERSION
inline constexpr bool kLeaksLibrdkafka = true;  // <librdkafka/rdkafka.h>
#else
inline constexpr bool kLeaksLibrdkafka = false;
#endif
#ifdef ROCKSDB_MAJOR
inline constexpr bool kLeaksRocksdb = true;  // <rocksdb/version.h>
#else
inline constexpr bool kLeaksRocksdb = false;
#endif
#ifdef GOOGLE_PROTOBUF_VERSION
inline constexpr bool kLeaksProtobuf = true;  // <google/protobuf/stubs/common.h>
#else
inline constexpr bool kLeaksProtobuf = false;
#endif
#if defined(SPDLOG_VERSION) || defined(SPDLOG_H)
inline constexpr bool kLeaksSpdlog = true;  // <spdlog/spdlog.h>
#else
inline constexpr bool kLeaksSpdlog = false;
#endif
#ifdef FMT_VERSION
inline constexpr bool kLeaksFmt = true;  // <fmt/core.h>, spdlog's formatter
#else
inline constexpr bool kLeaksFmt = false;
#endif
#if defined(BOOST_HANA_CONFIG_HPP) || defined(BOOST_HANA_CONFIG_GCC) || \
    defined(BOOST_HANA_CONFIG_CLANG)
inline constexpr bool kLeaksHana = true;  // <boost/hana.hpp>: only in <kstreams/serde/reflect.h>
#else
inline constexpr bool kLeaksHana = false;
#endif
#ifdef BOOST_VERSION
inline constexpr bool kLeaksBoost = true;  // any Boost header
#else
inline constexpr bool kLeaksBoost = false;
#endif
#ifdef NLOHMANN_JSON_VERSION_MAJOR
inline constexpr bool kLeaksNlohmannJson = true;  // only in <kstreams/serde/reflect.h>
#else
inline constexpr bool kLeaksNlohmannJson = false;
#endif
#ifdef KSTREAMS_RETURN_IF_ERROR
inline constexpr bool kHasReturnIfError = true;
#else
inline constexpr bool kHasReturnIfError = false;
#endif
#ifdef KSTREAMS_ASSIGN_OR_RETURN
inline constexpr bool kHasAssignOrReturn = true;
#else
inline constexpr bool kHasAssignOrReturn = false;
#endif

// Fail the build, not only the test run: a leak is caught by any build of the tests.
static_assert(!kLeaksLibrdkafka, "librdkafka headers leak through the public kstreams headers");
static_assert(!kLeaksRocksdb, "RocksDB headers leak through the public kstreams headers");
static_assert(!kLeaksProtobuf, "protobuf headers leak through the public kstreams headers");
static_assert(!kLeaksSpdlog, "spdlog headers leak through the public kstreams headers");
static_assert(!kLeaksFmt, "fmt headers leak through the public kstreams headers");
static_assert(!kLeaksHana, "Boost.Hana headers leak through the public kstreams headers");
static_assert(!kLeaksBoost, "Boost headers leak through the public kstreams headers");
static_assert(!kLeaksNlohmannJson, "nlohmann/json leaks through the public kstreams headers");
static_assert(kHasReturnIfError, "KSTREAMS_RETURN_IF_ERROR must be public");
static_assert(kHasAssignOrReturn, "KSTREAMS_ASSIGN_OR_RETURN must be public");

}  // namespace kstreams_public_api

#include <string>

#include <gtest/gtest.h>

namespace kstreams_public_api {
namespace {

TEST(PublicApiTest, ThirdPartyHeadersDoNotLeak) {
  EXPECT_FALSE(kLeaksLibrdkafka);
  EXPECT_FALSE(kLeaksRocksdb);
  EXPECT_FALSE(kLeaksProtobuf);
  EXPECT_FALSE(kLeaksSpdlog);
  EXPECT_FALSE(kLeaksFmt);
  EXPECT_FALSE(kLeaksHana);
  EXPECT_FALSE(kLeaksBoost);
  EXPECT_FALSE(kLeaksNlohmannJson);
}

kstreams::Status fails() { return kstreams::invalid_argument("nope"); }
kstreams::Result<int> forty_two() { return 42; }

kstreams::Status uses_macros(int& out) {
  KSTREAMS_ASSIGN_OR_RETURN(out, forty_two());
  KSTREAMS_RETURN_IF_ERROR(fails());
  out = -1;  // not reached
  return {};
}

TEST(PublicApiTest, StatusMacrosArePublicAndWork) {
  EXPECT_TRUE(kHasReturnIfError);
  EXPECT_TRUE(kHasAssignOrReturn);
  int out = 0;
  const kstreams::Status status = uses_macros(out);
  EXPECT_EQ(status.code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, 42);
}

TEST(PublicApiTest, TheUmbrellaHeaderIsEnoughToBuildATopology) {
  kstreams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  kstreams::Result<kstreams::Topology> topology = builder.build();
  ASSERT_TRUE(topology.ok()) << topology.status();
  kstreams::testing::TopologyTestDriver driver(*topology);
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "v");
  auto out = driver.create_output_topic<std::string, std::string>("out");
  EXPECT_EQ(out.read_value(), "v");
}

}  // namespace
}  // namespace kstreams_public_api
