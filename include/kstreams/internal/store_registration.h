// Internal: turning a Materialized into a registered store, and the repartition step that
// grouping inserts when the key may have changed. Shared by KStream, KTable and the grouped
// streams. Not API.
#pragma once

#include <any>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <kstreams/internal/graph_builder.h>
#include <kstreams/internal/stateful_nodes.h>
#include <kstreams/internal/stateless_nodes.h>
#include <kstreams/internal/type_name.h>
#include <kstreams/materialized.h>
#include <kstreams/produced.h>

namespace kstreams::internal {

/// Registers the store `materialized` describes (its name generated with `prefix` when empty)
/// and fills in default serdes. A missing serde is a build error naming the store.
template <class K, class V>
std::string register_store(GraphBuilder& graph, Materialized<K, V>& materialized,
                           std::string_view prefix, bool timestamped) {
  std::string name =
      materialized.store_name.empty() ? graph.new_name(prefix) : materialized.store_name;
  materialized.key_serde = serde_or_default(std::move(materialized.key_serde));
  materialized.value_serde = serde_or_default(std::move(materialized.value_serde));
  if (!materialized.key_serde.valid() || !materialized.value_serde.valid()) {
    graph.record_error(topology_error("state store '" + name + "' has no " +
                                      (materialized.key_serde.valid()
                                           ? "value serde for " + std::string(type_name<V>())
                                           : "key serde for " + std::string(type_name<K>())) +
                                      "; pass one in Materialized"));
  }
  StoreSpec spec;
  spec.name = name;
  spec.type = materialized.store_type;
  spec.logging = materialized.logging;
  spec.caching = materialized.caching;
  spec.timestamped = timestamped;
  spec.changelog_config = materialized.changelog_config;
  spec.serdes = std::make_pair(materialized.key_serde, materialized.value_serde);
  graph.add_store(std::move(spec));
  return name;
}

/// The serdes the store `name` was registered with, when they are a Serde<K> and a Serde<V>;
/// nullptr when there is no such store or its types differ.
template <class K, class V>
const std::pair<Serde<K>, Serde<V>>* store_serdes(const GraphBuilder& graph,
                                                  const std::string& name) {
  const StoreSpec* spec = name.empty() ? nullptr : graph.store(name);
  return spec == nullptr ? nullptr : std::any_cast<std::pair<Serde<K>, Serde<V>>>(&spec->serdes);
}

/// Writes the records of `parent` to the repartition topic `<application.id>-<topic_suffix>`
/// and reads them back in a new sub-topology; returns the source node reading them.
template <class K, class V>
NodeId add_repartition(GraphBuilder& graph, NodeId parent, const std::string& topic_suffix,
                       Serde<K> key_serde, Serde<V> value_serde, int partitions) {
  if (!key_serde.valid() || !value_serde.valid()) {
    graph.record_error(
        topology_error("repartition topic '" + topic_suffix + "' has no " +
                       (key_serde.valid() ? "value serde for " + std::string(type_name<V>())
                                          : "key serde for " + std::string(type_name<K>())) +
                       "; pass one in Grouped or Repartitioned"));
  }
  std::string sink = graph.new_name("KSTREAM-SINK-");
  graph.add_internal_sink(
      sink, parent, topic_suffix, partitions,
      [topic_suffix, key_serde, value_serde](const std::string& n) -> std::unique_ptr<Node> {
        return std::make_unique<SinkNode<K, V, std::nullptr_t>>(
            n, topic_suffix, nullptr, key_serde, value_serde,
            typename SinkNode<K, V, std::nullptr_t>::Partitioner{}, /*internal_topic=*/true);
      });
  std::string source = graph.new_name("KSTREAM-SOURCE-");
  return graph.add_internal_source(
      source, topic_suffix,
      [key_serde, value_serde](const std::string& n) -> std::unique_ptr<Node> {
        return std::make_unique<SourceNode<K, V>>(n, key_serde, value_serde);
      });
}

}  // namespace kstreams::internal
