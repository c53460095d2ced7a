// kstreams-compare-count: the count-by-key app of the Kafka Streams comparison (bench/compare),
// against a real Kafka broker. Its Kafka Streams twin is bench/reference/src/CountApp.java.
//
//   INPUT (key: string, value: any bytes as a string)
//     -> group_by_key()                        no repartition: the input is partitioned by key
//     -> count(Materialized::as("counts"))     RocksDB store + changelog, record cache (default
//                                              statestore.cache.max.bytes, 10 MiB)
//     -> to_stream() -> OUTPUT                 value: big-endian int64 (Kafka's LongSerializer)
//
// Runs until SIGINT/SIGTERM, then closes (final commit) and exits 0 if the close was clean.
// commit.interval.ms and the rest come with --property (compare.py passes commit.interval.ms=100
// to both contenders).
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>
#include <kstreams/run_until_shutdown.h>
#include <kstreams/shutdown_signal.h>

namespace {

struct Options {
  std::string bootstrap_servers;
  std::string application_id = "compare-count";
  std::string state_dir = "/tmp/kstreams-compare-count";
  std::string processing_guarantee = "at_least_once";
  std::string input_topic = "counts.in";
  std::string output_topic = "counts.out";
  int threads = 1;
  std::vector<std::string> properties;
};

kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options) {
  std::map<std::string, std::string> props;
  if (kstreams::Status s = kstreams::StreamsConfig::parse_assignments(options.properties, props);
      !s.ok()) {
    return kstreams::invalid_argument("--property " + s.message());
  }
  props["application.id"] = options.application_id;
  props["bootstrap.servers"] = options.bootstrap_servers;
  props["state.dir"] = options.state_dir;
  props["processing.guarantee"] = options.processing_guarantee;
  props["num.stream.threads"] = std::to_string(options.threads);
  return kstreams::StreamsConfig::from_properties(props);
}

kstreams::Result<kstreams::Topology> make_topology(const Options& options) {
  kstreams::StreamsBuilder builder;
  builder.stream<std::string, std::string>(options.input_topic)
      .group_by_key()
      .count(kstreams::Materialized<std::string, std::int64_t>::as("counts"))
      .to_stream()
      .to(options.output_topic);
  return builder.build();
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM are received synchronously.
  kstreams::ShutdownSignal signals;
  Options options;
  CLI::App cli{"kstreams-compare-count: counts records by key from --input into --output"};
  cli.add_option("--bootstrap-servers", options.bootstrap_servers, "Kafka cluster (host:port,...)")
      ->required();
  cli.add_option("--application-id", options.application_id, "application.id")
      ->capture_default_str();
  cli.add_option("--state-dir", options.state_dir, "state.dir")->capture_default_str();
  cli.add_option("--processing-guarantee", options.processing_guarantee,
                 "at_least_once or exactly_once_v2")
      ->check(CLI::IsMember({"at_least_once", "exactly_once_v2"}))
      ->capture_default_str();
  cli.add_option("--input", options.input_topic, "input topic")->capture_default_str();
  cli.add_option("--output", options.output_topic, "output topic")->capture_default_str();
  cli.add_option("--threads", options.threads, "num.stream.threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--property", options.properties,
                 "key=value, repeatable (e.g. commit.interval.ms=100)");
  CLI11_PARSE(cli, argc, argv);

  auto config = make_config(options);
  if (!config.ok()) {
    std::cerr << "count-app: " << config.status() << "\n";
    return 2;
  }
  auto topology = make_topology(options);
  if (!topology.ok()) {
    std::cerr << "count-app: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, *config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "count-app: start: " << s << "\n";
    return 1;
  }
  std::cerr << "count-app: running against " << options.bootstrap_servers << " as '"
            << options.application_id << "'; SIGINT or SIGTERM stops it" << std::endl;
  return kstreams::run_until_shutdown(app, signals, "count-app", std::cerr);
}
