// kstreams_word_count_app: the counting app of the state scenarios (state_scenarios.py) against a
// real Kafka broker. Not installed.
//
//   words (key: any string, value: a word)
//     -> group_by(word)           repartition topic <application.id>-by-word-repartition
//     -> count("counts")          changelog topic   <application.id>-counts-changelog
//     -> to_stream() -> word-counts (key: the word, value: big-endian int64, Kafka's
//     LongSerializer)
//
// With --route-topic T (the crash test, eos_scenarios.py) the same topology also routes: every
// input record whose word has an even length goes, unchanged, to T. Both sides are in one
// sub-topology's output, so under exactly_once_v2 in the same transactions.
//
// Runs until SIGINT/SIGTERM, then closes (final commit, checkpoints) and exits 0 if the close was
// clean. Logs go to stderr.
#include <chrono>
#include <cstdint>
#include <cstdio>
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
  std::string application_id = "word-count-it";
  std::string state_dir = "/tmp/kstreams-word-count";
  int threads = 1;
  std::int64_t commit_interval_ms = 1000;
  std::string route_topic;  // empty: no router part
  std::vector<std::string> properties;
};

kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options) {
  KSTREAMS_ASSIGN_OR_RETURN(
      auto props, kstreams::StreamsConfig::read_command_line_properties("", options.properties));
  props["application.id"] = options.application_id;
  props["bootstrap.servers"] = options.bootstrap_servers;
  props["state.dir"] = options.state_dir;
  props["num.stream.threads"] = std::to_string(options.threads);
  props["commit.interval.ms"] = std::to_string(options.commit_interval_ms);
  if (!props.contains("metrics.log.interval.ms")) props["metrics.log.interval.ms"] = "10000";
  return kstreams::StreamsConfig::from_properties(props);
}

kstreams::Result<kstreams::Topology> make_topology(const Options& options) {
  kstreams::StreamsBuilder builder;
  auto words = builder.stream<std::string, std::string>("words");
  if (!options.route_topic.empty()) {
    words.filter([](const std::string& word) { return word.size() % 2 == 0; })
        .to(options.route_topic);
  }
  words
      .group_by([](const std::string& word) { return word; },
                kstreams::Grouped<std::string, std::string>::as("by-word"))
      .count(kstreams::Materialized<std::string, std::int64_t>::as("counts"))
      .to_stream()
      .to("word-counts");
  return builder.build();
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM are received synchronously.
  kstreams::ShutdownSignal signals;
  Options options;
  CLI::App cli{"kstreams_word_count_app: counts words from 'words' into 'word-counts' (tests)"};
  cli.add_option("--bootstrap-servers", options.bootstrap_servers, "Kafka cluster (host:port,...)")
      ->required();
  cli.add_option("--application-id", options.application_id, "application.id")
      ->capture_default_str();
  cli.add_option("--state-dir", options.state_dir, "state.dir")->capture_default_str();
  cli.add_option("--threads", options.threads, "num.stream.threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--commit-interval-ms", options.commit_interval_ms, "commit.interval.ms")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--route-topic", options.route_topic,
                 "also write every input record whose word has an even length to this topic");
  cli.add_option("--property", options.properties,
                 "key=value, repeatable (e.g. consumer.session.timeout.ms=10000)");
  CLI11_PARSE(cli, argc, argv);

  auto config = make_config(options);
  if (!config.ok()) {
    std::cerr << "word-count: " << config.status() << "\n";
    return 2;
  }
  auto topology = make_topology(options);
  if (!topology.ok()) {
    std::cerr << "word-count: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, *config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "word-count: start: " << s << "\n";
    return 1;
  }
  std::cerr << "word-count: running against " << options.bootstrap_servers << " as '"
            << options.application_id << "'; SIGINT or SIGTERM stops it" << std::endl;
  return kstreams::run_until_shutdown(app, signals, "word-count", std::cerr);
}
