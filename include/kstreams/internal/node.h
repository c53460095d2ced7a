// Internal: the processing nodes a task is made of, and the typed edges between them. Not API.
//
// A task owns one instance of every node of its sub-topologies. Records travel between nodes as
// typed `Record<K, V>` values through `Input<K, V>::process`: one virtual call per node per
// record, no serialization and no boxing. The graph is wired once, at task creation, through the
// type-erased `Node::add_child`, which checks that the child accepts the parent's record type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/internal/task_context.h>
#include <kstreams/internal/type_name.h>
#include <kstreams/record.h>
#include <kstreams/status.h>

namespace kstreams::internal {

/// Base of every node. Not thread-safe: a node belongs to one task, used by one thread.
class Node {
 public:
  explicit Node(std::string name) : name_(std::move(name)) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node() = default;

  [[nodiscard]] const std::string& name() const { return name_; }

  /// Called once before the first record. Overrides must call Node::init.
  virtual void init(TaskContext& ctx) { ctx_ = &ctx; }
  /// Called once when the task closes.
  virtual void close() {}
  /// Connects `child` downstream of this node. Fails when this node has no output or the child
  /// does not accept this node's output type.
  virtual Status add_child(Node& child) {
    return topology_error("node '" + name_ + "' has no output, cannot connect '" + child.name() +
                          "'");
  }

 protected:
  [[nodiscard]] TaskContext& ctx() const { return *ctx_; }

 private:
  std::string name_;
  TaskContext* ctx_ = nullptr;
};

/// A node that accepts records of type (K, V).
template <class K, class V>
class Input : public Node {
 public:
  using Node::Node;
  virtual void process(Record<K, V>&& record) = 0;
};

/// The children of a node whose output type is (K, V), and forwarding to them.
template <class K, class V>
class Forwarder {
 public:
  Status add(Node& parent, Node& child) {
    auto* input = dynamic_cast<Input<K, V>*>(&child);
    if (input == nullptr) {
      return topology_error("node '" + child.name() + "' does not accept the output of '" +
                            parent.name() + "' (" + std::string(type_name<K>()) + ", " +
                            std::string(type_name<V>()) + ")");
    }
    children_.push_back(input);
    return {};
  }

  /// Sends `record` to every child (copies for all but the last).
  void forward(Record<K, V>&& record) {
    const std::size_t n = children_.size();
    if (n == 0) return;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      Record<K, V> copy = record;
      children_[i]->process(std::move(copy));
    }
    children_[n - 1]->process(std::move(record));
  }

  /// Sends `record` to the child named `child`; false when there is none.
  bool forward_to(std::string_view child, Record<K, V>&& record) {
    for (Input<K, V>* c : children_) {
      if (c->name() == child) {
        c->process(std::move(record));
        return true;
      }
    }
    return false;
  }

  /// Sends `record` to the child at `index` (in the order children were added).
  void forward_to(std::size_t index, Record<K, V>&& record) {
    children_[index]->process(std::move(record));
  }

  [[nodiscard]] std::size_t size() const { return children_.size(); }

 private:
  std::vector<Input<K, V>*> children_;
};

/// A processor node: consumes (KIn, VIn), emits (KOut, VOut).
template <class KIn, class VIn, class KOut, class VOut>
class ProcessorNode : public Input<KIn, VIn> {
 public:
  using Input<KIn, VIn>::Input;
  Status add_child(Node& child) override { return out_.add(*this, child); }

 protected:
  void forward(Record<KOut, VOut>&& record) { out_.forward(std::move(record)); }
  Forwarder<KOut, VOut>& output() { return out_; }

 private:
  Forwarder<KOut, VOut> out_;
};

/// An input record as bytes, as read from a topic. Views are valid during `process_source`.
struct SourceRecord {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp = 0;
  NullableByteView key;
  NullableByteView value;
  Headers headers;
};

/// A source: deserializes records of its topics and forwards them.
class SourceNodeBase : public Node {
 public:
  using Node::Node;
  /// Deserializes and processes one record. ProcessingAbort propagates to the task.
  virtual void process_source(const SourceRecord& record) = 0;
};

}  // namespace kstreams::internal
