// The punctuators of one task for one punctuation type, in due order. Kafka Streams' rules:
// a schedule fires when the time reaches its next due time; it is then rescheduled one interval
// later, skipping intervals that were missed entirely (no catch-up bursts). Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <kstreams/punctuation.h>

namespace kstreams::internal {

class PunctuationQueue {
 public:
  /// Adds a schedule first due at `first_due`.
  Cancellable add(std::string node, std::int64_t interval_ms, std::int64_t first_due,
                  Punctuator punctuator);

  /// Runs `run(node, punctuator)` for every schedule due at `now`, earliest first; returns how
  /// many ran. Schedules added or cancelled by a punctuator take effect immediately.
  int may_punctuate(std::int64_t now,
                    const std::function<void(const std::string&, const Punctuator&)>& run);

  [[nodiscard]] bool empty() const { return schedules_.empty(); }

 private:
  struct Schedule {
    std::string node;
    std::int64_t interval_ms = 0;
    std::int64_t due = 0;
    std::shared_ptr<Punctuator> punctuator;
    std::shared_ptr<bool> cancelled;
  };
  std::vector<Schedule> schedules_;
};

}  // namespace kstreams::internal
