// The clients' librdkafka properties: static membership (group.instance.id) as Kafka Streams
// applies it, one member per stream thread.
#include "src/runtime/client_configs.h"

#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kstreams/test_matchers.h"

namespace kstreams::internal {
namespace {

using kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// The value librdkafka ends up with: entries are applied in order, so the last one wins.
std::optional<std::string> value_of(const kafka::ConfigEntries& entries, const std::string& key) {
  std::optional<std::string> value;
  for (const auto& [k, v] : entries) {
    if (k == key) value = v;
  }
  return value;
}

StreamsConfig config_with(const std::string& key, const std::string& value) {
  StreamsConfig config;
  config.application_id = "router";
  config.client_properties[key] = value;
  return config;
}

ClientIdentity stream_thread(int n) {
  return ClientIdentity{"127.0.0.1:9092", "router-1-StreamThread-" + std::to_string(n), false, n};
}

TEST(ClientConfigsTest, EachStreamThreadIsAStaticMemberOfItsOwn) {
  const StreamsConfig config = config_with("group.instance.id", "router-a");
  EXPECT_EQ(value_of(consumer_config(config, stream_thread(1)), "group.instance.id"), "router-a-1");
  EXPECT_EQ(value_of(consumer_config(config, stream_thread(2)), "group.instance.id"), "router-a-2");
}

TEST(ClientConfigsTest, ConsumerPrefixedInstanceIdIsNumberedToo) {
  const StreamsConfig config = config_with("consumer.group.instance.id", "router-b");
  EXPECT_EQ(value_of(consumer_config(config, stream_thread(3)), "group.instance.id"), "router-b-3");
}

TEST(ClientConfigsTest, ConsumerPrefixedPropertiesWinOverThoseForBothClients) {
  StreamsConfig config = config_with("group.instance.id", "both");
  config.client_properties["consumer.group.instance.id"] = "consumer-only";
  config.client_properties["kafka.fetch.wait.max.ms"] = "250";
  const kafka::ConfigEntries entries = consumer_config(config, stream_thread(1));
  EXPECT_EQ(value_of(entries, "group.instance.id"), "consumer-only-1");
  EXPECT_EQ(value_of(entries, "fetch.wait.max.ms"), "250") << "the kafka. prefix is stripped";
  EXPECT_EQ(value_of(entries, "kafka.fetch.wait.max.ms"), std::nullopt);
}

// "kafka.X" is X for both clients; with both given, which one won would depend on their order.
TEST(ClientConfigsTest, APropertyGivenWithAndWithoutTheKafkaPrefixIsRejected) {
  StreamsConfig config = config_with("linger.ms", "5");
  config.client_properties["kafka.linger.ms"] = "10";
  EXPECT_THAT(config.validate(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("'linger.ms' and 'kafka.linger.ms' are the same property")));
  EXPECT_THAT(StreamsConfig::from_properties(
                  {{"application.id", "router"}, {"acks", "all"}, {"kafka.acks", "1"}})
                  .status(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("'acks' and 'kafka.acks' are the same property")));
  // Prefixes for one client are not the same property: they override, by design.
  config.client_properties.erase("kafka.linger.ms");
  config.client_properties["producer.linger.ms"] = "10";
  EXPECT_TRUE(config.validate().ok());
}

// Kafka Streams overrides these; kstreams refuses them, naming the property as the user gave it.
TEST(ClientConfigsTest, PropertiesKstreamsReliesOnCannotBeOverridden) {
  EXPECT_THAT(check_user_client_properties(config_with("enable.auto.commit", "true"), false),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("client property 'enable.auto.commit' = 'true' cannot be used")));
  EXPECT_THAT(
      check_user_client_properties(config_with("consumer.enable.auto.offset.store", "1"), false),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("'consumer.enable.auto.offset.store'")));
  EXPECT_THAT(check_user_client_properties(config_with("kafka.group.id", "other"), false),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("consumer group is application.id ('router')")));
  // Producer-prefixed properties are not the consumer's.
  EXPECT_OK(check_user_client_properties(config_with("producer.group.id", "other"), false));
}

