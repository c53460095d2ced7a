// File: state/cache_budget.h (private)
//
// The record-cache memory of one stream thread (Kafka Streams' ThreadCache size,
// statestore.cache.max.bytes divided among the threads), shared by every caching store of the
// thread's tasks.
#pragma once

#include <cstddef>

namespace kstreams::internal {

/// A byte budget that caching stores charge their entries to. Each store evicts its own entries
/// when the total is over the budget after one of its writes. Thread-confined: every store that
/// shares one budget runs on the same stream thread, so there is no locking.
class CacheBudget {
 public:
  /// `max_bytes` 0 disables caching: caching stores on this budget forward every write at once.
  explicit CacheBudget(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  [[nodiscard]] std::size_t max_bytes() const { return max_bytes_; }
  [[nodiscard]] std::size_t used_bytes() const { return used_bytes_; }
  [[nodiscard]] bool exceeded() const { return used_bytes_ > max_bytes_; }

  void charge(std::size_t bytes) { used_bytes_ += bytes; }
  void release(std::size_t bytes) { used_bytes_ -= bytes < used_bytes_ ? bytes : used_bytes_; }

 private:
  std::size_t max_bytes_;
  std::size_t used_bytes_ = 0;
};

}  // namespace kstreams::internal
