// File: kstreams/materialized.h
//
// `Materialized<K, V>`: how a table or an aggregation keeps its state — the store's name (which
// makes it queryable and names its changelog topic), its serdes, where it lives, and whether it
// is logged to a changelog and cached. As Kafka Streams' Materialized.
//
//   stream.group_by_key().count(kstreams::Materialized<std::string, std::int64_t>::as("counts"));
//   builder.table<std::string, Address>("addresses",
//       kstreams::Materialized<std::string, Address>::as("latest").with_store_type(
//           kstreams::StoreType::kInMemory));
//
// A plain value; unnamed stores get a generated name ("KSTREAM-AGGREGATE-STATE-STORE-0000000001").
// `Materialized` also describes a store for the Processor API: `StreamsBuilder::add_state_store`.
#pragma once

#include <map>
#include <string>
#include <utility>

#include <kstreams/internal/store_spec.h>
#include <kstreams/serde.h>

namespace kstreams {

template <class K, class V>
struct Materialized {
  std::string store_name;  ///< Empty: generated.
  Serde<K> key_serde;      ///< Empty: the default serde of K.
  Serde<V> value_serde;    ///< Empty: the default serde of V.
  StoreType store_type = StoreType::kRocksDb;
  bool logging = true;
  bool caching = true;
  std::map<std::string, std::string> changelog_config;

  /// A store named `name`: queryable under that name; changelog
  /// `<application.id>-<name>-changelog`.
  static Materialized as(std::string name) {
    Materialized m;
    m.store_name = std::move(name);
    return m;
  }
  static Materialized with(Serde<K> key_serde, Serde<V> value_serde) {
    Materialized m;
    m.key_serde = std::move(key_serde);
    m.value_serde = std::move(value_serde);
    return m;
  }
  Materialized with_key_serde(Serde<K> serde) && {
    key_serde = std::move(serde);
    return std::move(*this);
  }
  Materialized with_value_serde(Serde<V> serde) && {
    value_serde = std::move(serde);
    return std::move(*this);
  }
  Materialized with_store_type(StoreType type) && {
    store_type = type;
    return std::move(*this);
  }
  /// No changelog: the store is lost with its instance (and not restored elsewhere).
  Materialized with_logging_disabled() && {
    logging = false;
    return std::move(*this);
  }
  /// A changelog with these extra topic configs.
  Materialized with_logging_enabled(std::map<std::string, std::string> config) && {
    logging = true;
    changelog_config = std::move(config);
    return std::move(*this);
  }
  /// Every update is written through and forwarded at once instead of at commit.
  Materialized with_caching_disabled() && {
    caching = false;
    return std::move(*this);
  }
  Materialized with_caching_enabled() && {
    caching = true;
    return std::move(*this);
  }
};

}  // namespace kstreams
