// A task: the nodes of some sub-topologies for one partition, processing one input record at a
// time. The same class runs under the test driver and in stream threads, so what a test sees is
// what production does. Not thread-safe: a task belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <kstreams/internal/node.h>
#include <kstreams/internal/task_context.h>
#include <kstreams/metrics.h>
#include <kstreams/streams_config.h>
#include <kstreams/topology.h>

#include "src/runtime/punctuation_queue.h"
#include "src/runtime/record_collector.h"

namespace kstreams::internal {

class Task final : public TaskContext {
 public:
  using WallClock = std::function<std::int64_t()>;

  /// Instantiates and wires the nodes of `subtopologies` (all when empty) and calls their init.
  static Result<std::unique_ptr<Task>> create(const Topology& topology,
                                              const std::vector<int>& subtopologies, TaskId id,
                                              const StreamsConfig& config,
                                              RecordCollector& collector, WallClock wall_clock);

  ~Task() override;

  /// Processes one input record: advances stream time, runs it through the graph, then fires
  /// due stream-time punctuators. An error is returned when a handler answered kFail.
  Status process(const SourceRecord& record);
  /// Fires due wall-clock punctuators at the current wall-clock time.
  Status punctuate_wall_clock();
  /// Closes every node (idempotent).
  void close();

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
  std::vector<std::unique_ptr<Node>> nodes_;
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
