// File: kstreams/ktable.h
//
// `KTable<K, V>`: a changelog stream read as a table — the latest value per key — from
// `StreamsBuilder::table`, `KStream::to_table`, or an aggregation. Operators on a table see
// updates (the new and the old value of a key); `to_stream()` turns the updates back into
// records, a deleted key becoming a record with a null (nullopt) value. `KGroupedTable` (from
// `group_by`) aggregates a table by a new key, subtracting old values as they change. Names and
// semantics follow Kafka Streams' KTable.
//
//   KTable<std::string, Address> latest = builder.table<std::string, Address>("addresses");
//   latest.filter([](const Address& a) { return a.type() == Address::SHIPPING; })
//         .to_stream()
//         .to("shipping-addresses");
//
// A cheap, copyable handle into its StreamsBuilder. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <kstreams/grouped.h>
#include <kstreams/internal/callables.h>
#include <kstreams/internal/change.h>
#include <kstreams/internal/graph_builder.h>
#include <kstreams/internal/stateful_nodes.h>
#include <kstreams/internal/store_registration.h>
#include <kstreams/kstream.h>  // NOLINT(misc-header-include-cycle): to_stream's result.
#include <kstreams/materialized.h>
#include <kstreams/named.h>

namespace kstreams {

template <class K, class V>
class KStream;
template <class K, class V>
class KGroupedTable;

template <class K, class V>
class KTable {
 public:
  using KeyType = K;
  using ValueType = V;

  /// Keeps the keys whose value satisfies `predicate`; a value that stops satisfying it
  /// becomes a delete.
  template <class F>
  requires RecordPredicate<F, K, V> KTable filter(F predicate, Named named = {})
  const {
    return add<internal::TableFilterNode<K, V, F, false>, V>("KTABLE-FILTER-", named,
                                                             std::move(predicate));
  }
  /// Drops the keys whose value satisfies `predicate`.
  template <class F>
  requires RecordPredicate<F, K, V> KTable filter_not(F predicate, Named named = {})
  const {
    return add<internal::TableFilterNode<K, V, F, true>, V>("KTABLE-FILTER-", named,
                                                            std::move(predicate));
  }
  /// Maps every value: `V2 f(value)` or `V2 f(key, value)`.
  template <class F, class V2 = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires ValueMapper<F, K, V> KTable<K, V2> map_values(F mapper, Named named = {})
  const {
    return add<internal::TableMapValuesNode<K, V, V2, F>, V2>("KTABLE-MAPVALUES-", named,
                                                              std::move(mapper));
  }

  /// The updates of this table as a stream; a delete is a record with a null value.
  KStream<K, std::optional<V>> to_stream(Named named = {}) const {
    std::string name = graph_->name_or_generate(named, "KTABLE-TOSTREAM-");
    internal::NodeId id = graph_->add_processor(
        name, {node_}, [](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::TableToStreamNode<K, V>>(n);
        });
    return KStream<K, std::optional<V>>(graph_, id);
  }

  /// Groups the table by a new key: `selector(key, value)` returns a KeyValue<K2, V2>. Goes
  /// through the repartition topic `<application.id>-<name>-repartition`.
  template <class F, class R = std::remove_cvref_t<internal::record_result_t<F, K, V>>,
            class K2 = std::remove_cvref_t<typename internal::KeyValueTraits<R>::Key>,
            class V2 = std::remove_cvref_t<typename internal::KeyValueTraits<R>::Value>>
  requires KeyValueMapper<F, K, V> KGroupedTable<K2, V2> group_by(F selector,
                                                                  Grouped<K2, V2> grouped = {})
  const {
    std::string name = graph_->name_or_generate(Named{}, "KTABLE-SELECT-");
    internal::NodeId id = graph_->add_processor(
        name, {node_}, [selector](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::TableRepartitionMapNode<K, V, K2, V2, F>>(n, selector);
        });
    return KGroupedTable<K2, V2>(graph_, id, std::move(grouped));
  }

  /// The name of the store that holds this table; empty when it is not materialized.
  [[nodiscard]] const std::string& queryable_store_name() const { return store_; }

 private:
  friend class StreamsBuilder;
  template <class, class>
  friend class KTable;
  template <class, class>
  friend class KStream;
  template <class, class>
  friend class KGroupedStream;
  template <class, class>
  friend class KGroupedTable;

  KTable(std::shared_ptr<internal::GraphBuilder> graph, internal::NodeId node, std::string store)
      : graph_(std::move(graph)), node_(node), store_(std::move(store)) {}

