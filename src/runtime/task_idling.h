// File: src/runtime/task_idling.h (private)
//
// `max.task.idle.ms` as Kafka Streams reads it (KIP-695): whether a task that reads several
// partitions may process while some of them have nothing buffered. Processing then could take
// records out of timestamp order, so:
//   -1  never wait;
//    0  wait while an empty partition may still hold records on the broker (no end of partition
//       seen since its last record), not once every empty one is known to be caught up;
//    n  as 0, then wait up to n ms more for new records, counted from when they all are.
//
//   TaskIdling idling(config.max_task_idle_ms);
//   if (!idling.ready({.lagging = 1, .caught_up = 0}, now_ms)) return;  // wait
//
// Not thread-safe: one per task, used by its stream thread.
#pragma once

#include <cstdint>

namespace kstreams::internal {

/// The task's input partitions that have no record buffered.
struct EmptyInputs {
  int lagging = 0;    ///< not known to be at their end: records may be on their way
  int caught_up = 0;  ///< at their end when last fetched
};

class TaskIdling {
 public:
  explicit TaskIdling(std::int64_t max_task_idle_ms) : max_idle_ms_(max_task_idle_ms) {}

  /// Whether the task may process its buffered records now (it has some).
  bool ready(const EmptyInputs& empty, std::int64_t now_ms);
  /// Forgets a wait under way: the task has nothing buffered, and the input that is empty when
  /// records come back may be another one, owed a whole wait.
  void restart() { caught_up_since_ms_ = -1; }

 private:
  std::int64_t max_idle_ms_;
  std::int64_t caught_up_since_ms_ = -1;  // when all empty inputs were first known caught up
};

}  // namespace kstreams::internal
