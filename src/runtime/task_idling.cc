#include "src/runtime/task_idling.h"

namespace kstreams::internal {

bool TaskIdling::ready(const EmptyInputs& empty, std::int64_t now_ms) {
  if (empty.lagging == 0 && empty.caught_up == 0) {  // every input has records
    caught_up_since_ms_ = -1;
    return true;
  }
  if (max_idle_ms_ < 0) return true;
  if (empty.lagging > 0) {  // the broker may hold earlier records: fetch them first
    caught_up_since_ms_ = -1;
    return false;
  }
  if (caught_up_since_ms_ < 0) caught_up_since_ms_ = now_ms;
  return now_ms - caught_up_since_ms_ >= max_idle_ms_;
}

}  // namespace kstreams::internal
