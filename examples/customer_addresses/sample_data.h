// Talking to the cluster from the example's side, with librdkafka directly (as any Kafka client
// would): generated address updates and orders, producing them, and reading back the latest
// value of every key of an output topic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kstreams/status.h>

namespace customer_addresses {

struct SampleRecord {
  std::string key;
  std::optional<std::string> value;  ///< Serialized message; nullopt: a tombstone.
};

/// Generated input and what the topology should make of it. Deterministic for a given seed.
struct SampleData {
  std::vector<SampleRecord> addresses;  ///< For `customer-addresses`, keyed by customer id.
  std::vector<SampleRecord> orders;     ///< For `orders`, keyed by order id.
  /// Customer id -> street of their latest address of any type (what the store
  /// latest-address-by-customer ends up holding); deleted customers are absent.
  std::map<std::string, std::string> latest_street;
  /// Customer id -> street of their latest address, for customers whose latest address is
  /// shippable (what `customer-addresses.latest` ends up holding).
  std::map<std::string, std::string> shippable_street;
  std::map<std::string, std::int64_t> orders_per_customer;
  std::map<std::string, std::int64_t> total_cents_per_customer;
  std::int64_t undecodable = 0;  ///< Records that should go to the dead-letter topic.
};

/// `address_updates` address records over `customers` customers (some billing, some incomplete,
/// some tombstones), then `orders` orders; a few records of each are undecodable bytes.
SampleData generate_sample_data(int customers, int address_updates, int orders, std::uint64_t seed);

/// Produces `records` to `topic`, in order, and waits until they are delivered.
kstreams::Status produce(const std::string& bootstrap_servers, const std::string& topic,
                         const std::vector<SampleRecord>& records);

/// The latest value of every key of `topic` (read from the beginning to the current end); a key
/// whose latest record is a tombstone is absent.
kstreams::Result<std::map<std::string, std::string>> read_latest(
    const std::string& bootstrap_servers, const std::string& topic);

/// The number of records in `topic` (high watermarks minus low watermarks).
kstreams::Result<std::int64_t> count_records(const std::string& bootstrap_servers,
                                             const std::string& topic);

/// A Long (Kafka's LongSerializer: 8 bytes, big-endian) from `bytes`; nullopt if not 8 bytes.
std::optional<std::int64_t> decode_long(const std::string& bytes);

}  // namespace customer_addresses
