// Internal: the typed nodes of the stateless operators. Each captures the user's function by
// value and forwards typed records; exceptions thrown by the user's function go to the processing
// handler through `guarded`. Not API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include <kstreams/internal/callables.h>
#include <kstreams/internal/node.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>

namespace kstreams::internal {

template <class K, class V, class F, bool kNegate>
class FilterNode final : public ProcessorNode<K, V, K, V> {
 public:
  FilterNode(std::string name, F predicate)
      : ProcessorNode<K, V, K, V>(std::move(name)), predicate_(std::move(predicate)) {}
  void process(Record<K, V>&& record) override {
    auto keep = guarded(this->ctx(), this->name(), [&]() -> bool {
      return static_cast<bool>(invoke_on(predicate_, record.key, record.value));
    });
    if (keep && *keep != kNegate) this->forward(std::move(record));
  }

 private:
  F predicate_;
};

template <class K, class V, class V2, class F>
class MapValuesNode final : public ProcessorNode<K, V, K, V2> {
 public:
  MapValuesNode(std::string name, F mapper)
      : ProcessorNode<K, V, K, V2>(std::move(name)), mapper_(std::move(mapper)) {}
  void process(Record<K, V>&& record) override {
    auto value = guarded(this->ctx(), this->name(),
                         [&]() -> V2 { return invoke_on(mapper_, record.key, record.value); });
    if (value) this->forward(std::move(record).with_value(std::move(*value)));
  }

 private:
  F mapper_;
};

template <class K, class V, class K2, class V2, class F>
class MapNode final : public ProcessorNode<K, V, K2, V2> {
 public:
  MapNode(std::string name, F mapper)
      : ProcessorNode<K, V, K2, V2>(std::move(name)), mapper_(std::move(mapper)) {}
  void process(Record<K, V>&& record) override {
    auto kv = guarded(this->ctx(), this->name(),
                      [&] { return invoke_on(mapper_, record.key, record.value); });
    if (!kv) return;
    this->forward(Record<K2, V2>{K2(kv_key(std::move(*kv))), V2(kv_value(std::move(*kv))),
                                 record.timestamp, std::move(record.headers)});
  }

 private:
  F mapper_;
};

template <class K, class V, class K2, class F>
class SelectKeyNode final : public ProcessorNode<K, V, K2, V> {
 public:
  SelectKeyNode(std::string name, F selector)
      : ProcessorNode<K, V, K2, V>(std::move(name)), selector_(std::move(selector)) {}
  void process(Record<K, V>&& record) override {
    auto key = guarded(this->ctx(), this->name(),
                       [&]() -> K2 { return invoke_on(selector_, record.key, record.value); });
    if (key) this->forward(std::move(record).with_key(std::move(*key)));
  }

 private:
  F selector_;
};

template <class K, class V, class V2, class F>
class FlatMapValuesNode final : public ProcessorNode<K, V, K, V2> {
 public:
  FlatMapValuesNode(std::string name, F mapper)
      : ProcessorNode<K, V, K, V2>(std::move(name)), mapper_(std::move(mapper)) {}
  void process(Record<K, V>&& record) override {
    auto values = guarded(this->ctx(), this->name(),
                          [&] { return invoke_on(mapper_, record.key, record.value); });
    if (!values) return;
    for (auto&& value : *values) {
      this->forward(Record<K, V2>{record.key, V2(std::forward<decltype(value)>(value)),
                                  record.timestamp, record.headers});
    }
  }

 private:
  F mapper_;
};

template <class K, class V, class K2, class V2, class F>
class FlatMapNode final : public ProcessorNode<K, V, K2, V2> {
 public:
  FlatMapNode(std::string name, F mapper)
      : ProcessorNode<K, V, K2, V2>(std::move(name)), mapper_(std::move(mapper)) {}
  void process(Record<K, V>&& record) override {
    auto pairs = guarded(this->ctx(), this->name(),
                         [&] { return invoke_on(mapper_, record.key, record.value); });
    if (!pairs) return;
    for (auto&& kv : *pairs) {
      this->forward(Record<K2, V2>{K2(kv_key(std::forward<decltype(kv)>(kv))),
                                   V2(kv_value(std::forward<decltype(kv)>(kv))), record.timestamp,
                                   record.headers});
    }
  }

