// Unit tests of src/kafka/client_config.h and the redaction rule in src/core/logging.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <kstreams/test_matchers.h>

#include "src/core/logging.h"
#include "src/kafka/client_config.h"
#include "src/kafka/consumer.h"
#include "src/kafka/producer.h"

namespace kstreams::kafka {
namespace {

using kstreams::testing::IsOk;
using kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(KafkaConfigTest, AcceptsValidProperties) {
  auto conf = make_conf({{"bootstrap.servers", "127.0.0.1:1"}, {"linger.ms", "5"}}, "producer");
  ASSERT_THAT(conf, IsOk());
  ASSERT_NE(conf->get(), nullptr);
  char value[64];
  size_t size = sizeof value;
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "linger.ms", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "5");
}

TEST(KafkaConfigTest, UnknownPropertyNamesTheKey) {
  EXPECT_THAT(make_conf({{"linger.ms", "5"}, {"no.such.property", "1"}}, "producer"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("producer"), HasSubstr("'no.such.property'"))));
}

TEST(KafkaConfigTest, BadValueNamesTheKeyAndReason) {
  EXPECT_THAT(
      make_conf({{"acks", "many"}}, "producer"),
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("'acks'"), HasSubstr("many"))));
}

TEST(KafkaConfigTest, ProducerCreateReportsBadConfig) {
  EXPECT_THAT(Producer::create({{"bootstrap.servers", "127.0.0.1:1"}, {"batch.size", "-5"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'batch.size'")));
}

TEST(KafkaConfigTest, ConsumerCreateReportsBadConfig) {
  EXPECT_THAT(Consumer::create({{"group.id", "g"}, {"session.timeout.ms", "abc"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'session.timeout.ms'")));
}

TEST(KafkaConfigTest, SyslogLevelsMapToSpdlogLevels) {
  EXPECT_EQ(spdlog_level_for_syslog(0), spdlog::level::critical);
  EXPECT_EQ(spdlog_level_for_syslog(2), spdlog::level::critical);
  EXPECT_EQ(spdlog_level_for_syslog(3), spdlog::level::err);
  EXPECT_EQ(spdlog_level_for_syslog(4), spdlog::level::warn);
  EXPECT_EQ(spdlog_level_for_syslog(5), spdlog::level::info);
  EXPECT_EQ(spdlog_level_for_syslog(6), spdlog::level::info);
  EXPECT_EQ(spdlog_level_for_syslog(7), spdlog::level::debug);
}

TEST(LoggingTest, RedactsSecrets) {
  for (const char* key :
       {"sasl.password", "ssl.key.password", "ssl.key.pem", "SASL.JAAS.CONFIG",
        "sasl.oauthbearer.client.secret", "ssl.keystore.password", "sasl.oauthbearer.config"}) {
    EXPECT_EQ(internal::redact_config_value(key, "s3cret"), "[hidden]") << key;
  }
  for (const char* key : {"bootstrap.servers", "sasl.username", "security.protocol", "acks"}) {
    EXPECT_EQ(internal::redact_config_value(key, "plain"), "plain") << key;
  }
}

TEST(LoggingTest, RedactsASecretQuotedInAMessage) {
  EXPECT_EQ(internal::redact_config_text("bad 's3cret' (s3cret)", "sasl.password", "s3cret"),
            "bad '[hidden]' ([hidden])");
  EXPECT_EQ(internal::redact_config_text("bad 'x1'", "linger.ms", "x1"), "bad 'x1'")
      << "not a secret";
  // A value that also occurs in the replacement must not be replaced again (and again).
  EXPECT_EQ(internal::redact_config_text("d-d", "ssl.key.password", "d"), "[hidden]-[hidden]");
}

TEST(LoggingTest, LoggerIsNamedKstreams) {
  EXPECT_EQ(internal::logger().name(), "kstreams");
  EXPECT_EQ(&internal::logger(), &internal::logger());
}

}  // namespace
}  // namespace kstreams::kafka
