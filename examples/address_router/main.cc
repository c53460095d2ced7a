// address-router: routes customer addresses from `addresses` to `addresses.shipping`,
// `addresses.billing` and `addresses.invalid`; undecodable records go to `addresses.dlq`.
//
//   address-router                         demo: embedded cluster, generated input, a report
//   address-router --bootstrap-servers H   run against a Kafka cluster until SIGINT/SIGTERM
//   address-router --bootstrap-servers H --generate N   produce N sample addresses and exit
//
// bootstrap.servers may come from --config or --property too; command_line.h says which setting
// wins. SIGINT/SIGTERM stop every mode: the demo and --generate report what they did so far and
// exit with 128 + the signal's number.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>
#include <kstreams/run_until_shutdown.h>
#include <kstreams/shutdown_signal.h>

#include "examples/address_router/address_router.h"
#include "examples/address_router/command_line.h"
#include "examples/address_router/interruption.h"
#include "examples/address_router/sample_input.h"

namespace {

using address_router::Interruption;
using address_router::Options;
using address_router::Route;
using Clock = std::chrono::steady_clock;

constexpr auto kCloseTimeout = std::chrono::seconds(30);
constexpr auto kRunningTimeout = std::chrono::seconds(30);
constexpr auto kProgressInterval = std::chrono::seconds(2);
constexpr auto kProcessingPoll = std::chrono::milliseconds(10);
constexpr auto kStatePoll = std::chrono::milliseconds(100);

struct Row {
  std::string_view topic;
  Route route;
};
constexpr Row kRows[] = {{address_router::kShippingTopic, Route::kShipping},
                         {address_router::kBillingTopic, Route::kBilling},
                         {address_router::kInvalidTopic, Route::kInvalid},
                         {address_router::kDeadLetterTopic, Route::kDeadLetter}};

int fail(const kstreams::Status& status, int exit_status = 1) {
  std::cerr << "address-router: " << status << "\n";
  return exit_status;
}

std::int64_t total(const std::map<Route, std::int64_t>& produced) {
  std::int64_t sum = 0;
  for (const auto& [route, count] : produced) sum += count;
  return sum;
}

kstreams::Result<kstreams::Topology> make_topology(bool describe) {
  kstreams::StreamsBuilder builder;
  address_router::build(builder);
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::Topology topology, builder.build());
  if (describe) std::cout << topology.describe() << std::flush;
  return topology;
}

enum class Outcome { kDone, kInterrupted, kFailed };

// What the demo did: the input it produced, how much of it was processed, and how long it took.
struct DemoRun {
  std::map<Route, std::int64_t> produced;
  std::uint64_t processed = 0;
  double seconds = 0;
  std::vector<kstreams::ThreadMetrics> threads;
};

// The first join of a consumer group takes ~3 s on the embedded cluster: produce once the app is
// RUNNING, so that throughput and latency measure processing, not the join.
Outcome wait_until_running(const kstreams::KafkaStreams& app, Interruption& interruption) {
  const auto deadline = Clock::now() + kRunningTimeout;
  while (!app.wait_for_state(kstreams::StreamsState::kRunning, kStatePoll)) {
    if (interruption.requested()) return Outcome::kInterrupted;
    if (Clock::now() > deadline) {
      std::cerr << "address-router: did not reach RUNNING within 30 s (state "
                << kstreams::to_string(app.state()) << ")\n";
      return Outcome::kFailed;
    }
  }
  return Outcome::kDone;
}

Outcome produce_demo_input(const Options& options, const kstreams::StreamsConfig& config,
                           const std::string& bootstrap, Interruption& interruption, DemoRun& run) {
  std::printf("address-router: producing %lld generated addresses to '%s' (%.0f%% invalid)\n",
              static_cast<long long>(options.records),
              std::string(address_router::kInputTopic).c_str(), options.invalid_share * 100);
  std::fflush(stdout);
  auto produced = address_router::produce_sample_input(
      address_router::sample_client_properties(config, bootstrap),
      {.topic = std::string(address_router::kInputTopic),
       .count = options.records,
       .seed = options.seed,
       .invalid_share = options.invalid_share},
      [&] { return interruption.requested(); });
  if (!produced.ok()) {
    fail(produced.status());
    return interruption.signal() ? Outcome::kInterrupted : Outcome::kFailed;
  }
  run.produced = *produced;
  return interruption.signal() ? Outcome::kInterrupted : Outcome::kDone;
}