TEST(ClientConfigsTest, PropertiesSetToKstreamsOwnValuesAreAccepted) {
  StreamsConfig config = config_with("enable.auto.commit", "False");
  config.client_properties["consumer.enable.auto.offset.store"] = "0";
  config.client_properties["group.id"] = "router";
  config.client_properties["consumer.partition.assignment.strategy"] = "range";
  EXPECT_OK(check_user_client_properties(config, true));
}

TEST(ClientConfigsTest, AGroupIdMustBeTheApplicationIdExactly) {
  StreamsConfig config = config_with("group.id", "Router-A");
  config.application_id = "Router-A";
  EXPECT_OK(check_user_client_properties(config, false)) << "capitals are no booleans";
  config.client_properties["group.id"] = "router-a";
  EXPECT_THAT(check_user_client_properties(config, false),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'group.id' = 'router-a'")));
}

TEST(ClientConfigsTest, OnlyTheRangeAssignorKeepsCopartitionedTopicsTogether) {
  const StreamsConfig config =
      config_with("consumer.partition.assignment.strategy", "cooperative-sticky");
  EXPECT_OK(check_user_client_properties(config, /*copartitioned=*/false));
  EXPECT_THAT(check_user_client_properties(config, /*copartitioned=*/true),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'consumer.partition.assignment.strategy'"),
                             HasSubstr("only the range assignor"))));
}

TEST(ClientConfigsTest, ExactlyOnceOwnsIsolationIdempotenceAndTransactionalIds) {
  StreamsConfig config = config_with("isolation.level", "read_uncommitted");
  EXPECT_OK(check_user_client_properties(config, false)) << "free under at-least-once";
  config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
  EXPECT_THAT(check_user_client_properties(config, false),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'isolation.level'")));

  config = config_with("producer.enable.idempotence", "false");
  config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
  EXPECT_THAT(check_user_client_properties(config, false),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'producer.enable.idempotence'")));

  config = config_with("transactional.id", "router");
  config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
  EXPECT_THAT(check_user_client_properties(config, false),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("gives each stream thread a transactional.id of its own")));
  config.processing_guarantee = ProcessingGuarantee::kAtLeastOnce;
  EXPECT_THAT(check_user_client_properties(config, false),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("under at_least_once the producer is not transactional")));
}

TEST(ClientConfigsTest, AnEmptyInstanceIdMeansNone) {
  StreamsConfig config = config_with("group.instance.id", "router-a");
  config.client_properties["consumer.group.instance.id"] = "";
  EXPECT_EQ(value_of(consumer_config(config, stream_thread(1)), "group.instance.id"), std::nullopt);
}

TEST(ClientConfigsTest, ProducersGetNoInstanceId) {
  const StreamsConfig config = config_with("group.instance.id", "router-a");
  EXPECT_EQ(value_of(producer_config(config, stream_thread(1)), "group.instance.id"), std::nullopt);
}

TEST(ClientConfigsTest, WithoutAnInstanceIdMembersStayDynamic) {
  StreamsConfig config;
  config.application_id = "router";
  EXPECT_EQ(value_of(consumer_config(config, stream_thread(1)), "group.instance.id"), std::nullopt);
}

TEST(ClientConfigsTest, ConsumersThatNeverJoinTheGroupCarryNoInstanceId) {
  const StreamsConfig config = config_with("group.instance.id", "router-a");
  for (const char* role : {"restore", "end-offsets", "global"}) {
    const kafka::ConfigEntries entries = assigned_consumer_config(config, stream_thread(1), role);
    EXPECT_EQ(value_of(entries, "group.instance.id"), std::nullopt) << role;
    EXPECT_EQ(value_of(entries, "group.id"), std::string("router-") + role);
  }
}

}  // namespace
}  // namespace kstreams::internal
