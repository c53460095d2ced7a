// File: kstreams/kgrouped_stream.h
//
// `KGroupedStream<K, V>`: a stream grouped by key, from `KStream::group_by_key` or
// `KStream::group_by`; aggregate it into a KTable with `count`, `reduce` or `aggregate`. The
// aggregate of each key lives in a state store (RocksDB by default) backed by a changelog topic.
//
//   KTable<std::string, std::int64_t> orders_per_customer =
//       orders.group_by([](const Order& o) { return o.customer_id(); })
//           .count(kstreams::Materialized<std::string, std::int64_t>::as("orders-per-customer"));
//
// When the key may have changed upstream (group_by, map, select_key, flat_map, process), the
// records first go through a repartition topic, `<application.id>-<name>-repartition`, so that
// all records of a key meet in one task. As Kafka Streams: every update of an aggregate is
// emitted (downstream of the table) when the store's record cache flushes — at commit, or
// when the cache is full — or at once with caching disabled.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <kstreams/grouped.h>
#include <kstreams/internal/graph_builder.h>
#include <kstreams/internal/stateful_nodes.h>
#include <kstreams/internal/store_registration.h>
#include <kstreams/materialized.h>
#include <kstreams/named.h>

namespace kstreams {

template <class K, class V>
class KTable;

template <class K, class V>
class KGroupedStream {
 public:
  /// The number of records per key.
  KTable<K, std::int64_t> count(Materialized<K, std::int64_t> materialized = {}) const {
    return count(Named{}, std::move(materialized));
  }
  KTable<K, std::int64_t> count(Named named,
                                Materialized<K, std::int64_t> materialized = {}) const {
    return aggregate_impl<std::int64_t>(
        named, std::move(materialized), "KSTREAM-AGGREGATE-", [] { return std::int64_t{0}; },
        [](const K&, const V&, std::int64_t n) { return n + 1; });
  }

  /// Combines the values of a key: the first value, then `reducer(aggregate, value)`.
  template <class F>
  requires std::is_convertible_v<std::invoke_result_t<F&, const V&, const V&>, V> KTable<K, V>
  reduce(F reducer, Materialized<K, V> materialized = {}, Named named = {})
  const {
    std::string store =
        internal::register_store(*graph_, materialized, "KSTREAM-REDUCE-STATE-STORE-",
                                 /*timestamped=*/true);
    std::string name = graph_->name_or_generate(named, "KSTREAM-REDUCE-");
    internal::NodeId parent = input(store);
    internal::TimestampedStore<K, V> view(store, materialized.key_serde, materialized.value_serde);
    internal::NodeId id = graph_->add_processor(
        name, {parent}, [view, reducer](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::StreamReduceNode<K, V, F>>(n, view, reducer);
        });
    graph_->connect_store(id, store);
    return KTable<K, V>(graph_, id, store);
  }

  /// Folds the values of a key: `aggregator(key, value, aggregate)`, starting from
  /// `initializer()`.
  template <class Init, class Agg, class VA = std::remove_cvref_t<std::invoke_result_t<Init&>>>
  requires std::is_convertible_v<std::invoke_result_t<Agg&, const K&, const V&, VA>, VA>
      KTable<K, VA> aggregate(Init initializer, Agg aggregator,
                              Materialized<K, VA> materialized = {}, Named named = {})
  const {
    return aggregate_impl<VA>(named, std::move(materialized), "KSTREAM-AGGREGATE-",
                              std::move(initializer), std::move(aggregator));
  }

 private:
  template <class, class>
  friend class KStream;

  KGroupedStream(std::shared_ptr<internal::GraphBuilder> graph, internal::NodeId node,
                 bool repartition_required, Grouped<K, V> grouped)
      : graph_(std::move(graph)),
        node_(node),
        repartition_required_(repartition_required),
        grouped_(std::move(grouped)) {}

  template <class VA, class Init, class Agg>
  KTable<K, VA> aggregate_impl(const Named& named, Materialized<K, VA> materialized,
                               std::string_view prefix, Init init, Agg aggregator) const {
    std::string store = internal::register_store(
        *graph_, materialized, std::string(prefix) + "STATE-STORE-", /*timestamped=*/true);
    std::string name = graph_->name_or_generate(named, prefix);
    internal::NodeId parent = input(store);
    internal::TimestampedStore<K, VA> view(store, materialized.key_serde, materialized.value_serde);
    internal::NodeId id = graph_->add_processor(
        name, {parent},
        [view, init, aggregator](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::StreamAggregateNode<K, V, VA, Init, Agg>>(n, view, init,
                                                                                      aggregator);
        });
    graph_->connect_store(id, store);
    return KTable<K, VA>(graph_, id, store);
  }

  /// The node the aggregation reads from: this stream, or a repartition of it. Several
  /// aggregations of one grouped stream share its repartition topic.
  internal::NodeId input(const std::string& store) const {
    if (!repartition_required_) return node_;
    if (*repartitioned_) return **repartitioned_;
    const std::string base = grouped_.name.empty() ? store : grouped_.name;
    *repartitioned_ = internal::add_repartition<K, V>(
        *graph_, node_, base + "-repartition", internal::serde_or_default(grouped_.key_serde),
        internal::serde_or_default(grouped_.value_serde), 0);
    return **repartitioned_;
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
  internal::NodeId node_;
  bool repartition_required_;
  Grouped<K, V> grouped_;
  std::shared_ptr<std::optional<internal::NodeId>> repartitioned_ =
      std::make_shared<std::optional<internal::NodeId>>();
};

}  // namespace kstreams
