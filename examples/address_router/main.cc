// address-router: routes customer addresses from `addresses` to `addresses.shipping`,
// `addresses.billing` and `addresses.invalid`; undecodable records go to `addresses.dlq`.
//
//   address-router                         demo: embedded cluster, generated input, a report
//   address-router --bootstrap-servers H   run against a Kafka cluster until SIGINT/SIGTERM
//   address-router --bootstrap-servers H --generate N   produce N sample addresses and exit
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>
#include <kstreams/run_until_shutdown.h>
#include <kstreams/shutdown_signal.h>

#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"
#include "examples/address_router/sample_input.h"

namespace {

struct Options {
  std::string bootstrap_servers;
  std::string application_id = "address-router";
  std::string state_dir = "/tmp/kstreams";
  std::string processing_guarantee = "at_least_once";
  int threads = 1;
  std::string config_file;
  std::vector<std::string> properties;
  std::int64_t records = 100'000;
  std::int64_t generate = -1;
  double invalid_share = 0.1;
  std::uint64_t seed = 42;
  int timeout_s = 120;
  bool describe = false;
  bool leave_group_on_close = false;
};

kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options) {
  std::map<std::string, std::string> props;
  if (!options.config_file.empty()) {
    KSTREAMS_ASSIGN_OR_RETURN(props,
                              kstreams::StreamsConfig::read_properties_file(options.config_file));
  }
  if (kstreams::Status s = kstreams::StreamsConfig::parse_assignments(options.properties, props);
      !s.ok()) {
    return kstreams::invalid_argument("--property " + s.message());
  }
  props["application.id"] = options.application_id;
  props["bootstrap.servers"] = options.bootstrap_servers;
  props["state.dir"] = options.state_dir;
  props["processing.guarantee"] = options.processing_guarantee;
  props["num.stream.threads"] = std::to_string(options.threads);
  if (!props.contains("metrics.log.interval.ms")) props["metrics.log.interval.ms"] = "10000";
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::StreamsConfig config,
                            kstreams::StreamsConfig::from_properties(props));
  address_router::configure(config);
  return config;
}

kstreams::Result<kstreams::Topology> make_topology(bool describe) {
  kstreams::StreamsBuilder builder;
  address_router::build(builder);
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::Topology topology, builder.build());
  if (describe) std::cout << topology.describe() << std::flush;
  return topology;
}

