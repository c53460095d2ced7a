#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>

#include <kstreams/topology.h>

#include "src/topology/topology_definition.h"

namespace kstreams {
namespace {

using internal::NodeId;
using internal::NodeKind;
using internal::NodeSpec;

// Kafka Streams orders nodes by the size of their sub-tree (largest first), then by name; a
// node's size is 1 plus the sizes of its successors.
std::vector<std::size_t> subtree_sizes(const std::vector<NodeSpec>& nodes) {
  std::vector<std::size_t> size(nodes.size(), 0);
  // Children always have larger ids than their parents, so a reverse sweep sees children first.
  for (NodeId id = nodes.size(); id-- > 0;) {
    size[id] = 1;
    for (NodeId child : nodes[id].children) size[id] += size[child];
  }
  return size;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

TopologyDescription Topology::describe() const {
  const auto& def = *definition_;
  const std::vector<std::size_t> size = subtree_sizes(def.nodes);
  auto by_kafka_order = [&](NodeId a, NodeId b) {
    if (size[a] != size[b]) return size[a] > size[b];
    return def.nodes[a].name < def.nodes[b].name;
  };
  auto names = [&](std::vector<NodeId> ids) {
    std::sort(ids.begin(), ids.end(), by_kafka_order);
    std::vector<std::string> out;
    for (NodeId id : ids) out.push_back(def.nodes[id].name);
    return out;
  };

  std::vector<TopologyDescription::Subtopology> subtopologies;
  for (std::size_t s = 0; s < def.subtopologies.size(); ++s) {
    std::vector<NodeId> ids = def.subtopologies[s];
    std::sort(ids.begin(), ids.end(), by_kafka_order);
    TopologyDescription::Subtopology sub;
    sub.id = static_cast<int>(s);
    for (NodeId id : ids) {
      const NodeSpec& spec = def.nodes[id];
      TopologyDescription::Node node;
      node.kind = spec.kind == NodeKind::kSource ? TopologyDescription::NodeKind::kSource
                  : spec.kind == NodeKind::kSink ? TopologyDescription::NodeKind::kSink
                                                 : TopologyDescription::NodeKind::kProcessor;
      node.name = spec.name;
      node.topics = spec.topics;
      node.topic_extractor = spec.topic_extractor;
      node.stores = spec.stores;
      node.predecessors = names(spec.parents);
      node.successors = names(spec.children);
      sub.nodes.push_back(std::move(node));
    }
    subtopologies.push_back(std::move(sub));
  }
  return TopologyDescription(std::move(subtopologies));
}

std::vector<std::string> Topology::source_topics() const {
  std::vector<std::string> topics;
  for (const auto& [topic, node] : definition_->source_by_topic) topics.push_back(topic);
  return topics;
}

std::vector<std::string> Topology::sink_topics() const {
  std::set<std::string> topics;
  for (const auto& node : definition_->nodes) {
    if (node.kind == NodeKind::kSink && node.topic_extractor.empty()) {
      topics.insert(node.topics.begin(), node.topics.end());
    }
  }
  return {topics.begin(), topics.end()};
}

std::string TopologyDescription::to_string() const {
  std::ostringstream os;
  os << "Topologies:\n";
  for (const auto& sub : subtopologies_) {
    os << "   Sub-topology: " << sub.id << "\n";
    for (const auto& node : sub.nodes) {
      const std::string successors = node.successors.empty() ? "none" : join(node.successors, ", ");
      const std::string predecessors =
          node.predecessors.empty() ? "none" : join(node.predecessors, ", ");
      switch (node.kind) {
        case NodeKind::kSource:
          os << "    Source: " << node.name << " (topics: [" << join(node.topics, ", ")
             << "])\n      --> " << successors << "\n";
          break;
        case NodeKind::kProcessor:
          os << "    Processor: " << node.name << " (stores: [" << join(node.stores, ", ")
             << "])\n      --> " << successors << "\n      <-- " << predecessors << "\n";
          break;
        case NodeKind::kSink:
          if (node.topic_extractor.empty()) {
            os << "    Sink: " << node.name << " (topic: " << join(node.topics, ", ") << ")";
          } else {
            os << "    Sink: " << node.name << " (extractor: " << node.topic_extractor << ")";
          }
          os << "\n      <-- " << predecessors << "\n";
          break;
      }
    }
    os << "\n";
  }
  return os.str();
}

std::string TopologyDescription::to_dot() const {
  std::ostringstream os;
  os << "digraph topology {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  std::set<std::string> topics;
  for (const auto& sub : subtopologies_) {
    os << "  subgraph cluster_" << sub.id << " {\n    label=\"Sub-topology " << sub.id << "\";\n";
    for (const auto& node : sub.nodes) {
      const char* shape = node.kind == NodeKind::kProcessor ? "box" : "box, style=rounded";
      os << "    " << quoted(node.name) << " [shape=" << shape << "];\n";
    }
    os << "  }\n";
    for (const auto& node : sub.nodes) {
      for (const auto& succ : node.successors) {
        os << "  " << quoted(node.name) << " -> " << quoted(succ) << ";\n";
      }
      for (const auto& topic : node.topics) {
        topics.insert(topic);
        if (node.kind == NodeKind::kSource) {
          os << "  " << quoted("topic:" + topic) << " -> " << quoted(node.name) << ";\n";
        } else {
          os << "  " << quoted(node.name) << " -> " << quoted("topic:" + topic) << ";\n";
        }
      }
    }
  }
  for (const auto& topic : topics) {
    os << "  " << quoted("topic:" + topic) << " [shape=ellipse, label=" << quoted(topic) << "];\n";
  }
  os << "}\n";
  return os.str();
}

std::string TopologyDescription::to_mermaid() const {
  // Mermaid ids may not contain '-' or '.'; map every node and topic to a short id.
  std::map<std::string, std::string> ids;
  auto id_of = [&](const std::string& key) {
    auto [it, inserted] = ids.emplace(key, "n" + std::to_string(ids.size()));
    return it->second;
  };
  std::ostringstream os;
  os << "flowchart LR\n";
  for (const auto& sub : subtopologies_) {
    os << "  subgraph sub" << sub.id << "[\"Sub-topology " << sub.id << "\"]\n";
    for (const auto& node : sub.nodes) {
      os << "    " << id_of("node:" + node.name) << "[\"" << node.name << "\"]\n";
    }
    os << "  end\n";
  }
  for (const auto& sub : subtopologies_) {
    for (const auto& node : sub.nodes) {
      for (const auto& succ : node.successors) {
        os << "  " << id_of("node:" + node.name) << " --> " << id_of("node:" + succ) << "\n";
      }
      for (const auto& topic : node.topics) {
        const std::string t = id_of("topic:" + topic);
        if (node.kind == NodeKind::kSource) {
          os << "  " << t << "([\"" << topic << "\"]) --> " << id_of("node:" + node.name) << "\n";
        } else {
          os << "  " << id_of("node:" + node.name) << " --> " << t << "([\"" << topic << "\"])\n";
        }
      }
    }
  }
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const TopologyDescription& description) {
  return os << description.to_string();
}

}  // namespace kstreams
