// Internal: what the topology knows about a state store, independent of its key and value types.
// The runtime builds the store stack (RocksDB or in-memory, then changelogging, then caching)
// from it for every task that has a node connected to the store. Not API.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <string>

namespace kstreams {

/// Where a key-value store keeps its data.
enum class StoreType : std::uint8_t {
  kRocksDb,   ///< On disk under state.dir; survives restarts (restored from the checkpoint on).
  kInMemory,  ///< In memory; restored from its changelog in full on every start.
};

}  // namespace kstreams

namespace kstreams::internal {

struct StoreSpec {
  std::string name;
  StoreType type = StoreType::kRocksDb;
  /// Every write also goes to the changelog topic `<application.id>-<name>-changelog`.
  bool logging = true;
  /// Writes are buffered in the thread's record cache and reach the store (and downstream) at
  /// commit or when the cache is full.
  bool caching = true;
  /// Values carry the timestamp of the record that wrote them (DSL aggregations and tables).
  bool timestamped = false;
  /// Extra topic configs for the changelog topic (e.g. retention.ms).
  std::map<std::string, std::string> changelog_config;
  /// The store's serdes, as std::pair<Serde<K>, Serde<V>>, for typed lookups by name.
  std::any serdes;
};

/// The changelog topic of `store` in application `application_id`.
inline std::string changelog_topic(const std::string& application_id, const std::string& store) {
  return application_id + "-" + store + "-changelog";
}

}  // namespace kstreams::internal
