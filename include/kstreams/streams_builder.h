// File: kstreams/streams_builder.h
//
// `StreamsBuilder`: the entry point of the DSL. Create streams from topics, chain operators on
// them, then `build()` the immutable Topology.
//
//   kstreams::StreamsBuilder builder;
//   builder.stream<std::string, std::string>("in").filter(non_empty).to("out");
//   kstreams::Result<kstreams::Topology> topology = builder.build();
//
// Errors in the graph (invalid or duplicate names, empty topics, a topic read by two sources, a
// sink without serde, a branch after the default branch) are collected while building and
// reported together by build(), each naming the culprit. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <kstreams/consumed.h>
#include <kstreams/global_ktable.h>
#include <kstreams/internal/graph_builder.h>
#include <kstreams/internal/type_name.h>
#include <kstreams/kstream.h>
#include <kstreams/ktable.h>
#include <kstreams/materialized.h>
#include <kstreams/serdes.h>
#include <kstreams/status.h>
#include <kstreams/topology.h>

namespace kstreams {

class StreamsBuilder {
 public:
  StreamsBuilder() : graph_(std::make_shared<internal::GraphBuilder>()) {}

  /// A stream of the records of `topic`, read with the default serdes of K and V (a compile
  /// error naming the type when one has none: pass a Consumed then).
  template <class K, class V>
  KStream<K, V> stream(std::string topic) {
    return add_source<K, V>({std::move(topic)}, default_serde<K>(), default_serde<V>(), {});
  }
  /// A stream of the records of `topic`, read as `consumed` says.
  template <class K, class V>
  KStream<K, V> stream(std::string topic, Consumed<K, V> consumed) {
    return stream<K, V>(std::vector<std::string>{std::move(topic)}, std::move(consumed));
  }
  /// One stream of the records of several topics.
  template <class K, class V>
  KStream<K, V> stream(std::vector<std::string> topics, Consumed<K, V> consumed = {}) {
    return add_source<K, V>(
        std::move(topics), internal::serde_or_default(std::move(consumed.key_serde)),
        internal::serde_or_default(std::move(consumed.value_serde)), std::move(consumed.name));
  }

  /// A table of the records of `topic` (a changelog: the latest value per key; a null value
  /// deletes the key), kept in the state store `materialized` describes (named
  /// "<topic>-STATE-STORE-<n>" when unnamed).
  template <class K, class V>
  KTable<K, V> table(std::string topic, Materialized<K, V> materialized = {}) {
    return table<K, V>(std::move(topic), Consumed<K, V>{}, std::move(materialized));
  }
  template <class K, class V>
  KTable<K, V> table(std::string topic, Consumed<K, V> consumed,
                     Materialized<K, V> materialized = {}) {
    if (!materialized.key_serde.valid()) materialized.key_serde = consumed.key_serde;
    if (!materialized.value_serde.valid()) materialized.value_serde = consumed.value_serde;
    std::string store = internal::register_store(*graph_, materialized, topic + "-STATE-STORE-",
                                                 /*timestamped=*/true);
    Serde<std::optional<V>> value_serde;
    if (materialized.value_serde.valid()) {
      value_serde = OptionalSerde<V>(materialized.value_serde);
    }
    std::string source_name =
        graph_->name_or_generate(Named(std::move(consumed.name)), "KSTREAM-SOURCE-");
    Serde<K> key_serde = materialized.key_serde;
    internal::NodeId source = graph_->add_source(
        std::move(source_name), {std::move(topic)},
        [key_serde, value_serde](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::SourceNode<K, std::optional<V>>>(n, key_serde,
                                                                             value_serde);
        });
    internal::TimestampedStore<K, V> view(store, materialized.key_serde, materialized.value_serde);
    internal::NodeId id = graph_->add_processor(
        graph_->new_name("KTABLE-SOURCE-"), {source},
        [view](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::TableSourceNode<K, std::optional<V>, V>>(n, view);
        });
    graph_->connect_store(id, store);
    return KTable<K, V>(graph_, id, store);
  }

  /// A global table of `topic`: every instance keeps a full copy in the store `materialized`
  /// names (RocksDB by default; never logged — the topic is its changelog — nor cached).
  template <class K, class V>
  GlobalKTable<K, V> global_table(std::string topic, Materialized<K, V> materialized = {}) {
    materialized.logging = false;
    materialized.caching = false;
    std::string store = internal::register_store(*graph_, materialized, topic + "-STATE-STORE-",
                                                 /*timestamped=*/true);
    graph_->add_global_table(std::move(topic), store);
    return GlobalKTable<K, V>(store);
  }

  /// Adds a key-value store for the Processor API: a processor uses it when its name is passed
  /// to `KStream::process` (`ProcessorContext::get_state_store<K, V>(name)`).
  template <class K, class V>
  void add_state_store(Materialized<K, V> store) {
    if (store.store_name.empty()) {
      graph_->record_error(
          topology_error("add_state_store: the store needs a name "
                         "(Materialized<K, V>::as(\"name\"))"));
      return;
    }
    internal::register_store(*graph_, store, "", /*timestamped=*/false);
  }

  /// Validates the graph and returns the Topology, or a kTopology error listing every problem.
  /// The builder stays usable; later changes do not affect the returned Topology.
  [[nodiscard]] Result<Topology> build() const { return graph_->build(); }

 private:
  template <class K, class V>
  KStream<K, V> add_source(std::vector<std::string> topics, Serde<K> key_serde,
                           Serde<V> value_serde, std::string processor_name) {
    std::string name =
        graph_->name_or_generate(Named(std::move(processor_name)), "KSTREAM-SOURCE-");
    if (!key_serde.valid() || !value_serde.valid()) {
      graph_->record_error(topology_error(
          "source '" + name + "' has no " +
          (key_serde.valid() ? "value serde for " + std::string(internal::type_name<V>())
                             : "key serde for " + std::string(internal::type_name<K>()))));
    }
    internal::NodeId id = graph_->add_source(
        std::move(name), std::move(topics),
        [key_serde, value_serde](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::SourceNode<K, V>>(n, key_serde, value_serde);
        });
    return KStream<K, V>(graph_, id);
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
};

}  // namespace kstreams
