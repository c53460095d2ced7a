// Internal: the processors of `KStream::join` / `left_join` with a KTable or a GlobalKTable.
// Not API.
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

/// The joined value of a record and the row it found (nullopt: none): `joiner(value, row)`; with
/// no row, `joiner(value, nullopt)` in a left join (the joiner takes a `const std::optional<VT>&`),
/// nothing in an inner one.
template <class VR, bool kLeft, class F, class K, class V, class VT>
std::optional<VR> join_values(F& joiner, const K& key, const V& value, std::optional<VT> row) {
  if constexpr (kLeft) {
    return invoke_joiner(joiner, key, value, row);
  } else {
    if (!row) return std::nullopt;
    return invoke_joiner(joiner, key, value, *row);
  }
}

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
      return join_values<VR, kLeft>(joiner_, record.key, record.value, std::move(other));
    });
    if (joined && *joined) this->forward(std::move(record).with_value(std::move(**joined)));
  }

 private:
  TimestampedStore<K, VT> table_;
  F joiner_;
};

/// `KStream::join` / `left_join` with a GlobalKTable: `key_mapper(key, value)` (or
/// `key_mapper(value)`) picks the row of the global table (a full copy on every instance, so no
/// co-partitioning is needed). As Kafka Streams 3.9 (KStreamKTableJoinProcessor): a record with a
/// null value is dropped (here without calling the key mapper); one whose mapped key is null is
/// dropped, except by a left join when the record's own key is null (KIP-962): that one joins with
/// no row.
template <class K, class V, class KG, class VG, class VR, class M, class F, bool kLeft>
class StreamGlobalTableJoinNode final : public ProcessorNode<K, V, K, VR> {
 public:
  StreamGlobalTableJoinNode(std::string name, std::string store, Serde<KG> key_serde,
                            Serde<VG> value_serde, M key_mapper, F joiner)
      : ProcessorNode<K, V, K, VR>(std::move(name)),
        store_(std::move(store)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)),
        key_mapper_(std::move(key_mapper)),
        joiner_(std::move(joiner)) {}

  void init(TaskContext& ctx) override {
    Node::init(ctx);
    global_ = ctx.global_store(store_);
    if (global_ == nullptr) {
      throw ProcessingAbort(topology_error("node '" + this->name() + "': '" + store_ +
                                           "' is not a global table store of this topology"));
    }
  }

  void process(Record<K, V>&& record) override {
    if (is_null(record.value)) return;
    auto joined = guarded(this->ctx(), this->name(), [&]() -> std::optional<VR> {
      const KG mapped = invoke_on(key_mapper_, record.key, record.value);
      const bool no_row_key = is_null(mapped);
      if (no_row_key && !(kLeft && is_null(record.key))) return std::nullopt;
      std::optional<VG> row;
      if (!no_row_key) row = lookup(mapped);
      return join_values<VR, kLeft>(joiner_, record.key, record.value, std::move(row));
    });
    if (joined && *joined) this->forward(std::move(record).with_value(std::move(**joined)));
  }

 private:
  // The row under `key`; a serde failure goes to the processing handler, a store failure fails
  // the task.
  std::optional<VG> lookup(const KG& key) {
    if (Status s = key_serde_.serialize(key, key_bytes_); !s.ok() || !key_bytes_) {
      throw StreamsException((s.ok() ? serialization_error("key serialized as null") : s)
                                 .with_context("global table " + store_ + " key"));
    }
    Result<NullableBytes> bytes = global_->get(*key_bytes_);
    if (!bytes.ok()) throw ProcessingAbort(bytes.status().with_context(this->name()));
    if (!bytes->has_value()) return std::nullopt;
    auto split = split_timestamp(**bytes);  // global stores keep the record's timestamp in front
    if (!split) {
      throw ProcessingAbort(Status(StatusCode::kTaskCorrupted,
                                   "global table " + store_ + ": value without timestamp"));
    }
    Result<VG> value = value_serde_.deserialize(split->second);
    if (!value.ok()) {
      throw StreamsException(value.status().with_context("global table " + store_ + " value"));
    }
    return std::move(value).value();
  }

  std::string store_;
  Serde<KG> key_serde_;
  Serde<VG> value_serde_;
  M key_mapper_;
  F joiner_;
  NullableBytes key_bytes_;
  GlobalStoreReader* global_ = nullptr;  // the task's, from init
};

}  // namespace kstreams::internal
