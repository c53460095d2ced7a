// Internal: the typed nodes of tables and aggregations. Each keeps its state in a timestamped
// store (value + timestamp of the record that wrote it) and emits `Change<V>` updates: at once
// when the store is not cached, or when the record cache flushes (at commit, or when full) —
// Kafka Streams' semantics. Semantics per node follow Kafka Streams 3.9 (KTableSource,
// KTableFilter, KTableMapValues, KStreamAggregate/Reduce, KTableRepartitionMap,
// KTableAggregate/Reduce). Not API.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <kstreams/errors.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/internal/callables.h>
#include <kstreams/internal/change.h>
#include <kstreams/internal/node.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>
#include <kstreams/state/key_value_store.h>

namespace kstreams::internal {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// True for a null (nullopt) key or value of a nullable type: Kafka Streams' null, which
/// tables and aggregations drop (KTableSource: null keys; KStreamAggregate/Reduce: null keys
/// and null values) instead of storing.
template <class T>
bool is_null(const T& v) {
  if constexpr (IsOptional<T>::value) {
    return !v.has_value();
  } else {
    static_cast<void>(v);
    return false;
  }
}

/// A node's typed access to its timestamped store. A failing store aborts the task
/// (ProcessingAbort); a value its serde cannot handle throws StreamsException (kSerialization),
/// which reaches the processing exception handler.
template <class K, class V>
class TimestampedStore {
 public:
  TimestampedStore(std::string store_name, Serde<K> key_serde, Serde<V> value_serde)
      : name_(std::move(store_name)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  void init(TaskContext& ctx, const std::string& node) {
    store_ = ctx.state_store(node, name_);
    if (store_ == nullptr) {
      throw ProcessingAbort(
          topology_error("node '" + node + "' is not connected to state store '" + name_ + "'"));
    }
  }
  [[nodiscard]] const std::string& name() const { return name_; }

  /// Serializes `key` into this store's key buffer and returns it.
  const Bytes& key_bytes(const K& key) {
    if (Status s = key_serde_.serialize(key, key_); !s.ok()) throw_error(s.with_context("key"));
    if (!key_) throw_error(invalid_argument("a store key cannot be null"));
    return *key_;
  }
  std::optional<ValueAndTimestamp<V>> get(ByteView key) {
    Result<NullableBytes> bytes = store_->get(key);
    if (!bytes.ok()) throw ProcessingAbort(bytes.status().with_context("state store " + name_));
    if (!bytes->has_value()) return std::nullopt;
    return decode(**bytes);
  }
  /// Writes `value` (null: delete) with `timestamp`.
  void put(ByteView key, const std::optional<V>* value, std::int64_t timestamp,
           const Headers& headers) {
    context_.timestamp = timestamp;
    context_.headers = headers;
    Status s;
    if (value == nullptr || !value->has_value()) {
      s = store_->put(key, std::nullopt, context_);
    } else {
      NullableBytes bytes;
      if (Status e = value_serde_.serialize(**value, bytes); !e.ok() || !bytes) {
        throw_error(e.ok() ? serialization_error("value serialized as null") : e);
      }
      s = store_->put(key, ByteView(with_timestamp(timestamp, *bytes)), context_);
    }
    if (!s.ok()) throw ProcessingAbort(s.with_context("state store " + name_));
  }
  /// Asks the store to call `emit(Record<K, Change<V>>)` for every entry its cache flushes.
  /// False when the store does not cache: then the node emits its own updates.
  template <class Emit>
  bool forward_on_flush(Emit emit) {
    return store_->set_flush_listener([this, emit](ByteView key, NullableByteView new_value,
                                                   NullableByteView old_value,
                                                   const WriteContext& context) mutable {
      Result<K> k = key_serde_.deserialize(key);
      if (!k.ok()) throw ProcessingAbort(k.status().with_context("state store " + name_));
      Change<V> change;
      std::int64_t timestamp = context.timestamp;
      if (new_value) {
        ValueAndTimestamp<V> v = decode(*new_value);
        timestamp = v.timestamp;
        change.new_value = std::move(v.value);
      }
      if (old_value) change.old_value = decode(*old_value).value;
      emit(Record<K, Change<V>>{std::move(k).value(), std::move(change), timestamp,
                                context.headers});
    });
  }

 private:
  ValueAndTimestamp<V> decode(ByteView bytes) {
    auto split = split_timestamp(bytes);
    if (!split)
      throw ProcessingAbort(
          Status(StatusCode::kTaskCorrupted, "state store " + name_ + ": value without timestamp"));
    Result<V> v = value_serde_.deserialize(split->second);
    if (!v.ok()) throw_error(v.status().with_context("value"));
    return ValueAndTimestamp<V>{std::move(v).value(), split->first};
  }
  [[noreturn]] void throw_error(const Status& s) const {
    throw StreamsException(s.with_context("state store " + name_));
  }

  std::string name_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
  BytesKeyValueStore* store_ = nullptr;
  NullableBytes key_;
  WriteContext context_;
};

/// Base of the nodes that own a timestamped store and emit its changes.
template <class KIn, class VIn, class K, class V>
class MaterializingNode : public ProcessorNode<KIn, VIn, K, Change<V>> {
 public:
  MaterializingNode(std::string name, TimestampedStore<K, V> store)
      : ProcessorNode<KIn, VIn, K, Change<V>>(std::move(name)), store_(std::move(store)) {}

