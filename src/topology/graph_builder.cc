#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include <kstreams/internal/graph_builder.h>

#include "src/topology/topology_definition.h"

namespace kstreams::internal {
namespace {

constexpr std::size_t kMaxNameLength = 249;  // Kafka's limit for topic and processor names.

bool legal_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Connected components over parent/child edges and shared stores; numbered by their first node.
std::vector<int> connected_components(const std::vector<NodeSpec>& nodes) {
  std::vector<NodeId> parent(nodes.size());
  std::iota(parent.begin(), parent.end(), NodeId{0});
  auto find = [&](NodeId x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto unite = [&](NodeId x, NodeId y) {
    NodeId a = find(x);
    NodeId b = find(y);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  };
  std::map<std::string, NodeId> first_user_of_store;
  for (NodeId id = 0; id < nodes.size(); ++id) {
    for (NodeId p : nodes[id].parents) unite(id, p);
    for (const auto& store : nodes[id].stores) {
      auto [it, inserted] = first_user_of_store.emplace(store, id);
      if (!inserted) unite(id, it->second);
    }
  }
  std::vector<int> component(nodes.size(), -1);
  std::map<NodeId, int> number;
  for (NodeId id = 0; id < nodes.size(); ++id) {
    NodeId root = find(id);
    auto [it, inserted] = number.emplace(root, static_cast<int>(number.size()));
    component[id] = it->second;
  }
  return component;
}

}  // namespace

std::string GraphBuilder::new_name(std::string_view prefix) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%010lld", static_cast<long long>(index_++));
  return std::string(prefix) + digits;
}

std::string GraphBuilder::name_or_generate(const Named& named, std::string_view prefix) {
  if (named.empty()) return new_name(prefix);
  validate_name(named.name, "processor name");
  return named.name;
}

void GraphBuilder::validate_name(std::string_view name, std::string_view what) {
  if (name.size() > kMaxNameLength) {
    record_error(topology_error(std::string(what) + " '" + std::string(name.substr(0, 40)) +
                                "...' is longer than 249 characters"));
    return;
  }
  for (char c : name) {
    if (!legal_name_char(c)) {
      record_error(topology_error(std::string(what) + " '" + std::string(name) + "' contains '" +
                                  std::string(1, c) +
                                  "'; use only ASCII letters, digits, '.', '_' and '-'"));
      return;
    }
  }
}

void GraphBuilder::validate_topic(std::string_view topic, std::string_view node) {
  if (topic.empty()) {
    record_error(topology_error("'" + std::string(node) + "' has an empty topic name"));
    return;
  }
  if (topic == "." || topic == "..") {
    record_error(topology_error("'" + std::string(node) + "': topic name '" + std::string(topic) +
                                "' is not allowed"));
    return;
  }
  validate_name(topic, "topic name of '" + std::string(node) + "':");
}

NodeId GraphBuilder::add_node(NodeSpec spec) {
  const NodeId id = nodes_.size();
  for (NodeId p : spec.parents) nodes_.at(p).children.push_back(id);
  nodes_.push_back(std::move(spec));
  return id;
}

NodeId GraphBuilder::add_source(std::string name, std::vector<std::string> topics,
                                NodeFactory factory) {
  if (topics.empty()) record_error(topology_error("source '" + name + "' has no topics"));
  for (const auto& t : topics) validate_topic(t, name);
  NodeSpec spec;
  spec.name = std::move(name);
  spec.kind = NodeKind::kSource;
  spec.topics = std::move(topics);
  spec.factory = std::move(factory);
  return add_node(std::move(spec));
}

NodeId GraphBuilder::add_processor(std::string name, std::vector<NodeId> parents,
                                   NodeFactory factory) {
  NodeSpec spec;
  spec.name = std::move(name);
  spec.kind = NodeKind::kProcessor;
  spec.parents = std::move(parents);
  spec.factory = std::move(factory);
  return add_node(std::move(spec));
}

NodeId GraphBuilder::add_sink(std::string name, NodeId parent, std::string topic,
                              NodeFactory factory) {
  validate_topic(topic, name);
  NodeSpec spec;
  spec.name = std::move(name);
  spec.kind = NodeKind::kSink;
  spec.parents = {parent};
  spec.topics = {std::move(topic)};
  spec.factory = std::move(factory);
  return add_node(std::move(spec));
}

NodeId GraphBuilder::add_dynamic_sink(std::string name, NodeId parent,
                                      std::string extractor_description, NodeFactory factory) {
  NodeSpec spec;
  spec.name = std::move(name);
  spec.kind = NodeKind::kSink;
  spec.parents = {parent};
  spec.topic_extractor = std::move(extractor_description);
  spec.factory = std::move(factory);
  return add_node(std::move(spec));
}

NodeId GraphBuilder::add_internal_source(std::string name, std::string topic_suffix,
                                         NodeFactory factory) {
  NodeId id = add_source(std::move(name), {std::move(topic_suffix)}, std::move(factory));
  nodes_[id].internal_topic = true;
  return id;
}

NodeId GraphBuilder::add_internal_sink(std::string name, NodeId parent, std::string topic_suffix,
                                       int partitions, NodeFactory factory) {
  NodeId id = add_sink(std::move(name), parent, std::move(topic_suffix), std::move(factory));
  nodes_[id].internal_topic = true;
  nodes_[id].partitions = partitions;
  if (partitions < 0) {
    record_error(topology_error("repartition '" + nodes_[id].name +
                                "': number of partitions must be positive"));
  }
  return id;
}

void GraphBuilder::add_global_table(std::string topic, std::string store) {
  validate_topic(topic, "global table " + store);
  global_tables_.emplace_back(std::move(topic), std::move(store));
}

bool GraphBuilder::has_global_store(const std::string& store) const {
  return std::any_of(global_tables_.begin(), global_tables_.end(),
                     [&](const auto& table) { return table.second == store; });
}

void GraphBuilder::add_store(StoreSpec spec) {
  validate_name(spec.name, "store name");
  if (has_store(spec.name)) {
    record_error(topology_error("state store '" + spec.name + "' is added twice"));
    return;
  }
  stores_.push_back(std::move(spec));
}

void GraphBuilder::connect_store(NodeId node, const std::string& store) {
  if (!has_store(store)) {
    record_error(topology_error("processor '" + nodes_.at(node).name + "' uses state store '" +
                                store +
                                "', which was not added (StreamsBuilder::add_state_store)"));
    return;
  }
  auto& stores = nodes_.at(node).stores;
  if (std::find(stores.begin(), stores.end(), store) == stores.end()) stores.push_back(store);
}

bool GraphBuilder::has_store(const std::string& name) const { return store(name) != nullptr; }

const StoreSpec* GraphBuilder::store(const std::string& name) const {
  auto it = std::find_if(stores_.begin(), stores_.end(),
                         [&](const StoreSpec& s) { return s.name == name; });
  return it == stores_.end() ? nullptr : &*it;
}

void GraphBuilder::record_error(Status error) { errors_.push_back(std::move(error)); }

void GraphBuilder::close_split(NodeId splitter) { closed_splits_.push_back(splitter); }

bool GraphBuilder::split_closed(NodeId splitter) const {
  return std::find(closed_splits_.begin(), closed_splits_.end(), splitter) != closed_splits_.end();
}

Result<Topology> GraphBuilder::build() const {
  std::vector<std::string> problems;
  for (const Status& e : errors_) problems.push_back(e.message());

  std::map<std::string, NodeId> by_name;
  auto definition = std::make_shared<TopologyDefinition>();
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    const NodeSpec& node = nodes_[id];
    if (auto [it, inserted] = by_name.emplace(node.name, id); !inserted) {
      problems.push_back("duplicate processor name '" + node.name + "'");
    }
    if (node.kind == NodeKind::kSource) {
      for (const auto& topic : node.topics) {
        auto [it, inserted] = definition->source_by_topic.emplace(topic, id);
        if (!inserted) {
          problems.push_back("topic '" + topic + "' is read by two sources: '" +
                             nodes_[it->second].name + "' and '" + node.name + "'");
        }
      }
    }
  }
  for (const auto& [topic, store] : global_tables_) {
    if (definition->source_by_topic.contains(topic) ||
        !definition->global_store_by_topic.emplace(topic, store).second) {
      problems.push_back("topic '" + topic + "' of global table '" + store +
                         "' is read by another source");
    }
  }
  if (definition->source_by_topic.empty() && definition->global_store_by_topic.empty() &&
      problems.empty()) {
    problems.emplace_back("topology has no source; add one with StreamsBuilder::stream()");
  }
  if (!problems.empty()) {
    std::string message =
        problems.size() == 1
            ? "invalid topology: "
            : "invalid topology (" + std::to_string(problems.size()) + " problems): ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      if (i > 0) message += "; ";
      message += problems[i];
    }
    return topology_error(std::move(message));
  }

  definition->nodes = nodes_;
  for (const StoreSpec& store : stores_) definition->stores.emplace(store.name, store);
  for (const NodeSpec& node : nodes_) {
    if (node.kind == NodeKind::kSink && node.internal_topic) {
      definition->repartition_topics.emplace(node.topics.front(), node.partitions);
    }
  }
  definition->subtopology_of = connected_components(nodes_);
  int count = 0;
  for (int c : definition->subtopology_of) count = std::max(count, c + 1);
  definition->subtopologies.resize(static_cast<std::size_t>(count));
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    definition->subtopologies[static_cast<std::size_t>(definition->subtopology_of[id])].push_back(
        id);
  }
  definition->stores_of_subtopology.resize(definition->subtopologies.size());
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    auto& stores =
        definition->stores_of_subtopology[static_cast<std::size_t>(definition->subtopology_of[id])];
    for (const auto& store : nodes_[id].stores) {
      if (std::find(stores.begin(), stores.end(), store) == stores.end()) stores.push_back(store);
    }
  }
  return TopologyAccess::make(std::move(definition));
}

}  // namespace kstreams::internal
