// Internal: the processor of `KStream::join` / `left_join` with a KTable. Not API.
//
// Each stream record looks its key up in the table's store, in the task that owns both (the
// stream and the table's input are co-partitioned, so one task has partition p of each), and is
// joined with what the table holds at that moment. Table updates join nothing. As Kafka Streams'
// KStreamKTableJoinProcessor (3.9): a record with a null value is dropped, and so is one with a
// null key, except in a left join (KIP-962), where it joins with no table value.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <kstreams/internal/callables.h>
#include <kstreams/internal/node.h>
#include <kstreams/internal/stateful_nodes.h>
#include <kstreams/internal/task_context.h>

namespace kstreams::internal {

/// `kLeft`: a record whose key is not in the table is joined with nullopt (the joiner takes a
/// `const std::optional<VT>&`); otherwise it is dropped.
template <class K, class V, class VT, class VR, class F, bool kLeft>
class StreamTableJoinNode final : public ProcessorNode<K, V, K, VR> {
 public:
  StreamTableJoinNode(std::string name, TimestampedStore<K, VT> table, F joiner)
      : ProcessorNode<K, V, K, VR>(std::move(name)),
        table_(std::move(table)),
        joiner_(std::move(joiner)) {}

  void init(TaskContext& ctx) override {
    Node::init(ctx);
    table_.init(ctx, this->name());
  }

  void process(Record<K, V>&& record) override {
    if (is_null(record.value)) return;
    const bool keyless = is_null(record.key);
    if (keyless && !kLeft) return;
    auto joined = guarded(this->ctx(), this->name(), [&]() -> std::optional<VR> {
      std::optional<VT> other;
      if (!keyless) {
        if (auto row = table_.get(table_.key_bytes(record.key))) other = std::move(row->value);
      }
      if constexpr (kLeft) {
        return invoke_joiner(joiner_, record.key, record.value, other);
      } else {
        if (!other) return std::nullopt;
        return invoke_joiner(joiner_, record.key, record.value, *other);
      }
    });
    if (joined && *joined) this->forward(std::move(record).with_value(std::move(**joined)));
  }

 private:
  TimestampedStore<K, VT> table_;
  F joiner_;
};

}  // namespace kstreams::internal