  template <class NodeT, class V2, class F>
  KTable<K, V2> add(std::string_view prefix, const Named& named, F function) const {
    std::string name = graph_->name_or_generate(named, prefix);
    internal::NodeId id = graph_->add_processor(
        name, {node_}, [function](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<NodeT>(n, function);
        });
    return KTable<K, V2>(graph_, id, std::string());
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
  internal::NodeId node_;
  std::string store_;
};

/// A table grouped by a new key (from `KTable::group_by`). Aggregations subtract the old value
/// of an updated or deleted row from its old group and add the new value to its new group.
template <class K, class V>
class KGroupedTable {
 public:
  /// The number of rows per key.
  KTable<K, std::int64_t> count(Materialized<K, std::int64_t> materialized = {},
                                Named named = {}) const {
    auto init = [] { return std::int64_t{0}; };
    auto add = [](const K&, const V&, std::int64_t n) { return n + 1; };
    auto sub = [](const K&, const V&, std::int64_t n) { return n - 1; };
    return aggregate_impl<std::int64_t, false>(named, std::move(materialized), "KTABLE-AGGREGATE-",
                                               init, add, sub);
  }
  /// `adder(aggregate, value)` for new values, `subtractor(aggregate, value)` for old ones.
  template <class Add, class Sub>
  requires std::is_convertible_v<std::invoke_result_t<Add&, const V&, const V&>, V> &&
      std::is_convertible_v<std::invoke_result_t<Sub&, const V&, const V&>, V>
          KTable<K, V> reduce(Add adder, Sub subtractor, Materialized<K, V> materialized = {},
                              Named named = {})
  const {
    auto init = [] { return V(); };
    return aggregate_impl<V, true>(named, std::move(materialized), "KTABLE-REDUCE-", init,
                                   std::move(adder), std::move(subtractor));
  }
  /// `adder(key, value, aggregate)` for new values, `subtractor(key, value, aggregate)` for old
  /// ones, starting from `initializer()`.
  template <class Init, class Add, class Sub,
            class VA = std::remove_cvref_t<std::invoke_result_t<Init&>>>
  requires std::is_convertible_v<std::invoke_result_t<Add&, const K&, const V&, VA>, VA> &&
      std::is_convertible_v<std::invoke_result_t<Sub&, const K&, const V&, VA>, VA>
          KTable<K, VA> aggregate(Init initializer, Add adder, Sub subtractor,
                                  Materialized<K, VA> materialized = {}, Named named = {})
  const {
    return aggregate_impl<VA, false>(named, std::move(materialized), "KTABLE-AGGREGATE-",
                                     std::move(initializer), std::move(adder),
                                     std::move(subtractor));
  }

 private:
  template <class, class>
  friend class KTable;

  KGroupedTable(std::shared_ptr<internal::GraphBuilder> graph, internal::NodeId node,
                Grouped<K, V> grouped)
      : graph_(std::move(graph)), node_(node), grouped_(std::move(grouped)) {}

  template <class VA, bool kReduce, class Init, class Add, class Sub>
  KTable<K, VA> aggregate_impl(const Named& named, Materialized<K, VA> materialized,
                               std::string_view prefix, Init init, Add adder,
                               Sub subtractor) const {
    std::string store = internal::register_store(
        *graph_, materialized, std::string(prefix) + "STATE-STORE-", /*timestamped=*/true);
    std::string name = graph_->name_or_generate(named, prefix);
    const std::string base = grouped_.name.empty() ? store : grouped_.name;
    Serde<V> value_serde = internal::serde_or_default(grouped_.value_serde);
    Serde<internal::Change<V>> change_serde;
    if (value_serde.valid()) change_serde = internal::ChangeSerde<V>(value_serde);
    internal::NodeId parent = internal::add_repartition<K, internal::Change<V>>(
        *graph_, node_, base + "-repartition", internal::serde_or_default(grouped_.key_serde),
        change_serde, 0);
    internal::TimestampedStore<K, VA> view(store, materialized.key_serde, materialized.value_serde);
    using NodeT = internal::TableAggregateNode<K, V, VA, Init, Add, Sub, kReduce>;
    internal::NodeId id = graph_->add_processor(
        name, {parent},
        [view, init, adder, subtractor](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<NodeT>(n, view, init, adder, subtractor);
        });
    graph_->connect_store(id, store);
    return KTable<K, VA>(graph_, id, store);
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
  internal::NodeId node_;
  Grouped<K, V> grouped_;
};

}  // namespace kstreams
