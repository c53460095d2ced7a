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
  // The sub-topology reading each topic, and the most partitions of each sub-topology's
  // non-internal sources.
  auto reader = [&](const std::string& topic) {
    return definition.subtopology_of[definition.source_by_topic.at(topic)];
  };
  std::map<int, int> external_most;
  for (const auto& [topic, node] : definition.source_by_topic) {
    if (auto it = external.find(topic); it != external.end()) {
      int& most = external_most[definition.subtopology_of[node]];
      most = std::max(most, it->second);
    }
  }

  std::map<std::string, int> counts;
  // 1. As asked; else as the non-internal topics it is read with (a join of a re-keyed stream
  //    with a table: the repartition topic takes the table topic's count, as Kafka Streams'
  //    CopartitionedTopicsEnforcer does).
  for (const auto& [topic, asked] : definition.repartition_topics) {
    if (asked > 0) {
      counts[topic] = asked;
    } else if (auto it = external_most.find(reader(topic)); it != external_most.end()) {
      counts[topic] = it->second;
    }
  }
  // 2. The rest: the most partitions among the sources of the sub-topology writing it (other
  //    than the topic itself, which that sub-topology may also read), to a fixed point through
  //    chains of repartition topics. Bounded by the number of topics.
  for (std::size_t round = 0; round <= definition.repartition_topics.size(); ++round) {
    bool changed = false;
    for (const auto& [topic, asked] : definition.repartition_topics) {
      if (counts.contains(topic)) continue;
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
        if (definition.subtopology_of[node] != writer || source_topic == topic) continue;
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
  // 3. Repartition topics read together with no other topic: all as the largest of them (those
  //    with an asked count keep it; a mismatch is then reported as not co-partitioned).
  std::map<int, int> group_most;
  for (const auto& [topic, asked] : definition.repartition_topics) {
    int& most = group_most[reader(topic)];
    most = std::max(most, counts[topic]);
  }
  for (const auto& [topic, asked] : definition.repartition_topics) {
    if (asked <= 0 && !external_most.contains(reader(topic)))
      counts[topic] = group_most[reader(topic)];
  }
  return counts;
}

}  // namespace kstreams::internal