  void init(TaskContext& ctx) override {
    Node::init(ctx);
    store_.init(ctx, this->name());
    cached_ = store_.forward_on_flush(
        [this](Record<K, Change<V>>&& record) { this->forward(std::move(record)); });
  }

 protected:
  /// Stores `new_value` under `key` and emits the change (now, or when the cache flushes).
  void update(const K& key, ByteView key_bytes, std::optional<V> new_value,
              std::optional<V> old_value, std::int64_t timestamp, const Headers& headers) {
    store_.put(key_bytes, &new_value, timestamp, headers);
    if (cached_) return;
    this->forward(Record<K, Change<V>>{key, Change<V>{std::move(new_value), std::move(old_value)},
                                       timestamp, headers});
  }
  TimestampedStore<K, V>& store() { return store_; }
  /// Whether the store caches: its flushes emit the changes.
  [[nodiscard]] bool cached() const { return cached_; }

 private:
  TimestampedStore<K, V> store_;
  bool cached_ = false;
};

/// builder.table / KStream::to_table: the latest value per key. `VIn` is V (to_table) or
/// std::optional<V> (a table source, where a null value is a tombstone).
template <class K, class VIn, class V>
class TableSourceNode final : public MaterializingNode<K, VIn, K, V> {
 public:
  using MaterializingNode<K, VIn, K, V>::MaterializingNode;

  void process(Record<K, VIn>&& record) override {
    // Kafka Streams (KTableSource) drops a record with a null key; a null value is a delete,
    // also for to_table of a stream of std::optional values.
    if (is_null(record.key)) return;
    std::optional<V> value;
    if (!is_null(record.value)) value = std::move(record.value);
    auto done = guarded(this->ctx(), this->name(), [&] {
      const Bytes& key = this->store().key_bytes(record.key);
      std::optional<ValueAndTimestamp<V>> old = this->store().get(key);
      // Deleting a key that is not there: Kafka Streams' caching store drops it at the flush
      // (no changelog write, nothing forwarded); without a cache KTableSource writes the delete
      // and forwards it (a null-to-null change: to_stream emits a tombstone). The same here.
      if (!value && !old && this->cached()) return;
      std::optional<V> old_value;
      if (old) old_value = std::move(old->value);
      this->update(record.key, key, std::move(value), std::move(old_value), record.timestamp,
                   record.headers);
    });
    static_cast<void>(done);
  }
};

/// KTable::filter / filter_not: a value that fails the predicate becomes a delete.
template <class K, class V, class F, bool kNegate>
class TableFilterNode final : public ProcessorNode<K, Change<V>, K, Change<V>> {
 public:
  TableFilterNode(std::string name, F predicate)
      : ProcessorNode<K, Change<V>, K, Change<V>>(std::move(name)),
        predicate_(std::move(predicate)) {}

  void process(Record<K, Change<V>>&& record) override {
    auto filtered = guarded(this->ctx(), this->name(), [&] {
      Change<V> out;
      if (record.value.new_value && keep(record.key, *record.value.new_value)) {
        out.new_value = std::move(record.value.new_value);
      }
      if (record.value.old_value && keep(record.key, *record.value.old_value)) {
        out.old_value = std::move(record.value.old_value);
      }
      return out;
    });
    // Neither value passes: nothing to say downstream (the key was not in the filtered table
    // and is not now). Kafka Streams' KTableFilter does the same when its parent sends old
    // values (a materialized parent: every kstreams table); a tombstone here would delete a key
    // the filtered table never had.
    if (!filtered || (!filtered->new_value && !filtered->old_value)) return;
    this->forward(std::move(record).with_value(std::move(*filtered)));
  }

