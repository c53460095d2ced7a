#include "src/runtime/task_idling.h"

#include <limits>

namespace kstreams::internal {

bool TaskIdling::admits_slowly(std::size_t input, InputState state, std::int64_t now_ms) {
  if (input >= deadlines_ms_.size()) deadlines_ms_.resize(input + 1, kNoDeadline);
  std::int64_t& deadline = deadlines_ms_[input];
  if (state == InputState::kBuffered || max_idle_ms_ < 0) {
    deadline = kNoDeadline;
    return true;
  }
  if (state == InputState::kLagging) {  // the broker may hold earlier records: fetch them first
    deadline = kNoDeadline;
    return false;
  }
  if (deadline == kNoDeadline) {
    deadline = max_idle_ms_ > std::numeric_limits<std::int64_t>::max() - now_ms
                   ? std::numeric_limits<std::int64_t>::max()
                   : now_ms + max_idle_ms_;
  }
  return now_ms >= deadline;
}

}  // namespace kstreams::internal