void print_progress(const kstreams::KafkaStreams& app, std::uint64_t processed,
                    std::int64_t records) {
  std::printf("address-router: %s, processed %llu of %lld\n",
              std::string(kstreams::to_string(app.state())).c_str(),
              static_cast<unsigned long long>(processed), static_cast<long long>(records));
  std::fflush(stdout);
}

Outcome wait_for_processing(const kstreams::KafkaStreams& app, const Options& options,
                            Clock::time_point start, Interruption& interruption) {
  const auto deadline = start + std::chrono::seconds(options.timeout_s);
  auto last_progress = start;
  std::uint64_t processed = 0;
  while (processed < static_cast<std::uint64_t>(options.records)) {
    if (Clock::now() > deadline) {
      std::cerr << "address-router: only " << processed << " of " << options.records
                << " records processed within " << options.timeout_s << " s\n";
      return Outcome::kFailed;
    }
    if (app.state() == kstreams::StreamsState::kError) {
      fail(app.error());
      return Outcome::kFailed;
    }
    if (interruption.wait_for(kProcessingPoll)) return Outcome::kInterrupted;
    processed = app.metrics().records_processed;
    if (Clock::now() - last_progress > kProgressInterval) {
      last_progress = Clock::now();
      print_progress(app, processed, options.records);
    }
  }
  return Outcome::kDone;
}

// A complete run's table marks the topics that differ from the generated input; an interrupted
// run's shows what was routed so far next to what was produced.
enum class Table { kComplete, kPartial };

// Prints the records in each output topic next to what the generator produced for it; true when
// every topic holds what it should.
bool print_routing_table(const std::map<std::string, std::int64_t>& counts,
                         const std::map<Route, std::int64_t>& produced, Table table) {
  std::printf("  %-20s %10s %10s\n", "topic", "records",
              table == Table::kComplete ? "expected" : "produced");
  bool all_match = true;
  for (const Row& row : kRows) {
    const auto got_it = counts.find(std::string(row.topic));
    const std::int64_t got = got_it == counts.end() ? 0 : got_it->second;
    const auto want_it = produced.find(row.route);
    const std::int64_t want = want_it == produced.end() ? 0 : want_it->second;
    all_match = all_match && got == want;
    const bool mark = table == Table::kComplete && got != want;
    std::printf("  %-20s %10lld %10lld%s\n", std::string(row.topic).c_str(),
                static_cast<long long>(got), static_cast<long long>(want),
                mark ? "  <-- differs" : "");
  }
  return all_match;
}

kstreams::Result<std::map<std::string, std::int64_t>> count_outputs(
    const kstreams::StreamsConfig& config, const std::string& bootstrap) {
  std::vector<std::string> topics;
  for (const Row& row : kRows) topics.emplace_back(row.topic);
  return address_router::count_records(address_router::sample_client_properties(config, bootstrap),
                                       topics);
}

void print_latency(const std::vector<kstreams::ThreadMetrics>& threads) {
  double avg = 0;
  double max = 0;
  for (const auto& t : threads) {
    avg = std::max(avg, t.end_to_end_latency_avg_ms);
    max = std::max(max, t.end_to_end_latency_max_ms);
  }
  std::printf("  end-to-end latency (produce -> processed): avg %.0f ms, max %.0f ms\n", avg, max);
}

int report_complete(const Options& options, const DemoRun& run,
                    const std::map<std::string, std::int64_t>& counts) {
  std::printf("\naddress-router: produced and routed %lld records in %.2f s (%.0f records/s)\n",
              static_cast<long long>(options.records), run.seconds,
              static_cast<double>(options.records) / run.seconds);
  print_latency(run.threads);
  if (!print_routing_table(counts, run.produced, Table::kComplete)) {
    std::cerr << "address-router: output differs from the generated input\n";
    return 1;
  }
  std::printf("address-router: every record landed where it belongs\n");
  return 0;
}

int report_interrupted(const Options& options, const DemoRun& run,
                       const kstreams::Result<std::map<std::string, std::int64_t>>& counts,
                       const Interruption& interruption) {
  std::printf("\naddress-router: produced %lld of %lld records, processed %llu, in %.2f s\n",
              static_cast<long long>(total(run.produced)), static_cast<long long>(options.records),
              static_cast<unsigned long long>(run.processed), run.seconds);
  if (counts.ok()) {
    print_routing_table(*counts, run.produced, Table::kPartial);
  } else {
    fail(counts.status());
  }
  std::printf("address-router: interrupted by signal %d; the run is incomplete\n",
              interruption.signal().value_or(0));
  std::fflush(stdout);
  return interruption.exit_code();
}

