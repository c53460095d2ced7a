// File: kstreams/processor.h
//
// The Processor API: write a processor by hand when the DSL's operators are not enough, and add
// it to a stream with `KStream::process`.
//
//   class Dedup : public kstreams::Processor<std::string, Event, std::string, Event> {
//    public:
//     void init(kstreams::ProcessorContext<std::string, Event>& context) override {
//       context_ = &context;
//       context.schedule(std::chrono::seconds(10), kstreams::PunctuationType::kWallClockTime,
//                        [this](int64_t now) { seen_.clear(); });
//     }
//     void process(kstreams::Record<std::string, Event> record) override {
//       if (seen_.insert(record.key).second) context_->forward(std::move(record));
//     }
//    private:
//     kstreams::ProcessorContext<std::string, Event>* context_ = nullptr;
//     std::set<std::string> seen_;
//   };
//   stream.process([] { return std::make_unique<Dedup>(); }, "dedup");
//
// One processor instance per task, made by the supplier; all calls on the task's thread.
// Exceptions thrown from `process` or a punctuator go to the processing exception handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <kstreams/errors.h>
#include <kstreams/internal/node.h>
#include <kstreams/internal/task_context.h>
#include <kstreams/punctuation.h>
#include <kstreams/record.h>
#include <kstreams/state/key_value_store.h>
#include <kstreams/task_id.h>

namespace kstreams {

/// What a processor can do besides receiving records: forward, read record metadata, schedule
/// punctuators. Valid from `init` to `close`. Not thread-safe (the task's thread only).
template <class KOut, class VOut>
class ProcessorContext {
 public:
  ProcessorContext(internal::TaskContext& task, internal::Forwarder<KOut, VOut>& out,
                   std::string node)
      : task_(&task), out_(&out), node_(std::move(node)) {}

  /// Sends `record` to every child of this processor.
  void forward(Record<KOut, VOut> record) { out_->forward(std::move(record)); }
  /// Sends `record` to the child named `child` only. Unknown child: throws StreamsException
  /// (kNotFound), which the processing handler receives.
  void forward(Record<KOut, VOut> record, std::string_view child) {
    if (!out_->forward_to(child, std::move(record))) {
      throw StreamsException(
          not_found("processor '" + node_ + "' has no child named '" + std::string(child) + "'"));
    }
  }

  /// Topic, partition and offset of the input record; nullptr inside a punctuator.
  [[nodiscard]] const RecordMetadata* record_metadata() const { return task_->record_metadata(); }
  /// The task's stream time (max record timestamp seen; -1 before the first record).
  [[nodiscard]] std::int64_t current_stream_time_ms() const { return task_->stream_time(); }
  /// Wall-clock time (mocked by the test driver).
  [[nodiscard]] std::int64_t current_system_time_ms() const { return task_->wall_clock_ms(); }
  [[nodiscard]] const std::string& application_id() const { return task_->application_id(); }
  [[nodiscard]] TaskId task_id() const { return task_->task_id(); }

  /// The key-value store `name`, which must have been added with
  /// StreamsBuilder::add_state_store and passed to KStream::process for this processor.
  /// Throws StreamsException: kNotFound when it was not, kInvalidArgument when K and V are not
  /// the store's types.
  template <class K, class V>
  KeyValueStore<K, V> get_state_store(const std::string& name) {
    internal::BytesKeyValueStore* store = task_->state_store(node_, name);
    if (store == nullptr) {
      throw StreamsException(not_found("processor '" + node_ + "' has no state store '" + name +
                                       "'; add it with StreamsBuilder::add_state_store and "
                                       "name it in KStream::process"));
    }
    const internal::StoreSpec* spec = task_->store_spec(name);
    const auto* serdes = std::any_cast<std::pair<Serde<K>, Serde<V>>>(&spec->serdes);
    if (serdes == nullptr) {
      throw StreamsException(
          invalid_argument("state store '" + name + "' was added with other key or value types"));
    }
    return KeyValueStore<K, V>(*store, serdes->first, serdes->second, &task_->write_context());
  }

  /// Calls `punctuator` every `interval` of stream time or wall-clock time (see punctuation.h).
  Cancellable schedule(std::chrono::milliseconds interval, PunctuationType type,
                       Punctuator punctuator) {
    return task_->schedule(node_, interval, type, std::move(punctuator));
  }

 private:
  internal::TaskContext* task_;
  internal::Forwarder<KOut, VOut>* out_;
  std::string node_;
};

/// A record processor: receives (KIn, VIn) records, may forward (KOut, VOut) records. Use Void
/// for KOut/VOut when it forwards nothing.
template <class KIn, class VIn, class KOut = Void, class VOut = Void>
class Processor {
 public:
  using KeyIn = KIn;
  using ValueIn = VIn;
  using KeyOut = KOut;
  using ValueOut = VOut;

  Processor() = default;
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;
  virtual ~Processor() = default;

  virtual void init(ProcessorContext<KOut, VOut>& context) { static_cast<void>(context); }
  virtual void process(Record<KIn, VIn> record) = 0;
  virtual void close() {}
};

namespace internal {

template <class KIn, class VIn, class KOut, class VOut, class Supplier>
class ProcessorApiNode final : public ProcessorNode<KIn, VIn, KOut, VOut> {
 public:
  ProcessorApiNode(std::string name, Supplier supplier)
      : ProcessorNode<KIn, VIn, KOut, VOut>(std::move(name)), supplier_(std::move(supplier)) {}

  void init(TaskContext& ctx) override {
    Node::init(ctx);
    context_.emplace(ctx, this->output(), this->name());
    processor_ = supplier_();
    if (!processor_) {
      throw ProcessingAbort(
          topology_error("processor supplier of '" + this->name() + "' returned null"));
    }
    auto ok = guarded(ctx, this->name(), [&] { processor_->init(*context_); });
    static_cast<void>(ok);
  }
  void process(Record<KIn, VIn>&& record) override {
    auto ok = guarded(this->ctx(), this->name(), [&] { processor_->process(std::move(record)); });
    static_cast<void>(ok);
  }
  void close() override {
    if (processor_) processor_->close();
  }

 private:
  Supplier supplier_;
  std::optional<ProcessorContext<KOut, VOut>> context_;
  std::unique_ptr<Processor<KIn, VIn, KOut, VOut>> processor_;
};

}  // namespace internal
}  // namespace kstreams
