// customer-addresses: the latest address per customer as a table (store
// latest-address-by-customer, shippable ones written to customer-addresses.latest), and order
// counts and totals per customer (orders-per-customer, order-total-per-customer).
//
//   customer-addresses                         demo: embedded cluster, generated input, a report
//   customer-addresses --bootstrap-servers H   run against a Kafka cluster until SIGINT/SIGTERM
//   customer-addresses --bootstrap-servers H --generate   produce sample input and exit
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

#include "examples/customer_addresses/customer_addresses.h"
#include "examples/customer_addresses/sample_data.h"

namespace {

namespace ca = customer_addresses;

struct Options {
  std::string bootstrap_servers;
  std::string application_id = "customer-addresses";
  std::string state_dir = "/tmp/kstreams";
  std::string processing_guarantee = "at_least_once";
  int threads = 1;
  std::string config_file;
  std::vector<std::string> properties;
  /// Properties set by settings flags given on the command line: they override --config and
  /// --property, and the defaults above sit below both.
  std::map<std::string, std::string> flag_properties;
  int customers = 200;
  int address_updates = 1'000;
  int orders = 5'000;
  bool generate = false;
  std::uint64_t seed = 42;
  int timeout_s = 120;
  bool describe = false;
};

// The flags that set a property, and the property each sets.
constexpr std::pair<const char*, const char*> kSettingFlags[] = {
    {"--application-id", "application.id"}, {"--bootstrap-servers", "bootstrap.servers"},
    {"--state-dir", "state.dir"},           {"--processing-guarantee", "processing.guarantee"},
    {"--threads", "num.stream.threads"},
};

kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options) {
  KSTREAMS_ASSIGN_OR_RETURN(auto props, kstreams::StreamsConfig::read_command_line_properties(
                                            options.config_file, options.properties));
  // Defaults (the flags' defaults) below the file and --property; given flags above both.
  props.try_emplace("application.id", options.application_id);
  props.try_emplace("bootstrap.servers", options.bootstrap_servers);
  props.try_emplace("state.dir", options.state_dir);
  props.try_emplace("processing.guarantee", options.processing_guarantee);
  props.try_emplace("num.stream.threads", std::to_string(options.threads));
  for (const auto& [key, value] : options.flag_properties) props[key] = value;
  // Table updates leave the store caches at each commit: the demo commits often so that its
  // report does not wait for at-least-once's 30 s default.
  const std::string& bootstrap = props["bootstrap.servers"];
  if ((bootstrap.empty() || bootstrap == "embedded") && !props.contains("commit.interval.ms")) {
    props["commit.interval.ms"] = "200";
  }
  if (!props.contains("metrics.log.interval.ms")) props["metrics.log.interval.ms"] = "10000";
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::StreamsConfig config,
                            kstreams::StreamsConfig::from_properties(props));
  ca::configure(config);
  return config;
}

kstreams::Result<kstreams::Topology> make_topology(bool describe) {
  kstreams::StreamsBuilder builder;
  ca::build(builder);
  KSTREAMS_ASSIGN_OR_RETURN(kstreams::Topology topology, builder.build());
  if (describe) std::cout << topology.describe() << std::flush;
  return topology;
}

kstreams::Status produce_sample_data(const std::string& bootstrap, const ca::SampleData& data) {
  KSTREAMS_RETURN_IF_ERROR(
      ca::produce(bootstrap, std::string(ca::kAddressesTopic), data.addresses));
  return ca::produce(bootstrap, std::string(ca::kOrdersTopic), data.orders);
}

/// What the output topics hold now, decoded.
struct Outputs {
  std::map<std::string, std::string> shippable_street;
  std::map<std::string, std::int64_t> orders_per_customer;
  std::map<std::string, std::int64_t> total_cents_per_customer;
};

