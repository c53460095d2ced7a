// Internal topics of a topology: naming them for one application and sizing them.
#include <algorithm>
#include <set>
#include <utility>

#include "src/topology/topology_definition.h"

namespace kstreams::internal {

Topology resolve_internal_topics(const Topology& topology, const std::string& application_id) {
  const TopologyDefinition& original = TopologyAccess::definition(topology);
  if (!original.application_id.empty()) return topology;
  auto resolved = std::make_shared<TopologyDefinition>(original);
  resolved->application_id = application_id;
  auto full = [&](const std::string& suffix) { return application_id + "-" + suffix; };
  resolved->source_by_topic.clear();
  for (NodeId id = 0; id < resolved->nodes.size(); ++id) {
    NodeSpec& node = resolved->nodes[id];
    if (node.internal_topic) {
      for (auto& topic : node.topics) topic = full(topic);
    }
    if (node.kind == NodeKind::kSource) {
      for (const auto& topic : node.topics) resolved->source_by_topic.emplace(topic, id);
    }
  }
  resolved->repartition_topics.clear();
  for (const auto& [suffix, partitions] : original.repartition_topics) {
    resolved->repartition_topics.emplace(full(suffix), partitions);
  }
  return TopologyAccess::make(std::move(resolved));
}

Result<std::map<std::string, int>> repartition_partition_counts(
    const TopologyDefinition& definition, const std::map<std::string, int>& external) {
  std::map<std::string, int> counts;
  // Iterate to a fixed point: a repartition topic's size depends on its writer's inputs, which
  // may be repartition topics themselves. Bounded by the number of topics.
  for (std::size_t round = 0; round <= definition.repartition_topics.size(); ++round) {
    bool changed = false;
    for (const auto& [topic, asked] : definition.repartition_topics) {
      if (counts.contains(topic)) continue;
      if (asked > 0) {
        counts[topic] = asked;
        changed = true;
        continue;
      }
      // The sub-topology of the sink writing `topic`, and the most partitions of its sources.
      int writer = -1;
      for (NodeId id = 0; id < definition.nodes.size(); ++id) {
        const NodeSpec& node = definition.nodes[id];
        if (node.kind == NodeKind::kSink && node.internal_topic && node.topics.front() == topic) {
          writer = definition.subtopology_of[id];
        }
      }
      int most = 0;
      bool known = true;
      for (const auto& [source_topic, node] : definition.source_by_topic) {
        if (definition.subtopology_of[node] != writer) continue;
        if (auto it = external.find(source_topic); it != external.end()) {
          most = std::max(most, it->second);
        } else if (auto r = counts.find(source_topic); r != counts.end()) {
          most = std::max(most, r->second);
        } else {
          known = false;
        }
      }
      if (known && most > 0) {
        counts[topic] = most;
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const auto& [topic, asked] : definition.repartition_topics) {
    if (!counts.contains(topic)) {
      return topology_error("cannot size repartition topic '" + topic +
                            "': the sub-topology writing it has no source of known size");
    }
  }
  return counts;
}

}  // namespace kstreams::internal
