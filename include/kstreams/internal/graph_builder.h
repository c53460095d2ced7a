// Internal: the topology graph under construction. Non-template; compiled once in src/topology.
// The typed facade (KStream, StreamsBuilder) adds nodes here and captures user functions in node
// factories. Not API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <kstreams/internal/node.h>
#include <kstreams/internal/store_spec.h>
#include <kstreams/named.h>
#include <kstreams/status.h>

namespace kstreams {
class Topology;
}

namespace kstreams::internal {

using NodeId = std::size_t;

enum class NodeKind : std::uint8_t { kSource, kProcessor, kSink };

/// Makes a fresh node instance for one task. Copies the captured user function, so every task
/// has its own copy of the user's lambda (and of any state it captured by value).
using NodeFactory = std::function<std::unique_ptr<Node>(const std::string& name)>;

/// One node of the graph.
struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::kProcessor;
  std::vector<NodeId> parents;
  std::vector<NodeId> children;
  std::vector<std::string> topics;  ///< Source: its topics. Sink: its topic (empty if dynamic).
  std::string topic_extractor;      ///< Sink with a topic-name function: a description of it.
  std::vector<std::string> stores;  ///< State stores this node uses.
  /// Source or sink of a topic the application owns (repartition): its `topics` are suffixes of
  /// `<application.id>-`, resolved when the topology is run.
  bool internal_topic = false;
  /// Internal sink: partitions of its topic; 0 = as many as the sub-topology's input.
  int partitions = 0;
  NodeFactory factory;
};

/// The graph being built by a StreamsBuilder. Not thread-safe.
class GraphBuilder {
 public:
  /// A generated name: prefix + 10-digit index, as Kafka Streams ("KSTREAM-MAP-0000000003").
  std::string new_name(std::string_view prefix);
  /// `named.name` if set (validated), otherwise a generated name with `prefix`.
  std::string name_or_generate(const Named& named, std::string_view prefix);

  NodeId add_source(std::string name, std::vector<std::string> topics, NodeFactory factory);
  NodeId add_processor(std::string name, std::vector<NodeId> parents, NodeFactory factory);
  NodeId add_sink(std::string name, NodeId parent, std::string topic, NodeFactory factory);
  NodeId add_dynamic_sink(std::string name, NodeId parent, std::string extractor_description,
                          NodeFactory factory);

  /// An internal (repartition) topic: `<application.id>-<topic_suffix>`.
  NodeId add_internal_source(std::string name, std::string topic_suffix, NodeFactory factory);
  NodeId add_internal_sink(std::string name, NodeId parent, std::string topic_suffix,
                           int partitions, NodeFactory factory);

  /// A global table: `store` (already added) is a full copy of `topic` on every instance.
  void add_global_table(std::string topic, std::string store);
  /// Whether `store` holds a global table of this graph.
  [[nodiscard]] bool has_global_store(const std::string& store) const;

  /// Registers a state store (a duplicate name is a build error).
  void add_store(StoreSpec spec);
  /// Lets `node` use `store`; an unknown store is a build error. Nodes sharing a store end up in
  /// one sub-topology (one task owns the store).
  void connect_store(NodeId node, const std::string& store);
  [[nodiscard]] bool has_store(const std::string& name) const;
  /// The store registered as `name`; null when there is none. Valid until the next add_store.
  [[nodiscard]] const StoreSpec* store(const std::string& name) const;

  /// Records a problem found while building; build() reports all of them.
  void record_error(Status error);

  /// Marks a split as finished (default_branch / no_default_branch called).
  void close_split(NodeId splitter);
  [[nodiscard]] bool split_closed(NodeId splitter) const;

  [[nodiscard]] const NodeSpec& node(NodeId id) const { return nodes_.at(id); }

  /// Validates the graph and snapshots it into an immutable Topology.
  [[nodiscard]] Result<Topology> build() const;

 private:
  NodeId add_node(NodeSpec spec);
  void validate_name(std::string_view name, std::string_view what);
  void validate_topic(std::string_view topic, std::string_view node);

  std::vector<NodeSpec> nodes_;
  std::vector<StoreSpec> stores_;
  std::vector<std::pair<std::string, std::string>> global_tables_;  // (topic, store)
  std::vector<Status> errors_;
  std::vector<NodeId> closed_splits_;
  std::int64_t index_ = 0;
};

}  // namespace kstreams::internal
