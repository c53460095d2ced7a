// A task: the nodes of some sub-topologies for one partition, processing one input record at a
// time. The same class runs under the test driver and in stream threads, so what a test sees is
// what production does. Not thread-safe: a task belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <kstreams/internal/node.h>
#include <kstreams/internal/task_context.h>
#include <kstreams/metrics.h>
#include <kstreams/streams_config.h>
#include <kstreams/topology.h>

#include "src/runtime/punctuation_queue.h"
#include "src/runtime/record_collector.h"
#include "src/runtime/task_stores.h"

namespace kstreams::internal {

class Task final : public TaskContext {
 public:
  using WallClock = std::function<std::int64_t()>;

  /// Instantiates and wires the nodes of `subtopologies` (all when empty), opens their state
  /// stores in `environment` and calls the nodes' init.
  static Result<std::unique_ptr<Task>> create(const Topology& topology,
                                              const std::vector<int>& subtopologies, TaskId id,
                                              const StreamsConfig& config,
                                              RecordCollector& collector, WallClock wall_clock,
                                              StoreEnvironment& environment);

  ~Task() override;

  /// Processes one input record: advances stream time, runs it through the graph, then fires
  /// due stream-time punctuators. An error is returned when a handler answered kFail.
  Status process(const SourceRecord& record);
  /// Fires due wall-clock punctuators at the current wall-clock time.
  Status punctuate_wall_clock();
  /// Writes every cached store entry down (forwarding what the caches emit) and makes the stores
  /// durable: the first step of a commit. An error fails the task.
  Status flush_state();
  /// Closes every node, then the stores (idempotent).
  void close();
  /// The task's stores (none when the topology has none for this task).
  [[nodiscard]] TaskStores& stores() { return *stores_; }

  /// The topics this task reads.
  [[nodiscard]] std::vector<std::string> source_topics() const;
  [[nodiscard]] const ProcessingMetrics& metrics() const { return metrics_; }

  // TaskContext
  [[nodiscard]] const std::string& application_id() const override { return application_id_; }
  [[nodiscard]] TaskId task_id() const override { return id_; }
  [[nodiscard]] const RecordMetadata* record_metadata() const override {
    return current_ != nullptr ? &metadata_ : nullptr;
  }
  [[nodiscard]] std::int64_t stream_time() const override { return stream_time_; }
  [[nodiscard]] std::int64_t wall_clock_ms() const override { return wall_clock_(); }
  void send(const OutputRecord& record) override;
  Result<int> partition_count(std::string_view topic) override {
    return collector_->partition_count(topic);
  }
  void on_deserialization_error(std::string_view node, const Status& error) override;
  void on_processing_exception(std::string_view node, std::exception_ptr error) override;
  void on_production_error(std::string_view node, const Status& error) override;
  Cancellable schedule(std::string_view node, std::chrono::milliseconds interval,
                       PunctuationType type, Punctuator punctuator) override;
  BytesKeyValueStore* state_store(std::string_view node, std::string_view store) override;
  GlobalStoreReader* global_store(std::string_view store) override;
  [[nodiscard]] const StoreSpec* store_spec(std::string_view store) const override {
    return stores_->spec(store);
  }
  [[nodiscard]] const WriteContext& write_context() const override { return write_context_; }

 private:
  Task(TaskId id, const StreamsConfig& config, RecordCollector& collector, WallClock wall_clock);

  void handle_error(ErrorKind kind, const ErrorHandler& handler, std::string_view node,
                    const Status& error, std::string_view exception_class);
  Status punctuate(PunctuationQueue& queue, std::int64_t now);

  TaskId id_;
  std::string application_id_;
  StreamsConfig config_;
  RecordCollector* collector_;
  WallClock wall_clock_;

  // Nodes own their children's pointers only; all nodes die together with the task.
  std::optional<Topology> topology_;  // keeps the store specs (and node factories) alive
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<TaskStores> stores_;           // closed after the nodes
  const GlobalStores* global_stores_ = nullptr;  // the instance's; outlives the task
  std::map<std::string, std::unique_ptr<GlobalStoreReader>, std::less<>> global_readers_;
  std::set<std::pair<std::string, std::string>, std::less<>> store_access_;  // (node, store)
  WriteContext write_context_;
  std::map<std::string, SourceNodeBase*, std::less<>> source_by_topic_;
  SourceNodeBase* last_source_ = nullptr;  // The source of metadata_.topic.

  PunctuationQueue stream_time_punctuators_;
  PunctuationQueue wall_clock_punctuators_;

  const SourceRecord* current_ = nullptr;  // The input record being processed, if any.
  RecordMetadata metadata_;
  std::int64_t stream_time_ = -1;
  bool current_undeserializable_ = false;  // The current record failed deserialization.
  ProcessingMetrics metrics_;
  std::uint64_t handled_errors_ = 0;  // For throttling the per-record error log lines.
  bool closed_ = false;
};

}  // namespace kstreams::internal