// Demo: an embedded cluster, generated input, a report of what went where.
int run_demo(const Options& options, const kstreams::StreamsConfig& config,
             Interruption& interruption) {
  auto topology = make_topology(options.describe);
  if (!topology.ok()) return fail(topology.status(), 2);
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) return fail(s);
  const std::string bootstrap = app.bootstrap_servers();
  std::printf("address-router: embedded Kafka cluster at %s\n", bootstrap.c_str());
  std::fflush(stdout);

  DemoRun run;
  Outcome outcome = wait_until_running(app, interruption);
  const auto start = Clock::now();
  if (outcome == Outcome::kDone) {
    outcome = produce_demo_input(options, config, bootstrap, interruption, run);
  }
  if (outcome == Outcome::kDone) outcome = wait_for_processing(app, options, start, interruption);
  if (outcome == Outcome::kFailed) return 1;
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.threads = app.thread_metrics();
  if (kstreams::Status s = app.close(kCloseTimeout); !s.ok()) {
    std::cerr << "address-router: close: " << s << "\n";
    if (outcome == Outcome::kDone) return 1;
  }
  run.processed = app.metrics().records_processed;
  auto counts = count_outputs(config, bootstrap);
  if (outcome == Outcome::kInterrupted || interruption.requested()) {
    return report_interrupted(options, run, counts, interruption);
  }
  if (!counts.ok()) return fail(counts.status());
  return report_complete(options, run, *counts);
}

// Against a real cluster, until SIGINT/SIGTERM.
int run_service(const Options& options, const kstreams::StreamsConfig& config,
                kstreams::ShutdownSignal& signals) {
  auto topology = make_topology(options.describe);
  if (!topology.ok()) return fail(topology.status(), 2);
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) return fail(s);
  std::printf("address-router: running against %s as '%s'; SIGINT or SIGTERM stops it\n",
              config.bootstrap_servers.c_str(), config.application_id.c_str());
  std::fflush(stdout);
  return kstreams::run_until_shutdown(
      app, signals, "address-router", std::cout,
      kstreams::CloseOptions{.leave_group = options.leave_group_on_close});
}

int report_generate_interrupted(const Options& options,
                                const kstreams::Result<std::map<Route, std::int64_t>>& produced,
                                const Interruption& interruption) {
  const int signal = interruption.signal().value_or(0);
  if (produced.ok()) {
    std::printf("address-router: interrupted by signal %d after producing %lld of %lld addresses\n",
                signal, static_cast<long long>(total(*produced)),
                static_cast<long long>(options.generate));
  } else {
    std::printf(
        "address-router: interrupted by signal %d; what it produced was not all delivered\n",
        signal);
  }
  return interruption.exit_code();
}

int run_generate(const Options& options, const kstreams::StreamsConfig& config,
                 Interruption& interruption) {
  const std::string topic(address_router::kInputTopic);
  std::printf(
      "address-router: producing %lld addresses to '%s' on %s; SIGINT or SIGTERM stops it\n",
      static_cast<long long>(options.generate), topic.c_str(), config.bootstrap_servers.c_str());
  std::fflush(stdout);
  auto produced = address_router::produce_sample_input(
      address_router::sample_client_properties(config, config.bootstrap_servers),
      {.topic = topic,
       .count = options.generate,
       .seed = options.seed,
       .invalid_share = options.invalid_share},
      [&] { return interruption.requested(); });
  if (!produced.ok()) fail(produced.status());
  if (interruption.signal()) return report_generate_interrupted(options, produced, interruption);
  if (!produced.ok()) return 1;
  std::printf("address-router: produced %lld addresses to '%s' on %s\n",
              static_cast<long long>(options.generate), topic.c_str(),
              config.bootstrap_servers.c_str());
  return 0;
}

int run(int argc, char** argv, kstreams::ShutdownSignal& signals) {
  const address_router::ParsedCommandLine parsed = address_router::parse_command_line(argc, argv);
  if (parsed.exit_status) return *parsed.exit_status;
  const Options& options = parsed.options;
  auto config = address_router::make_config(options);
  if (!config.ok()) return fail(config.status(), 2);
  auto mode = address_router::run_mode(options, *config);
  if (!mode.ok()) return fail(mode.status(), 2);
  Interruption interruption(signals);
  switch (*mode) {
    case address_router::RunMode::kDemo:
      return run_demo(options, *config, interruption);
    case address_router::RunMode::kGenerate:
      return run_generate(options, *config, interruption);
    case address_router::RunMode::kService:
      break;
  }
  return run_service(options, *config, signals);
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM are received synchronously.
  kstreams::ShutdownSignal signals;
  const int exit_status = run(argc, argv, signals);
  address_router::discard_late_shutdown_signals();
  return exit_status;
}
