// File: src/runtime/task_idling.h (private)
//
// `max.task.idle.ms` as Kafka Streams reads it (KIP-695): whether a task that reads several
// partitions may process while some of them have nothing buffered. Processing then could take
// records out of timestamp order, so each empty input holds the task back:
//   -1  never;
//    0  while it may still hold records on the broker (no end of partition seen since its last
//       record), not once it is known to be caught up;
//    n  as 0, then until n ms after it was first seen caught up and empty. Each input has its
//       own deadline, kept while it stays empty and caught up (also while the task has nothing
//       buffered at all) and dropped when it has records or falls behind. Every input is looked
//       at every round; Kafka Streams stops at the first lagging one, so the deadlines of the
//       inputs after it start later there.
//
//   TaskIdling idling(config.max_task_idle_ms);
//   bool held = false;
//   for (std::size_t i = 0; i < inputs; ++i) held |= !idling.admits(i, state_of(i), now_ms);
//   if (!held) process();
//
// Not thread-safe: one per task, used by its stream thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kstreams::internal {

/// Where one input partition of a task stands.
enum class InputState : std::uint8_t {
  kBuffered,  ///< has records buffered
  kLagging,   ///< empty, not known to be at its end: records may be on their way
  kCaughtUp,  ///< empty, at its end when last fetched
};

class TaskIdling {
 public:
  explicit TaskIdling(std::int64_t max_task_idle_ms) : max_idle_ms_(max_task_idle_ms) {}

  /// Notes that input `input` (an index stable for the task's life) is in `state` at `now_ms`,
  /// and says whether it lets the task process. Call it for every input in every round, also
  /// when none has records: a deadline counts from when its input was first seen caught up.
  bool admits(std::size_t input, InputState state, std::int64_t now_ms) {
    if (state == InputState::kBuffered && input < deadlines_ms_.size()) {  // the per-record case
      deadlines_ms_[input] = kNoDeadline;
      return true;
    }
    return admits_slowly(input, state, now_ms);
  }

 private:
  static constexpr std::int64_t kNoDeadline = -1;

  bool admits_slowly(std::size_t input, InputState state, std::int64_t now_ms);

  std::int64_t max_idle_ms_;
  std::vector<std::int64_t> deadlines_ms_;  // per input; kNoDeadline unless caught up and empty
};

}  // namespace kstreams::internal
