// Where a task's output records go: the Kafka producer at runtime, in-memory topics in the test
// driver. Called on the task's thread only.
#pragma once

#include <string_view>

#include <kstreams/internal/task_context.h>

namespace kstreams::internal {

class RecordCollector {
 public:
  RecordCollector() = default;
  RecordCollector(const RecordCollector&) = delete;
  RecordCollector& operator=(const RecordCollector&) = delete;
  virtual ~RecordCollector() = default;

  /// Takes a copy of `record` (its views are valid during the call only). An error means the
  /// record could not be handed over (e.g. an invalid topic); delivery failures that happen
  /// later are the collector's to report.
  virtual Status send(const OutputRecord& record) = 0;

  /// The partition count of `topic`, for sinks with an explicit partitioner. A collector without
  /// partitions (the test driver, which models single-partition topics) answers 1.
  virtual Result<int> partition_count(std::string_view topic) {
    static_cast<void>(topic);
    return 1;
  }
};

}  // namespace kstreams::internal