 private:
  bool keep(const K& key, const V& value) {
    return static_cast<bool>(invoke_on(predicate_, key, value)) != kNegate;
  }
  F predicate_;
};

/// KTable::map_values: both the new and the old value are mapped.
template <class K, class V, class V2, class F>
class TableMapValuesNode final : public ProcessorNode<K, Change<V>, K, Change<V2>> {
 public:
  TableMapValuesNode(std::string name, F mapper)
      : ProcessorNode<K, Change<V>, K, Change<V2>>(std::move(name)), mapper_(std::move(mapper)) {}

  void process(Record<K, Change<V>>&& record) override {
    auto mapped = guarded(this->ctx(), this->name(), [&] {
      Change<V2> out;
      if (record.value.new_value) {
        out.new_value = V2(invoke_on(mapper_, record.key, *record.value.new_value));
      }
      if (record.value.old_value) {
        out.old_value = V2(invoke_on(mapper_, record.key, *record.value.old_value));
      }
      return out;
    });
    if (!mapped) return;
    this->forward(std::move(record).with_value(std::move(*mapped)));
  }

 private:
  F mapper_;
};

/// KTable::to_stream: each update as a record; a delete is a null value.
template <class K, class V>
class TableToStreamNode final : public ProcessorNode<K, Change<V>, K, std::optional<V>> {
 public:
  using ProcessorNode<K, Change<V>, K, std::optional<V>>::ProcessorNode;
  void process(Record<K, Change<V>>&& record) override {
    std::optional<V> value = std::move(record.value.new_value);
    this->forward(std::move(record).with_value(std::move(value)));
  }
};

/// KGroupedStream::aggregate (count is an aggregate): aggregate = aggregator(key, value,
/// previous aggregate or initializer()); timestamp = max(record, previous).
template <class K, class V, class VA, class Init, class Agg>
class StreamAggregateNode final : public MaterializingNode<K, V, K, VA> {
 public:
  StreamAggregateNode(std::string name, TimestampedStore<K, VA> store, Init init, Agg aggregator)
      : MaterializingNode<K, V, K, VA>(std::move(name), std::move(store)),
        init_(std::move(init)),
        aggregator_(std::move(aggregator)) {}

  void process(Record<K, V>&& record) override {
    // Kafka Streams (KStreamAggregate) skips a record with a null key or value.
    if (is_null(record.key) || is_null(record.value)) return;
    auto done = guarded(this->ctx(), this->name(), [&] {
      const Bytes& key = this->store().key_bytes(record.key);
      std::optional<ValueAndTimestamp<VA>> old = this->store().get(key);
      std::int64_t timestamp = record.timestamp;
      std::optional<VA> old_value;
      if (old) {
        timestamp = std::max(timestamp, old->timestamp);
        old_value = std::move(old->value);
      }
      VA current = old_value ? *old_value : VA(init_());
      std::optional<VA> new_value(VA(aggregator_(record.key, record.value, std::move(current))));
      this->update(record.key, key, std::move(new_value), std::move(old_value), timestamp,
                   record.headers);
    });
    static_cast<void>(done);
  }

 private:
  Init init_;
  Agg aggregator_;
};

/// KGroupedStream::reduce: the first value, then reducer(aggregate, value).
template <class K, class V, class Red>
class StreamReduceNode final : public MaterializingNode<K, V, K, V> {
 public:
  StreamReduceNode(std::string name, TimestampedStore<K, V> store, Red reducer)
      : MaterializingNode<K, V, K, V>(std::move(name), std::move(store)),
        reducer_(std::move(reducer)) {}

  void process(Record<K, V>&& record) override {
    // Kafka Streams (KStreamReduce) skips a record with a null key or value.
    if (is_null(record.key) || is_null(record.value)) return;
    auto done = guarded(this->ctx(), this->name(), [&] {
      const Bytes& key = this->store().key_bytes(record.key);
      std::optional<ValueAndTimestamp<V>> old = this->store().get(key);
      std::int64_t timestamp = record.timestamp;
      std::optional<V> old_value;
      std::optional<V> new_value;
      if (old) {
        timestamp = std::max(timestamp, old->timestamp);
        old_value = std::move(old->value);
        new_value = V(reducer_(*old_value, record.value));
      } else {
        new_value = record.value;
      }
      this->update(record.key, key, std::move(new_value), std::move(old_value), timestamp,
                   record.headers);
    });
    static_cast<void>(done);
  }