// Demo: an embedded cluster, generated input, a report of what went where.
int run_demo(const Options& options, kstreams::StreamsConfig config) {
  using address_router::Route;
  auto topology = make_topology(options.describe);
  if (!topology.ok()) {
    std::cerr << "address-router: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "address-router: " << s << "\n";
    return 1;
  }
  const std::string bootstrap = app.bootstrap_servers();
  std::printf("address-router: embedded Kafka cluster at %s\n", bootstrap.c_str());
  // The first join of a consumer group takes ~3 s on the embedded cluster: produce once the app
  // is RUNNING, so that throughput and latency below measure processing, not the join.
  if (!app.wait_for_state(kstreams::StreamsState::kRunning, std::chrono::seconds(30))) {
    std::cerr << "address-router: did not reach RUNNING within 30 s (state "
              << kstreams::to_string(app.state()) << ")\n";
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  std::printf("address-router: producing %lld generated addresses to '%s' (%.0f%% invalid)\n",
              static_cast<long long>(options.records),
              std::string(address_router::kInputTopic).c_str(), options.invalid_share * 100);
  auto produced =
      address_router::produce_sample_input(bootstrap, std::string(address_router::kInputTopic),
                                           options.records, options.seed, options.invalid_share);
  if (!produced.ok()) {
    std::cerr << "address-router: " << produced.status() << "\n";
    return 1;
  }

  const auto deadline = start + std::chrono::seconds(options.timeout_s);
  auto last_progress = start;
  std::uint64_t processed = 0;
  while (processed < static_cast<std::uint64_t>(options.records)) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "address-router: only " << processed << " of " << options.records
                << " records processed within " << options.timeout_s << " s\n";
      return 1;
    }
    if (app.state() == kstreams::StreamsState::kError) {
      std::cerr << "address-router: " << app.error() << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    processed = app.metrics().records_processed;
    if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(2)) {
      last_progress = std::chrono::steady_clock::now();
      std::printf("address-router: %s, processed %llu of %lld\n",
                  std::string(kstreams::to_string(app.state())).c_str(),
                  static_cast<unsigned long long>(processed),
                  static_cast<long long>(options.records));
      std::fflush(stdout);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<kstreams::ThreadMetrics> threads = app.thread_metrics();
  if (kstreams::Status s = app.close(std::chrono::seconds(30)); !s.ok()) {
    std::cerr << "address-router: close: " << s << "\n";
    return 1;
  }

  struct Row {
    std::string_view topic;
    Route route;
  };
  const Row rows[] = {{address_router::kShippingTopic, Route::kShipping},
                      {address_router::kBillingTopic, Route::kBilling},
                      {address_router::kInvalidTopic, Route::kInvalid},
                      {address_router::kDeadLetterTopic, Route::kDeadLetter}};
  std::vector<std::string> topics;
  for (const Row& row : rows) topics.emplace_back(row.topic);
  auto counts = address_router::count_records(bootstrap, topics);
  if (!counts.ok()) {
    std::cerr << "address-router: " << counts.status() << "\n";
    return 1;
  }
  double e2e_avg = 0;
  double e2e_max = 0;
  for (const auto& t : threads) {
    e2e_avg = std::max(e2e_avg, t.end_to_end_latency_avg_ms);
    e2e_max = std::max(e2e_max, t.end_to_end_latency_max_ms);
  }
  std::printf("\naddress-router: produced and routed %lld records in %.2f s (%.0f records/s)\n",
              static_cast<long long>(options.records), seconds,
              static_cast<double>(options.records) / seconds);
  std::printf("  end-to-end latency (produce -> processed): avg %.0f ms, max %.0f ms\n", e2e_avg,
              e2e_max);
  std::printf("  %-20s %10s %10s\n", "topic", "records", "expected");
  bool all_match = true;
  for (const Row& row : rows) {
    const std::int64_t got = (*counts)[std::string(row.topic)];
    const std::int64_t want = (*produced)[row.route];
    all_match = all_match && got == want;
    std::printf("  %-20s %10lld %10lld%s\n", std::string(row.topic).c_str(),
                static_cast<long long>(got), static_cast<long long>(want),
                got == want ? "" : "  <-- differs");
  }
  if (!all_match) {
    std::cerr << "address-router: output differs from the generated input\n";
    return 1;
  }
  std::printf("address-router: every record landed where it belongs\n");
  return 0;
}

// Against a real cluster, until SIGINT/SIGTERM.
int run_service(const Options& options, const kstreams::StreamsConfig& config,
                kstreams::ShutdownSignal& signals) {
  auto topology = make_topology(options.describe);
  if (!topology.ok()) {
    std::cerr << "address-router: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "address-router: " << s << "\n";
    return 1;
  }
  std::printf("address-router: running against %s as '%s'; SIGINT or SIGTERM stops it\n",
              options.bootstrap_servers.c_str(), options.application_id.c_str());
  std::fflush(stdout);
  return kstreams::run_until_shutdown(
      app, signals, "address-router", std::cout,
      kstreams::CloseOptions{.leave_group = options.leave_group_on_close});
}

int run_generate(const Options& options) {
  auto produced = address_router::produce_sample_input(
      options.bootstrap_servers, std::string(address_router::kInputTopic), options.generate,
      options.seed, options.invalid_share);
  if (!produced.ok()) {
    std::cerr << "address-router: " << produced.status() << "\n";
    return 1;
  }
  std::printf("address-router: produced %lld addresses to '%s' on %s\n",
              static_cast<long long>(options.generate),
              std::string(address_router::kInputTopic).c_str(), options.bootstrap_servers.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM are received synchronously.
  kstreams::ShutdownSignal signals;
  Options options;
  CLI::App cli{
      "address-router: routes customer addresses by type to addresses.shipping and "
      "addresses.billing, incomplete ones to addresses.invalid, undecodable records to "
      "addresses.dlq. Without --bootstrap-servers it runs a demo on an embedded Kafka "
      "cluster."};
  cli.add_option("--bootstrap-servers", options.bootstrap_servers,
                 "Kafka cluster (host:port,...); empty: demo on an embedded cluster");
  cli.add_option("--application-id", options.application_id,
                 "application.id: the consumer group; instances with the same id share the work")
      ->capture_default_str();
  cli.add_option("--state-dir", options.state_dir, "state.dir")->capture_default_str();
  cli.add_option("--processing-guarantee", options.processing_guarantee,
                 "at_least_once or exactly_once_v2")
      ->check(CLI::IsMember({"at_least_once", "exactly_once_v2"}))
      ->capture_default_str();
  cli.add_option("--threads", options.threads, "num.stream.threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--config", options.config_file,
                 "Properties file (Kafka Streams names; librdkafka properties pass through)");
  cli.add_option("--property", options.properties,
                 "key=value, repeatable; overrides --config (e.g. security.protocol=SASL_SSL)");
  cli.add_option("--records", options.records, "Demo: generated records")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--generate", options.generate,
                 "Produce N generated addresses to 'addresses' on --bootstrap-servers and exit")
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
  CLI11_PARSE(cli, argc, argv);

  if (options.generate > 0) {
    if (options.bootstrap_servers.empty()) {
      std::cerr << "address-router: --generate needs --bootstrap-servers\n";
      return 2;
    }
    return run_generate(options);
  }
  auto config = make_config(options);
  if (!config.ok()) {
    std::cerr << "address-router: " << config.status() << "\n";
    return 2;
  }
  if (options.bootstrap_servers.empty()) return run_demo(options, *config);
  return run_service(options, *config, signals);
}
