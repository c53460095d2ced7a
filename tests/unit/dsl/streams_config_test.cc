// StreamsConfig from command-line style assignments (the examples' and apps' --property flags).
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/streams_config.h>

namespace kstreams {
namespace {

using ::testing::HasSubstr;

TEST(StreamsConfigTest, AssignmentsOverrideInOrderAndKeepEqualsSignsInValues) {
  std::map<std::string, std::string> props{{"commit.interval.ms", "30000"}};
  ASSERT_TRUE(
      StreamsConfig::parse_assignments(
          {"commit.interval.ms=100", "sasl.jaas.config=a=b", "commit.interval.ms=200"}, props)
          .ok());
  EXPECT_EQ(props["commit.interval.ms"], "200");
  EXPECT_EQ(props["sasl.jaas.config"], "a=b") << "split at the first '=' only";
}

TEST(StreamsConfigTest, AnAssignmentWithoutEqualsSignIsRejectedByName) {
  std::map<std::string, std::string> props;
  const Status s = StreamsConfig::parse_assignments({"a=1", "num.stream.threads"}, props);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'num.stream.threads': expected key=value"));
}

}  // namespace
}  // namespace kstreams
