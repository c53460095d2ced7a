// State settings as the test driver applies them: the RocksDB config setter, the record cache
// size, and their validation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::counting_topology;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(StateConfigTest, RocksDbConfigSetterIsCalledForEveryRocksDbStore) {
  std::vector<std::string> tuned;
  StreamsConfig config;
  config.rocksdb_config_setter = [&tuned](const std::string& store, rocksdb::Options&) {
    tuned.push_back(store);
  };
  testing::TopologyTestDriver driver(counting_topology(), config);
  EXPECT_THAT(tuned, ElementsAre("counts"));
}

TEST(StateConfigTest, ZeroCacheForwardsEveryUpdate) {
  StreamsConfig config;
  config.statestore_cache_max_bytes = 0;
  testing::TopologyTestDriver driver(counting_topology(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("a", "x", 1);
  in.pipe_input("a", "y", 2);
  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("out");
  EXPECT_THAT(out.read_values_to_list(), ElementsAre(1, 2));
}

TEST(StateConfigTest, InvalidStateSettingsNameTheProperty) {
  auto rejected = [](std::map<std::string, std::string> props) {
    props["application.id"] = "state-config";
    Result<StreamsConfig> config = StreamsConfig::from_properties(props);
    if (config.ok()) return config->validate();
    return config.status();
  };
  EXPECT_THAT(rejected({{"statestore.cache.max.bytes", "-1"}}).message(),
              HasSubstr("statestore.cache.max.bytes"));
  EXPECT_THAT(rejected({{"rocksdb.block.cache.bytes", "10"}}).message(),
              HasSubstr("rocksdb.block.cache.bytes"));
  EXPECT_THAT(rejected({{"replication.factor", "0"}}).message(), HasSubstr("replication.factor"));
  Result<StreamsConfig> ok = StreamsConfig::from_properties({{"application.id", "state-config"},
                                                             {"cache.max.bytes.buffering", "0"},
                                                             {"replication.factor", "3"}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->statestore_cache_max_bytes, 0);
  EXPECT_EQ(ok->replication_factor, 3);
}

}  // namespace
}  // namespace kstreams
