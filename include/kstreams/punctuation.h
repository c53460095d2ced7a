// File: kstreams/punctuation.h
//
// Punctuators: callbacks a processor schedules to run periodically, by stream time (advanced by
// input records' timestamps) or by wall-clock time. Semantics as Kafka Streams:
//   - kStreamTime: aligned to 0; fires when the task's stream time reaches the next multiple of
//     the interval; missed intervals are skipped, not replayed; the callback gets stream time.
//   - kWallClockTime: first fires one interval after scheduling; the callback gets wall time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace kstreams {

enum class PunctuationType : std::uint8_t { kStreamTime, kWallClockTime };

/// Called with the current stream time or wall-clock time (ms since epoch).
using Punctuator = std::function<void(std::int64_t timestamp)>;

/// Returned by `schedule`; `cancel()` stops further calls. Copyable; all copies refer to the same
/// schedule. Must be used on the task's thread only.
class Cancellable {
 public:
  Cancellable() = default;
  explicit Cancellable(std::shared_ptr<bool> cancelled) : cancelled_(std::move(cancelled)) {}
  void cancel() {
    if (cancelled_) *cancelled_ = true;
  }

 private:
  std::shared_ptr<bool> cancelled_;
};

}  // namespace kstreams