 private:
  F mapper_;
};

/// peek (forwards) and foreach (terminal: has no children).
template <class K, class V, class F>
class PeekNode final : public ProcessorNode<K, V, K, V> {
 public:
  PeekNode(std::string name, F action)
      : ProcessorNode<K, V, K, V>(std::move(name)), action_(std::move(action)) {}
  void process(Record<K, V>&& record) override {
    const bool ok = guarded(this->ctx(), this->name(), [&] {
      static_cast<void>(invoke_on(action_, record.key, record.value));
    });
    if (ok) this->forward(std::move(record));
  }

 private:
  F action_;
};

/// Forwards every record unchanged: merge, and the named children of a split.
template <class K, class V>
class PassThroughNode final : public ProcessorNode<K, V, K, V> {
 public:
  using ProcessorNode<K, V, K, V>::ProcessorNode;
  void process(Record<K, V>&& record) override { this->forward(std::move(record)); }
};

/// split(): routes each record to the first branch whose predicate holds, else to the default
/// branch (the last child) if there is one, else drops it.
template <class K, class V>
class BranchNode final : public ProcessorNode<K, V, K, V> {
 public:
  using Predicate = std::function<bool(const K&, const V&)>;
  BranchNode(std::string name, std::vector<Predicate> predicates, bool has_default)
      : ProcessorNode<K, V, K, V>(std::move(name)),
        predicates_(std::move(predicates)),
        has_default_(has_default) {}
  void init(TaskContext& ctx) override {
    Node::init(ctx);
    // The split's predicates are shared with the builder, which may have added branches (or the
    // default branch) after this topology was built: only the branches wired here count.
    const std::size_t wired = this->output().size();
    if (predicates_.size() > wired) predicates_.resize(wired);
    has_default_ = has_default_ && wired > predicates_.size();
  }
  void process(Record<K, V>&& record) override {
    for (std::size_t i = 0; i < predicates_.size(); ++i) {
      auto match = guarded(this->ctx(), this->name(),
                           [&]() -> bool { return predicates_[i](record.key, record.value); });
      if (!match) return;
      if (*match) {
        this->output().forward_to(i, std::move(record));
        return;
      }
    }
    if (has_default_) this->output().forward_to(predicates_.size(), std::move(record));
  }

 private:
  std::vector<Predicate> predicates_;
  bool has_default_;
};

/// A source: deserializes key and value; a failure goes to the deserialization handler.
template <class K, class V>
class SourceNode final : public SourceNodeBase {
 public:
  SourceNode(std::string name, Serde<K> key_serde, Serde<V> value_serde)
      : SourceNodeBase(std::move(name)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  Status add_child(Node& child) override { return out_.add(*this, child); }

  void process_source(const SourceRecord& source) override {
    if constexpr (kReusesRecord) {
      process_reusing(source);
    } else {
      Result<K> key = key_serde_.deserialize(source.key);
      if (!key.ok()) {
        ctx().on_deserialization_error(name(), key.status().with_context("key"));
        return;
      }
      Result<V> value = value_serde_.deserialize(source.value);
      if (!value.ok()) {
        ctx().on_deserialization_error(name(), value.status().with_context("value"));
        return;
      }
      out_.forward(Record<K, V>{std::move(key).value(), std::move(value).value(), source.timestamp,
                                source.headers});
    }
  }

 private:
  // Key and value are read into one record that lives as long as the node, so a protobuf
  // message or a string reuses its storage from record to record instead of allocating anew.
  // Downstream nodes get it as an rvalue and may move from it; it is rewritten whole next time.
  static constexpr bool kReusesRecord =
      std::default_initializable<K> && std::default_initializable<V> &&
      std::is_move_assignable_v<K> && std::is_move_assignable_v<V>;

  void process_reusing(const SourceRecord& source) {
    if (Status s = key_serde_.deserialize_into(source.key, reused_.key); !s.ok()) {
      ctx().on_deserialization_error(name(), s.with_context("key"));
      return;
    }
    if (Status s = value_serde_.deserialize_into(source.value, reused_.value); !s.ok()) {
      ctx().on_deserialization_error(name(), s.with_context("value"));
      return;
    }
    reused_.timestamp = source.timestamp;
    reused_.headers = source.headers;
    // A source is only ever called by its task, one record at a time, so the record is free
    // again when forward returns (or throws).
    SourceValue& shared = ctx().source_value();
    if (ctx().forwards_source_bytes()) {
      shared = SourceValue{&reused_.value, source.value, value_serde_.round_trip_key()};
    }
    struct Clear {
      SourceValue& shared;
      ~Clear() { shared = SourceValue{}; }
    } clear{shared};
    out_.forward(std::move(reused_));
  }

  Serde<K> key_serde_;
  Serde<V> value_serde_;
  Forwarder<K, V> out_;
  struct Empty {};
  [[no_unique_address]] std::conditional_t<kReusesRecord, Record<K, V>, Empty> reused_;
};

/// A sink: serializes and hands the record to the task's collector. The topic is fixed, or
/// computed per record by a topic-name function (`TopicFn`, or std::nullptr_t for none).
template <class K, class V, class TopicFn>
class SinkNode final : public Input<K, V> {
 public:
  using Partitioner = std::function<std::optional<std::int32_t>(const std::string&, const K&,
                                                                const V&, std::int32_t)>;

