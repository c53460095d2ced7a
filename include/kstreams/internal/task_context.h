// Internal: what a processing node sees of the task it runs in. Implemented by the runtime's
// task (src/runtime/task.cc); the typed nodes in this folder call it. Not API.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/internal/store_spec.h>
#include <kstreams/punctuation.h>
#include <kstreams/record.h>
#include <kstreams/status.h>
#include <kstreams/task_id.h>

namespace kstreams::internal {

/// An output record in bytes, handed to the task's record collector. Views are valid during the
/// call only.
struct OutputRecord {
  std::string_view node;  ///< The sink (or failing node, for dead letters) that sends it.
  std::string_view topic;
  NullableByteView key;
  NullableByteView value;
  std::int64_t timestamp = 0;
  const Headers* headers = nullptr;
  std::optional<std::int32_t> partition;  ///< nullopt: the producer's partitioner decides.
};

/// Thrown when a handler answered kFail: unwinds the processing of the current record up to the
/// task, which turns it into the returned Status. Nodes must let it pass (see `guarded`).
class ProcessingAbort : public std::exception {
 public:
  explicit ProcessingAbort(Status status) : status_(std::move(status)) {}
  [[nodiscard]] const Status& status() const { return status_; }
  [[nodiscard]] const char* what() const noexcept override { return status_.message().c_str(); }

 private:
  Status status_;
};

/// The value a source node read for the record being processed: the object it forwarded, the
/// bytes it read it from, and its serde's `Serde<V>::round_trip_key()`. A sink that receives that
/// very object, with a serde of the same key, writes these bytes instead of serializing again:
/// no DSL operator can change a value it passes on unchanged (they see `const V&`), and a value
/// any operator replaced is another object. Set and cleared by the source around its forward.
struct SourceValue {
  const void* object = nullptr;
  NullableByteView bytes;
  const void* round_trip_key = nullptr;
};

/// The task as seen by its nodes. One per task; used by the task's thread only.
/// Reads one global table store for a task (see TaskContext::global_store).
class GlobalStoreReader {
 public:
  virtual ~GlobalStoreReader() = default;
  virtual Result<NullableBytes> get(ByteView key) = 0;
};

class TaskContext {
 public:
  TaskContext() = default;
  TaskContext(const TaskContext&) = delete;
  TaskContext& operator=(const TaskContext&) = delete;
  virtual ~TaskContext() = default;

  [[nodiscard]] virtual const std::string& application_id() const = 0;
  [[nodiscard]] virtual TaskId task_id() const = 0;
  /// Metadata of the input record being processed; nullptr inside a punctuator.
  [[nodiscard]] virtual const RecordMetadata* record_metadata() const = 0;
  /// Max timestamp seen by the task; -1 before the first record.
  [[nodiscard]] virtual std::int64_t stream_time() const = 0;
  [[nodiscard]] virtual std::int64_t wall_clock_ms() const = 0;

  /// Hands a serialized record to the record collector.
  virtual void send(const OutputRecord& record) = 0;
  /// The partition count of an output topic (1 under the test driver).
  virtual Result<int> partition_count(std::string_view topic) = 0;

  /// Error paths. Each consults the configured handler; returns when the record is to be skipped
  /// (kContinue, or kDeadLetter after sending it), throws ProcessingAbort on kFail.
  virtual void on_deserialization_error(std::string_view node, const Status& error) = 0;
  virtual void on_processing_exception(std::string_view node, std::exception_ptr error) = 0;
  virtual void on_production_error(std::string_view node, const Status& error) = 0;

  virtual Cancellable schedule(std::string_view node, std::chrono::milliseconds interval,
                               PunctuationType type, Punctuator punctuator) = 0;

  /// The top of the stack of store `store` in this task, for node `node`; nullptr when the
  /// topology did not connect that node to that store.
  virtual BytesKeyValueStore* state_store(std::string_view node, std::string_view store) = 0;
  /// Read access to the global table store `store` (a full copy of its topic; values after the
  /// record's timestamp), safe against the global thread writing it; nullptr when there is no
  /// such global store. Owned by the task: look it up once, at init.
  virtual GlobalStoreReader* global_store(std::string_view store) = 0;
  /// What the topology says about `store`; nullptr for an unknown store.
  [[nodiscard]] virtual const StoreSpec* store_spec(std::string_view store) const = 0;
  /// Timestamp and headers of the record being processed (inside a punctuator: stream time, no
  /// headers), for writes to stores.
  [[nodiscard]] virtual const WriteContext& write_context() const = 0;

  /// See SourceValue. Sources publish theirs only when `forwards_source_bytes()`
  /// (StreamsConfig::sink_forwards_source_bytes).
  [[nodiscard]] SourceValue& source_value() { return source_value_; }
  [[nodiscard]] bool forwards_source_bytes() const { return forwards_source_bytes_; }

 protected:
  void set_forwards_source_bytes(bool on) { forwards_source_bytes_ = on; }

 private:
  SourceValue source_value_;
  bool forwards_source_bytes_ = false;
};

/// Runs user code `f`; an exception it throws goes to the processing handler of `ctx`. Returns
/// f's result, or nullopt when the record is to be skipped. ProcessingAbort passes through.
template <class F>
auto guarded(TaskContext& ctx, std::string_view node, F&& f) {
  using R = decltype(f());
  if constexpr (std::is_void_v<R>) {
    try {
      f();
      return true;
    } catch (const ProcessingAbort&) {
      throw;
    } catch (...) {
      ctx.on_processing_exception(node, std::current_exception());
      return false;
    }
  } else {
    try {
      return std::optional<R>(f());
    } catch (const ProcessingAbort&) {
      throw;
    } catch (...) {
      ctx.on_processing_exception(node, std::current_exception());
      return std::optional<R>();
    }
  }
}

}  // namespace kstreams::internal
