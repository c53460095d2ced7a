// The address-router's command line: which setting wins (defaults < --config < --property <
// explicit flags), the router's own choices only where the user set nothing, and the mode chosen
// from the final config.
#include "examples/address_router/command_line.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/errors.h>
#include <kstreams/status.h>

namespace address_router {
namespace {

using ::testing::HasSubstr;

ParsedCommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "address-router");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

kstreams::StreamsConfig config_of(const std::vector<std::string>& args) {
  const ParsedCommandLine parsed = parse(args);
  EXPECT_FALSE(parsed.exit_status.has_value());
  auto config = make_config(parsed.options);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : kstreams::StreamsConfig{};
}

kstreams::ErrorAction deserialization_action(const kstreams::StreamsConfig& config) {
  const kstreams::Status error(kstreams::StatusCode::kSerialization, "not an Address");
  kstreams::ErrorContext context;
  context.kind = kstreams::ErrorKind::kDeserialization;
  context.error = &error;
  return config.default_deserialization_exception_handler(context);
}

class CommandLineTest : public ::testing::Test {
 protected:
  std::string write_config(const std::string& text) {
    const std::string path = ::testing::TempDir() + "/address-router-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                             ".properties";
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }
  ~CommandLineTest() override {
    for (const std::string& path : files_) std::filesystem::remove(path);
  }

 private:
  std::vector<std::string> files_;
};

TEST_F(CommandLineTest, FlagsNotGivenLeaveTheConfigFileAlone) {
  const std::string file = write_config(
      "bootstrap.servers=broker-1:9092\n"
      "application.id=router-from-file\n"
      "state.dir=/var/lib/router\n"
      "processing.guarantee=exactly_once_v2\n"
      "num.stream.threads=3\n");
  const kstreams::StreamsConfig config = config_of({"--config", file});
  EXPECT_EQ(config.bootstrap_servers, "broker-1:9092");
  EXPECT_EQ(config.application_id, "router-from-file");
  EXPECT_EQ(config.state_dir, "/var/lib/router");
  EXPECT_EQ(config.processing_guarantee, kstreams::ProcessingGuarantee::kExactlyOnceV2);
  EXPECT_EQ(config.num_stream_threads, 3);
}

TEST_F(CommandLineTest, AConfigFileWithBootstrapServersRunsTheService) {
  const ParsedCommandLine parsed =
      parse({"--config", write_config("bootstrap.servers=broker-1:9092\n")});
  auto config = make_config(parsed.options);
  ASSERT_TRUE(config.ok()) << config.status();
  auto mode = run_mode(parsed.options, *config);
  ASSERT_TRUE(mode.ok()) << mode.status();
  EXPECT_EQ(*mode, RunMode::kService);
}

TEST_F(CommandLineTest, PropertiesOverrideTheFileAndGivenFlagsOverrideBoth) {
  const std::string file = write_config(
      "bootstrap.servers=from-file:9092\n"
      "application.id=from-file\n"
      "num.stream.threads=3\n");
  const kstreams::StreamsConfig config = config_of(
      {"--config", file, "--property", "application.id=from-property", "--property",
       "num.stream.threads=2", "--bootstrap-servers", "from-flag:9092", "--threads", "4"});
  EXPECT_EQ(config.bootstrap_servers, "from-flag:9092");
  EXPECT_EQ(config.application_id, "from-property");
  EXPECT_EQ(config.num_stream_threads, 4);
}

TEST_F(CommandLineTest, AnExplicitEmbeddedBootstrapFlagRunsTheDemoDespiteTheFile) {
  const ParsedCommandLine parsed =
      parse({"--config", write_config("bootstrap.servers=broker-1:9092\n"), "--bootstrap-servers",
             "embedded"});
  auto config = make_config(parsed.options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(run_mode(parsed.options, *config).value(), RunMode::kDemo);
}

TEST_F(CommandLineTest, WithoutSettingsTheRouterDefaultsApplyAndTheDemoRuns) {
  const ParsedCommandLine parsed = parse({});
  const kstreams::StreamsConfig config = make_config(parsed.options).value();
  EXPECT_EQ(config.application_id, "address-router");
  EXPECT_EQ(config.metrics_log_interval_ms, 10000);
  EXPECT_EQ(config.state_dir, "/tmp/kstreams");
  EXPECT_EQ(config.num_stream_threads, 1);
  EXPECT_EQ(config.processing_guarantee, kstreams::ProcessingGuarantee::kAtLeastOnce);
  EXPECT_EQ(deserialization_action(config), kstreams::ErrorAction::kDeadLetter);
  EXPECT_EQ(config.errors_dead_letter_queue_topic_name, "addresses.dlq");
  EXPECT_TRUE(config.sink_forwards_source_bytes);
  EXPECT_EQ(run_mode(parsed.options, config).value(), RunMode::kDemo);
}

// The embedded cluster keeps about 5 MiB per partition and drops older records silently: the
// demo spreads a large input over more partitions, and refuses one that cannot fit.
TEST_F(CommandLineTest, TheDemoSizesItsEmbeddedClusterForTheRecords) {
  EXPECT_EQ(config_of({}).embedded_cluster_partitions, 4) << "100 000 records fit the default";
  EXPECT_EQ(config_of({"--records", "1000000"}).embedded_cluster_partitions, 31);
  EXPECT_EQ(config_of({"--records", "1000000", "--property", "embedded.cluster.partitions=8"})
                .embedded_cluster_partitions,
            8)
      << "the user's choice";
  auto too_many = make_config(parse({"--records", "3000000"}).options);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(),
              HasSubstr("--records 3000000 is more than the embedded cluster keeps"));
}

TEST_F(CommandLineTest, TheUsersDeserializationHandlerAndSourceBytesSettingAreKept) {
  const kstreams::StreamsConfig config =
      config_of({"--config", write_config("sink.forwards.source.bytes=false\n"), "--property",
                 "default.deserialization.exception.handler=LogAndContinue"});
  EXPECT_EQ(deserialization_action(config), kstreams::ErrorAction::kContinue);
  EXPECT_FALSE(config.sink_forwards_source_bytes);
}

TEST_F(CommandLineTest, TheHandlersAliasCountsAsSetByTheUser) {
  const kstreams::StreamsConfig config =
      config_of({"--property", "deserialization.exception.handler=LogAndFail"});
  EXPECT_EQ(deserialization_action(config), kstreams::ErrorAction::kFail);
}

TEST_F(CommandLineTest, TheUsersDeadLetterTopicIsKept) {
  const kstreams::StreamsConfig config =
      config_of({"--property", "errors.dead.letter.queue.topic.name=router.errors"});
  EXPECT_EQ(deserialization_action(config), kstreams::ErrorAction::kDeadLetter);
  EXPECT_EQ(config.errors_dead_letter_queue_topic_name, "router.errors");
}

TEST_F(CommandLineTest, AnEmptyDeadLetterTopicIsRejected) {
  auto config = make_config(parse({"--property", "errors.dead.letter.queue.topic.name="}).options);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              HasSubstr("errors.dead.letter.queue.topic.name must be set"));
}