  /// `internal_topic`: `topic` is the suffix of a topic the application owns (a repartition
  /// topic), written as `<application.id>-<topic>`.
  SinkNode(std::string name, std::string topic, TopicFn topic_fn, Serde<K> key_serde,
           Serde<V> value_serde, Partitioner partitioner, bool internal_topic = false)
      : Input<K, V>(std::move(name)),
        topic_(std::move(topic)),
        topic_fn_(std::move(topic_fn)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)),
        partitioner_(std::move(partitioner)),
        internal_topic_(internal_topic) {}

  void init(TaskContext& ctx) override {
    Node::init(ctx);
    if (internal_topic_) topic_ = ctx.application_id() + "-" + topic_;
  }

  void process(Record<K, V>&& record) override {
    std::string_view topic = topic_;
    if constexpr (!std::is_same_v<TopicFn, std::nullptr_t>) {
      auto dynamic = guarded(this->ctx(), this->name(), [&]() -> std::string {
        return std::string(invoke_on(topic_fn_, record.key, record.value));
      });
      if (!dynamic) return;
      dynamic_topic_ = std::move(*dynamic);
      topic = dynamic_topic_;
    }
    std::optional<std::int32_t> partition;
    if (partitioner_) {
      Result<int> count = this->ctx().partition_count(topic);
      if (!count.ok()) {
        this->ctx().on_production_error(this->name(), count.status());
        return;
      }
      auto chosen = guarded(this->ctx(), this->name(), [&] {
        return partitioner_(std::string(topic), record.key, record.value, *count);
      });
      if (!chosen) return;
      partition = *chosen;
      if (partition && (*partition < 0 || *partition >= *count)) {
        this->ctx().on_production_error(
            this->name(),
            invalid_argument("partitioner chose partition " + std::to_string(*partition) + " of " +
                             std::string(topic) + ", which has " + std::to_string(*count)));
        return;
      }
    }
    if (Status s = key_serde_.serialize(record.key, key_); !s.ok()) {
      this->ctx().on_production_error(this->name(), s.with_context("key"));
      return;
    }
    // The value a source read, untouched since: write the bytes it was read from.
    const SourceValue& source = this->ctx().source_value();
    const bool forward_bytes = source.object == &record.value && source.bytes &&
                               source.round_trip_key != nullptr &&
                               source.round_trip_key == value_serde_.round_trip_key();
    if (!forward_bytes) {
      if (Status s = value_serde_.serialize(record.value, value_); !s.ok()) {
        this->ctx().on_production_error(this->name(), s.with_context("value"));
        return;
      }
    }
    this->ctx().send(OutputRecord{.node = this->name(),
                                  .topic = topic,
                                  .key = view_of(key_),
                                  .value = forward_bytes ? source.bytes : view_of(value_),
                                  .timestamp = record.timestamp,
                                  .headers = &record.headers,
                                  .partition = partition});
  }

 private:
  std::string topic_;
  TopicFn topic_fn_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
  Partitioner partitioner_;
  bool internal_topic_;
  // Reused across records to avoid an allocation per record.
  NullableBytes key_;
  NullableBytes value_;
  std::string dynamic_topic_;
};

}  // namespace kstreams::internal
