// File: kstreams/topology.h
//
// `Topology`: the immutable processing graph that `StreamsBuilder::build()` returns, and
// `TopologyDescription`, its printable form (`describe()`), which reads like Kafka Streams':
//
//   Topologies:
//      Sub-topology: 0
//       Source: KSTREAM-SOURCE-0000000000 (topics: [addresses])
//         --> route-
//       Processor: route- (stores: [])
//         --> route-billing, route-shipping
//         <-- KSTREAM-SOURCE-0000000000
//       ...
//
// `to_dot()` and `to_mermaid()` render the same graph for Graphviz and Mermaid.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace kstreams {

namespace internal {
struct TopologyDefinition;
struct TopologyAccess;
}  // namespace internal

/// A description of a topology: sub-topologies and their nodes. A plain value.
class TopologyDescription {
 public:
  enum class NodeKind { kSource, kProcessor, kSink };
  struct Node {
    NodeKind kind = NodeKind::kProcessor;
    std::string name;
    std::vector<std::string> topics;  ///< Source topics, or the sink's topic.
    std::string topic_extractor;      ///< A sink with a topic-name function.
    std::vector<std::string> stores;
    std::vector<std::string> predecessors;
    std::vector<std::string> successors;
  };
  struct Subtopology {
    int id = 0;
    std::vector<Node> nodes;  ///< Ordered as Kafka Streams prints them.
  };

  explicit TopologyDescription(std::vector<Subtopology> subtopologies)
      : subtopologies_(std::move(subtopologies)) {}

  [[nodiscard]] const std::vector<Subtopology>& subtopologies() const { return subtopologies_; }
  /// Kafka Streams' TopologyDescription text.
  [[nodiscard]] std::string to_string() const;
  /// Graphviz DOT: one cluster per sub-topology, topics as ellipses.
  [[nodiscard]] std::string to_dot() const;
  /// Mermaid flowchart.
  [[nodiscard]] std::string to_mermaid() const;

 private:
  std::vector<Subtopology> subtopologies_;
};

std::ostream& operator<<(std::ostream& os, const TopologyDescription& description);

/// An immutable, validated processing graph. Cheap to copy (shared); thread-safe to share.
/// Run it with `KafkaStreams` or `testing::TopologyTestDriver`.
class Topology {
 public:
  [[nodiscard]] TopologyDescription describe() const;
  /// All topics read by sources, sorted.
  [[nodiscard]] std::vector<std::string> source_topics() const;
  /// All fixed topics written by sinks, sorted (topic-name functions excluded).
  [[nodiscard]] std::vector<std::string> sink_topics() const;

 private:
  friend struct internal::TopologyAccess;
  explicit Topology(std::shared_ptr<const internal::TopologyDefinition> definition)
      : definition_(std::move(definition)) {}

  std::shared_ptr<const internal::TopologyDefinition> definition_;
};

}  // namespace kstreams