kstreams::Result<std::map<std::string, std::int64_t>> read_longs(const std::string& bootstrap,
                                                                 std::string_view topic) {
  KSTREAMS_ASSIGN_OR_RETURN(auto latest, ca::read_latest(bootstrap, std::string(topic)));
  std::map<std::string, std::int64_t> out;
  for (const auto& [key, bytes] : latest) {
    auto value = ca::decode_long(bytes);
    if (!value) {
      return kstreams::Status(kstreams::StatusCode::kSerialization,
                              std::string(topic) + ": '" + key + "' is not a Long");
    }
    out[key] = *value;
  }
  return out;
}

kstreams::Result<Outputs> read_outputs(const std::string& bootstrap) {
  Outputs out;
  KSTREAMS_ASSIGN_OR_RETURN(auto latest,
                            ca::read_latest(bootstrap, std::string(ca::kLatestAddressTopic)));
  for (const auto& [customer, bytes] : latest) {
    ca::Address address;
    if (!address.ParseFromString(bytes)) {
      return kstreams::Status(kstreams::StatusCode::kSerialization,
                              "customer-addresses.latest: '" + customer + "' is not an Address");
    }
    out.shippable_street[customer] = address.street();
  }
  KSTREAMS_ASSIGN_OR_RETURN(out.orders_per_customer,
                            read_longs(bootstrap, ca::kOrdersPerCustomerTopic));
  KSTREAMS_ASSIGN_OR_RETURN(out.total_cents_per_customer,
                            read_longs(bootstrap, ca::kOrderTotalPerCustomerTopic));
  return out;
}

bool matches(const Outputs& got, const ca::SampleData& want) {
  return got.shippable_street == want.shippable_street &&
         got.orders_per_customer == want.orders_per_customer &&
         got.total_cents_per_customer == want.total_cents_per_customer;
}

/// Every customer's latest address, read from the running app's store (interactive query).
kstreams::Result<std::map<std::string, ca::Address>> query_projection(
    const kstreams::KafkaStreams& app) {
  using Projection = kstreams::QueryableKeyValueStore<std::string, ca::Address>;
  KSTREAMS_ASSIGN_OR_RETURN(
      Projection store,
      (app.store<std::string, ca::Address>(std::string(ca::kLatestAddressStore))));
  KSTREAMS_ASSIGN_OR_RETURN(auto entries, store.all());
  std::map<std::string, ca::Address> out;
  for (auto& kv : entries) out.emplace(std::move(kv.key), std::move(kv.value));
  return out;
}

const char* type_name(const ca::Address& address) {
  switch (address.type()) {
    case address_router::SHIPPING:
      return "shipping";
    case address_router::BILLING:
      return "billing";
    default:
      return "unknown";
  }
}

void print_report(const Outputs& got, const std::map<std::string, ca::Address>& projection,
                  const ca::SampleData& want, std::int64_t dead_lettered) {
  std::printf("  %-10s %7s %14s  %-30s %s\n", "customer", "orders", "total (cents)",
              "latest address (store)", "on customer-addresses.latest");
  int shown = 0;
  for (const auto& [customer, orders] : want.orders_per_customer) {
    if (++shown > 8) break;
    auto street = got.shippable_street.find(customer);
    auto count = got.orders_per_customer.find(customer);
    auto total = got.total_cents_per_customer.find(customer);
    auto stored = projection.find(customer);
    std::string latest = "(deleted)";
    if (stored != projection.end()) {
      latest = stored->second.street() + " (" + type_name(stored->second) +
               (stored->second.postal_code().empty() ? ", incomplete)" : ")");
    }
    std::printf(
        "  %-10s %7lld %14lld  %-30s %s\n", customer.c_str(),
        static_cast<long long>(count == got.orders_per_customer.end() ? 0 : count->second),
        static_cast<long long>(total == got.total_cents_per_customer.end() ? 0 : total->second),
        latest.c_str(), street == got.shippable_street.end() ? "no" : "yes");
  }
  std::printf("  ... %zu customers with orders, %zu in the store, %zu with a shippable address\n",
              got.orders_per_customer.size(), projection.size(), got.shippable_street.size());
  std::printf("  %s: %lld records (expected %lld)\n", std::string(ca::kDeadLetterTopic).c_str(),
              static_cast<long long>(dead_lettered), static_cast<long long>(want.undecodable));
}