 private:
  Red reducer_;
};

/// KTable::group_by: re-keys each update with `selector(key, value) -> KeyValue<K2, V2>`. An
/// update whose old and new values map to the same key travels as one change; otherwise the old
/// value is retracted from its group and the new one added to its own (Kafka 3.5+, KIP-904).
template <class K, class V, class K2, class V2, class F>
class TableRepartitionMapNode final : public ProcessorNode<K, Change<V>, K2, Change<V2>> {
 public:
  TableRepartitionMapNode(std::string name, F selector)
      : ProcessorNode<K, Change<V>, K2, Change<V2>>(std::move(name)),
        selector_(std::move(selector)) {}

  void process(Record<K, Change<V>>&& record) override {
    using Pair = std::optional<std::pair<K2, V2>>;
    auto pairs = guarded(this->ctx(), this->name(), [&] {
      Pair new_pair;
      Pair old_pair;
      if (record.value.new_value) new_pair = select(record.key, *record.value.new_value);
      if (record.value.old_value) old_pair = select(record.key, *record.value.old_value);
      return std::make_pair(std::move(new_pair), std::move(old_pair));
    });
    if (!pairs) return;
    auto& [new_pair, old_pair] = *pairs;
    if (new_pair && old_pair && new_pair->first == old_pair->first) {
      this->forward(Record<K2, Change<V2>>{
          std::move(new_pair->first),
          Change<V2>{std::move(new_pair->second), std::move(old_pair->second)}, record.timestamp,
          record.headers});
      return;
    }
    if (old_pair) {
      this->forward(Record<K2, Change<V2>>{std::move(old_pair->first),
                                           Change<V2>{std::nullopt, std::move(old_pair->second)},
                                           record.timestamp, record.headers});
    }
    if (new_pair) {
      this->forward(Record<K2, Change<V2>>{std::move(new_pair->first),
                                           Change<V2>{std::move(new_pair->second), std::nullopt},
                                           record.timestamp, record.headers});
    }
  }

 private:
  std::pair<K2, V2> select(const K& key, const V& value) {
    auto kv = selector_(key, value);
    return {K2(kv_key(std::move(kv))), V2(kv_value(std::move(kv)))};
  }
  F selector_;
};

/// KGroupedTable::aggregate (count and reduce too): subtract the old value, then add the new.
/// `Sub` and `Add` take (key, value, aggregate) and return the new aggregate; with kReduce they
/// take (aggregate, value) and the first value starts the aggregate.
template <class K, class V, class VA, class Init, class Add, class Sub, bool kReduce>
class TableAggregateNode final : public MaterializingNode<K, Change<V>, K, VA> {
 public:
  TableAggregateNode(std::string name, TimestampedStore<K, VA> store, Init init, Add adder,
                     Sub subtractor)
      : MaterializingNode<K, Change<V>, K, VA>(std::move(name), std::move(store)),
        init_(std::move(init)),
        adder_(std::move(adder)),
        subtractor_(std::move(subtractor)) {}

  void process(Record<K, Change<V>>&& record) override {
    auto done = guarded(this->ctx(), this->name(), [&] {
      const Bytes& key = this->store().key_bytes(record.key);
      std::optional<ValueAndTimestamp<VA>> old = this->store().get(key);
      std::optional<VA> old_agg;
      std::int64_t timestamp = record.timestamp;
      if (old) {
        timestamp = std::max(timestamp, old->timestamp);
        old_agg = std::move(old->value);
      }
      std::optional<VA> agg = old_agg;
      if (record.value.old_value && agg) {
        if constexpr (kReduce) {
          agg = VA(subtractor_(*agg, *record.value.old_value));
        } else {
          agg = VA(subtractor_(record.key, *record.value.old_value, *agg));
        }
      }
      if (record.value.new_value) {
        if constexpr (kReduce) {
          agg = agg ? VA(adder_(*agg, *record.value.new_value)) : VA(*record.value.new_value);
        } else {
          VA start = agg ? *agg : VA(init_());
          agg = VA(adder_(record.key, *record.value.new_value, std::move(start)));
        }
      }
      if (!agg && !old_agg) return;
      this->update(record.key, key, std::move(agg), std::move(old_agg), timestamp, record.headers);
    });
    static_cast<void>(done);
  }

 private:
  Init init_;
  Add adder_;
  Sub subtractor_;
};

}  // namespace kstreams::internal
