// The immutable graph behind a Topology, and the one door from src/ into Topology's internals.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <kstreams/internal/graph_builder.h>
#include <kstreams/topology.h>

namespace kstreams::internal {

struct TopologyDefinition {
  std::vector<NodeSpec> nodes;
  /// Node ids of each sub-topology, in insertion order. Sub-topology i has id i.
  std::vector<std::vector<NodeId>> subtopologies;
  /// The sub-topology of each node.
  std::vector<int> subtopology_of;
  /// Which source node reads each topic.
  std::map<std::string, NodeId> source_by_topic;
};

struct TopologyAccess {
  static const TopologyDefinition& definition(const Topology& topology) {
    return *topology.definition_;
  }
  static Topology make(std::shared_ptr<const TopologyDefinition> definition) {
    return Topology(std::move(definition));
  }
};

}  // namespace kstreams::internal
