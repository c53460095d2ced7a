// File: kstreams/global_ktable.h
//
// `GlobalKTable<K, V>`: a table with a full copy on every instance (not partitioned across
// tasks), from `StreamsBuilder::global_table`. Its topic is its changelog: every instance reads
// all of its partitions with a consumer of its own, is brought up to date before the stream
// threads start, and then follows the topic. Query it with `KafkaStreams::store<K, V>(name)` or
// `TopologyTestDriver::get_key_value_store<K, V>(name)`.
//
//   auto countries = builder.global_table<std::string, Country>(
//       "countries", kstreams::Materialized<std::string, Country>::as("countries"));
//
// Values are stored as read (the topic's bytes, after the record's timestamp): a value that
// cannot be deserialized shows up as an error when it is queried or joined, not when it is read. `KStream::join` / `left_join`
// with a key mapper join a stream with it.
#pragma once

#include <string>
#include <utility>

namespace kstreams {

class StreamsBuilder;

template <class K, class V>
class GlobalKTable {
 public:
  /// The name of the store holding the copy.
  [[nodiscard]] const std::string& queryable_store_name() const { return store_; }

 private:
  friend class StreamsBuilder;
  explicit GlobalKTable(std::string store) : store_(std::move(store)) {}
  std::string store_;
};

}  // namespace kstreams