// Demo: an embedded cluster, generated input, a report from the output topics and the store.
int run_demo(const Options& options, const kstreams::StreamsConfig& config) {
  auto topology = make_topology(options.describe);
  if (!topology.ok()) {
    std::cerr << "customer-addresses: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "customer-addresses: " << s << "\n";
    return 1;
  }
  const std::string bootstrap = app.bootstrap_servers();
  std::printf("customer-addresses: embedded Kafka cluster at %s\n", bootstrap.c_str());
  if (!app.wait_for_state(kstreams::StreamsState::kRunning, std::chrono::seconds(30))) {
    std::cerr << "customer-addresses: did not reach RUNNING within 30 s (state "
              << kstreams::to_string(app.state()) << ")\n";
    return 1;
  }
  const ca::SampleData data = ca::generate_sample_data(options.customers, options.address_updates,
                                                       options.orders, options.seed);
  const auto start = std::chrono::steady_clock::now();
  std::printf("customer-addresses: producing %zu address updates and %zu orders for %d customers\n",
              data.addresses.size(), data.orders.size(), options.customers);
  std::fflush(stdout);
  if (kstreams::Status s = produce_sample_data(bootstrap, data); !s.ok()) {
    std::cerr << "customer-addresses: " << s << "\n";
    return 1;
  }

  // Done when the output topics say what the input implies (the tables' latest values).
  const auto deadline = start + std::chrono::seconds(options.timeout_s);
  Outputs outputs;
  for (;;) {
    if (app.state() == kstreams::StreamsState::kError) {
      std::cerr << "customer-addresses: " << app.error() << "\n";
      return 1;
    }
    auto read = read_outputs(bootstrap);
    if (!read.ok()) {
      std::cerr << "customer-addresses: " << read.status() << "\n";
      return 1;
    }
    outputs = std::move(*read);
    if (matches(outputs, data)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "customer-addresses: the output topics do not match the input after "
                << options.timeout_s << " s (" << outputs.orders_per_customer.size() << " of "
                << data.orders_per_customer.size() << " customers counted; processed "
                << app.metrics().records_processed << " records)\n";
      static_cast<void>(app.close(std::chrono::seconds(30)));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The local projection: this instance holds every partition, so its store answers for all.
  auto projection = query_projection(app);
  if (!projection.ok()) {
    std::cerr << "customer-addresses: " << projection.status() << "\n";
    static_cast<void>(app.close(std::chrono::seconds(30)));
    return 1;
  }
  if (kstreams::Status s = app.close(std::chrono::seconds(30)); !s.ok()) {
    std::cerr << "customer-addresses: close: " << s << "\n";
    return 1;
  }
  auto dead_lettered = ca::count_records(bootstrap, std::string(ca::kDeadLetterTopic));
  if (!dead_lettered.ok()) {
    std::cerr << "customer-addresses: " << dead_lettered.status() << "\n";
    return 1;
  }
  std::printf("\ncustomer-addresses: tables caught up with the input in %.2f s\n", seconds);
  print_report(outputs, *projection, data, *dead_lettered);
  if (projection->size() != data.latest_street.size()) {
    std::cerr << "customer-addresses: store " << ca::kLatestAddressStore << " holds "
              << projection->size() << " customers, expected " << data.latest_street.size() << "\n";
    return 1;
  }
  for (const auto& [customer, address] : *projection) {
    auto want = data.latest_street.find(customer);
    if (want == data.latest_street.end() || want->second != address.street()) {
      std::cerr << "customer-addresses: store " << ca::kLatestAddressStore << " has '"
                << address.street() << "' for " << customer << "\n";
      return 1;
    }
  }
  if (*dead_lettered != data.undecodable) {
    std::cerr << "customer-addresses: dead-letter topic differs from the generated input\n";
    return 1;
  }
  std::printf("customer-addresses: every count, total and latest address is as expected\n");
  return 0;
}

// Against a real cluster, until SIGINT/SIGTERM.
int run_service(const Options& options, const kstreams::StreamsConfig& config,
                kstreams::ShutdownSignal& signals) {
  auto topology = make_topology(options.describe);
  if (!topology.ok()) {
    std::cerr << "customer-addresses: " << topology.status() << "\n";
    return 2;
  }
  kstreams::KafkaStreams app(*topology, config);
  if (kstreams::Status s = app.start(); !s.ok()) {
    std::cerr << "customer-addresses: " << s << "\n";
    return 1;
  }
  std::printf("customer-addresses: running against %s as '%s'; SIGINT or SIGTERM stops it\n",
              options.bootstrap_servers.c_str(), options.application_id.c_str());
  std::fflush(stdout);
  return kstreams::run_until_shutdown(app, signals, "customer-addresses", std::cout);
}

int run_generate(const Options& options) {
  const ca::SampleData data = ca::generate_sample_data(options.customers, options.address_updates,
                                                       options.orders, options.seed);
  if (kstreams::Status s = produce_sample_data(options.bootstrap_servers, data); !s.ok()) {
    std::cerr << "customer-addresses: " << s << "\n";
    return 1;
  }
  std::printf("customer-addresses: produced %zu address updates to '%s' and %zu orders to '%s'\n",
              data.addresses.size(), std::string(ca::kAddressesTopic).c_str(), data.orders.size(),
              std::string(ca::kOrdersTopic).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM are received synchronously.
  kstreams::ShutdownSignal signals;
  Options options;
  CLI::App cli{
      "customer-addresses: keeps the latest address of every customer in the store "
      "latest-address-by-customer (shippable ones also on customer-addresses.latest) and counts "
      "and sums orders per customer (orders-per-customer, order-total-per-customer). Without "
      "--bootstrap-servers it runs a demo on an embedded Kafka cluster."};
  cli.add_option("--bootstrap-servers", options.bootstrap_servers,
                 "Kafka cluster (host:port,...); empty: demo on an embedded cluster");
  cli.add_option("--application-id", options.application_id,
                 "application.id: the consumer group, and the prefix of the changelog and "
                 "repartition topics")
      ->capture_default_str();
  cli.add_option("--state-dir", options.state_dir, "state.dir: where the stores live")
      ->capture_default_str();
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
                 "key=value, repeatable; overrides --config (e.g. commit.interval.ms=1000)");
  cli.add_option("--customers", options.customers, "Generated input: customers")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--address-updates", options.address_updates,
                 "Generated input: address records (some billing, incomplete, tombstones)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--orders", options.orders, "Generated input: orders")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_flag("--generate", options.generate,
               "Produce the generated input to --bootstrap-servers and exit");
  cli.add_option("--seed", options.seed, "Generator seed")->capture_default_str();
  cli.add_option("--timeout", options.timeout_s, "Demo: seconds to wait for the tables")
      ->capture_default_str();
  cli.add_flag("--describe", options.describe, "Print the topology first");
  CLI11_PARSE(cli, argc, argv);
  for (const auto& [flag, property] : kSettingFlags) {
    if (cli.count(flag) > 0) options.flag_properties[property] = cli[flag]->as<std::string>();
  }

  if (options.generate) {
    if (options.bootstrap_servers.empty()) {
      std::cerr << "customer-addresses: --generate needs --bootstrap-servers\n";
      return 2;
    }
    return run_generate(options);
  }
  auto config = make_config(options);
  if (!config.ok()) {
    std::cerr << "customer-addresses: " << config.status() << "\n";
    return 2;
  }
  // What the run uses is the final configuration, wherever each setting came from.
  options.application_id = config->application_id;
  options.bootstrap_servers = config->bootstrap_servers;
  if (config->uses_embedded_cluster()) return run_demo(options, *config);
  return run_service(options, *config, signals);
}
