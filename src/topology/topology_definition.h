// The immutable graph behind a Topology, and the one door from src/ into Topology's internals.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <kstreams/internal/graph_builder.h>
#include <kstreams/status.h>
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
  /// The state stores, by name.
  std::map<std::string, StoreSpec> stores;
  /// Global tables: topic -> the store holding a full copy of it.
  std::map<std::string, std::string> global_store_by_topic;
  /// The stores of each sub-topology.
  std::vector<std::vector<std::string>> stores_of_subtopology;
  /// Internal (repartition) topics, resolved: name -> partitions asked for (0: inherit).
  std::map<std::string, int> repartition_topics;
  /// The application id internal topic names were resolved with; empty when not yet resolved.
  std::string application_id;
};

/// `topology` with internal topic names resolved for `application_id` (idempotent).
Topology resolve_internal_topics(const Topology& topology, const std::string& application_id);

/// Partitions of every repartition topic: as asked; else as the non-internal topics it is read
/// with (co-partitioned with them); else the most partitions among the sources of the
/// sub-topology that writes it (recursively through repartition topics), and repartition topics
/// read together take the largest count among them. `external` gives the partition count of
/// every non-internal source topic.
Result<std::map<std::string, int>> repartition_partition_counts(
    const TopologyDefinition& definition, const std::map<std::string, int>& external);

struct TopologyAccess {
  static const TopologyDefinition& definition(const Topology& topology) {
    return *topology.definition_;
  }
  static Topology make(std::shared_ptr<const TopologyDefinition> definition) {
    return Topology(std::move(definition));
  }
};

}  // namespace kstreams::internal