TEST_F(CommandLineTest, GenerateTakesItsClusterFromTheConfigFile) {
  const ParsedCommandLine parsed =
      parse({"--generate", "10", "--config", write_config("bootstrap.servers=broker-1:9092\n")});
  auto config = make_config(parsed.options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(run_mode(parsed.options, *config).value(), RunMode::kGenerate);
}

TEST_F(CommandLineTest, GenerateWithoutAClusterIsRejected) {
  const ParsedCommandLine parsed = parse({"--generate", "10"});
  auto mode = run_mode(parsed.options, make_config(parsed.options).value());
  ASSERT_FALSE(mode.ok());
  EXPECT_EQ(mode.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(mode.status().message(), HasSubstr("--generate needs a cluster"));
}

TEST_F(CommandLineTest, AnUnreadableConfigFileIsAnIoError) {
  auto config = make_config(parse({"--config", "/nonexistent/router.properties"}).options);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), kstreams::StatusCode::kIo);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/router.properties"));
}

TEST_F(CommandLineTest, APropertyWithoutValueIsRejected) {
  auto config = make_config(parse({"--property", "security.protocol"}).options);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("--property 'security.protocol'"));
}

TEST_F(CommandLineTest, AUsageErrorEndsTheRun) {
  const ParsedCommandLine parsed = parse({"--threads", "0"});
  ASSERT_TRUE(parsed.exit_status.has_value());
  EXPECT_NE(*parsed.exit_status, 0);
}

TEST_F(CommandLineTest, HelpStatesThePrecedenceTheModeAndTheExitStatus) {
  const std::string help = help_text();
  EXPECT_THAT(help, HasSubstr("Settings, lowest to highest precedence: the router's defaults"));
  EXPECT_THAT(help, HasSubstr("--config FILE; --property key=value"));
  EXPECT_THAT(help, HasSubstr("only when given"));
  EXPECT_THAT(help, HasSubstr("128+N when signal N interrupted the demo or --generate"));
}

}  // namespace
}  // namespace address_router
