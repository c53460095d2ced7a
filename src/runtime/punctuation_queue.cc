#include "src/runtime/punctuation_queue.h"

#include <algorithm>
#include <utility>

namespace kstreams::internal {

Cancellable PunctuationQueue::add(std::string node, std::int64_t interval_ms,
                                  std::int64_t first_due, Punctuator punctuator) {
  auto cancelled = std::make_shared<bool>(false);
  schedules_.push_back(Schedule{std::move(node), interval_ms, first_due,
                                std::make_shared<Punctuator>(std::move(punctuator)), cancelled});
  return Cancellable(std::move(cancelled));
}

int PunctuationQueue::may_punctuate(
    std::int64_t now, const std::function<void(const std::string&, const Punctuator&)>& run) {
  int ran = 0;
  // Bounded: each schedule fires at most once per call (it is rescheduled past `now`).
  const std::size_t limit = schedules_.size() * 2 + 1;
  for (std::size_t round = 0; round < limit; ++round) {
    std::erase_if(schedules_, [](const Schedule& s) { return *s.cancelled; });
    auto due = std::min_element(schedules_.begin(), schedules_.end(),
                                [](const Schedule& a, const Schedule& b) { return a.due < b.due; });
    if (due == schedules_.end() || due->due > now) break;
    // Reschedule before running, so that a punctuator that adds schedules does not invalidate
    // this one and a slow punctuator is not called twice.
    std::int64_t next = due->due + due->interval_ms;
    if (now >= next) {
      const std::int64_t missed = (now - due->due) / due->interval_ms;
      next = due->due + (missed + 1) * due->interval_ms;
    }
    due->due = next;
    std::shared_ptr<Punctuator> punctuator = due->punctuator;
    std::shared_ptr<bool> cancelled = due->cancelled;
    std::string node = due->node;
    if (!*cancelled) {
      run(node, *punctuator);
      ++ran;
    }
  }
  return ran;
}

}  // namespace kstreams::internal
