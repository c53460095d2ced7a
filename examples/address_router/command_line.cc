#include "examples/address_router/command_line.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "examples/address_router/address_router.h"

namespace address_router {
namespace {

constexpr char kDescription[] =
    "address-router: routes customer addresses by type to addresses.shipping and "
    "addresses.billing, incomplete ones to addresses.invalid, undecodable records to "
    "addresses.dlq. Without a cluster (bootstrap.servers from a flag, --config or --property) it "
    "runs a demo on an embedded Kafka cluster.";

constexpr char kFooter[] =
    "Settings, lowest to highest precedence: the router's defaults (application.id=address-router,"
    " metrics.log.interval.ms=10000); --config FILE; --property key=value (a later one wins); the "
    "flags that name a property (--bootstrap-servers, --application-id, --state-dir, "
    "--processing-guarantee, --threads), only when given. The router sets "
    "default.deserialization.exception.handler=DeadLetter, "
    "errors.dead.letter.queue.topic.name=addresses.dlq and sink.forwards.source.bytes=true unless "
    "--config or --property sets them.\n"
    "Mode: --generate N produces N addresses to the cluster of bootstrap.servers (with the client "
    "properties, e.g. security.protocol) and exits; otherwise an empty or 'embedded' "
    "bootstrap.servers runs the demo on an embedded cluster, any other runs the router until "
    "SIGINT/SIGTERM.\n"
    "Exit status: 0 done (the router: stopped by SIGINT/SIGTERM and closed cleanly); 1 failed; 2 "
    "invalid settings; 128+N when signal N interrupted the demo or --generate (130 SIGINT, 143 "
    "SIGTERM).";

// librdkafka's mock cluster keeps about 5 MiB per partition and silently drops older records
// beyond that: the demo gives its topics enough partitions to keep each below 4 MiB, counting a
// generated address (~100 bytes) generously.
constexpr std::int64_t kDemoBytesPerRecord = 128;
constexpr std::int64_t kDemoBytesPerPartition = 4 << 20;
constexpr std::int64_t kDemoMaxPartitions = 64;
constexpr std::int64_t kDemoMaxRecords =
    kDemoMaxPartitions * kDemoBytesPerPartition / kDemoBytesPerRecord;

// Sizes the demo's embedded cluster for `options.records`, unless the user chose a partition
// count (embedded.cluster.partitions): then it is theirs to get right.
kstreams::Status size_demo_cluster(const Options& options, const std::set<std::string>& user_set,
                                   kstreams::StreamsConfig& config) {
  if (!config.uses_embedded_cluster() || options.generate > 0 ||
      user_set.contains("embedded.cluster.partitions")) {
    return {};
  }
  if (options.records > kDemoMaxRecords) {
    return kstreams::invalid_argument(
        "--records " + std::to_string(options.records) + " is more than the embedded cluster " +
        "keeps (about 5 MiB per partition): use at most " + std::to_string(kDemoMaxRecords) +
        ", or a real Kafka cluster (--bootstrap-servers)");
  }
  const std::int64_t needed =
      (options.records * kDemoBytesPerRecord + kDemoBytesPerPartition - 1) / kDemoBytesPerPartition;
  config.embedded_cluster_partitions =
      std::max(config.embedded_cluster_partitions, static_cast<int>(needed));
  return {};
}

// The router's defaults, below everything the user sets.
std::map<std::string, std::string> router_defaults() {
  return {
      {"application.id", "address-router"},
      {"metrics.log.interval.ms", "10000"},
      // configure() sets it too; here it lets a user's DeadLetter handler without it validate.
      {"errors.dead.letter.queue.topic.name", std::string(kDeadLetterTopic)},
  };
}

// A flag that sets `property`, only when given.
CLI::Option* add_property_flag(CLI::App& cli, Options& options, const std::string& flag,
                               const std::string& property, const std::string& description) {
  return cli.add_option_function<std::string>(
      flag,
      [&options, property](const std::string& value) { options.flag_properties[property] = value; },
      description);
}

void add_settings_flags(CLI::App& cli, Options& options) {
  add_property_flag(cli, options, "--bootstrap-servers", "bootstrap.servers",
                    "bootstrap.servers: Kafka cluster (host:port,...); empty or 'embedded': demo "
                    "on an embedded cluster");
  add_property_flag(cli, options, "--application-id", "application.id",
                    "application.id: the consumer group; instances with the same id share the "
                    "work")
      ->default_str("address-router");
  add_property_flag(cli, options, "--state-dir", "state.dir", "state.dir")
      ->default_str("/tmp/kstreams");
  add_property_flag(cli, options, "--processing-guarantee", "processing.guarantee",
                    "processing.guarantee: at_least_once or exactly_once_v2")
      ->check(CLI::IsMember({"at_least_once", "exactly_once_v2"}))
      ->default_str("at_least_once");
  add_property_flag(cli, options, "--threads", "num.stream.threads", "num.stream.threads")
      ->check(CLI::PositiveNumber)
      ->type_name("INT")
      ->default_str("1");
  cli.add_option("--config", options.config_file,
                 "Properties file (Kafka Streams names; librdkafka properties pass through)");
  cli.add_option("--property", options.properties,
                 "key=value, repeatable; overrides --config (e.g. security.protocol=SASL_SSL)");
}

void add_run_flags(CLI::App& cli, Options& options) {
  cli.add_option("--records", options.records,
                 "Demo: generated records (at most " + std::to_string(kDemoMaxRecords) +
                     "; the embedded cluster gets a partition per ~32 000 of them)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--generate", options.generate,
                 "Produce N generated addresses to 'addresses' on bootstrap.servers and exit")
      ->check(CLI::PositiveNumber);
  cli.add_option("--invalid-share", options.invalid_share,
                 "Share of invalid generated input (half undecodable, half incomplete/unknown)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--seed", options.seed, "Generator seed")->capture_default_str();
  cli.add_option("--timeout", options.timeout_s, "Demo: seconds to wait for all records")
      ->capture_default_str();
  cli.add_flag("--describe", options.describe, "Print the topology first");
  cli.add_flag("--leave-group-on-close", options.leave_group_on_close,
               "With group.instance.id (static membership): leave the group on SIGINT/SIGTERM, "
               "so the other instances take the partitions at once (scaling down)");
}

std::unique_ptr<CLI::App> make_cli(Options& options) {
  auto cli = std::make_unique<CLI::App>(kDescription);
  add_settings_flags(*cli, options);
  add_run_flags(*cli, options);
  cli->footer(kFooter);
  return cli;
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine parsed;
  std::unique_ptr<CLI::App> cli = make_cli(parsed.options);
  try {
    cli->parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    parsed.exit_status = cli->exit(error);
  }
  return parsed;
}

std::string help_text() {
  Options unused;
  return make_cli(unused)->help();
}

kstreams::Result<std::map<std::string, std::string>> user_properties(const Options& options) {
  KSTREAMS_ASSIGN_OR_RETURN(auto props, kstreams::StreamsConfig::read_command_line_properties(
                                            options.config_file, options.properties));
  for (const auto& [key, value] : options.flag_properties) props[key] = value;
  return props;
}

kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options) {
  KSTREAMS_ASSIGN_OR_RETURN(auto user, user_properties(options));
  std::map<std::string, std::string> props = router_defaults();
  std::set<std::string> user_set;
  for (const auto& [key, value] : user) {
    props[key] = value;
    user_set.insert(key);
  }
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::StreamsConfig config,
                            kstreams::StreamsConfig::from_properties(props));
  configure(config, user_set);
  KSTREAMS_RETURN_IF_ERROR(size_demo_cluster(options, user_set, config));
  KSTREAMS_RETURN_IF_ERROR(config.validate());
  return config;
}

kstreams::Result<RunMode> run_mode(const Options& options, const kstreams::StreamsConfig& config) {
  if (options.generate > 0) {
    if (config.uses_embedded_cluster()) {
      return kstreams::invalid_argument(
          "--generate needs a cluster to produce to: set bootstrap.servers (--bootstrap-servers, "
          "--config or --property)");
    }
    return RunMode::kGenerate;
  }
  return config.uses_embedded_cluster() ? RunMode::kDemo : RunMode::kService;
}

}  // namespace address_router
