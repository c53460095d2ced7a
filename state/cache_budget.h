// File: state/cache_budget.h (private)
//
// The record-cache memory of one stream thread (Kafka Streams' ThreadCache size,
// statestore.cache.max.bytes divided among the threads), shared by every caching store of the
// thread's tasks.
#pragma once

#include <atomic>
#include <cstddef>

namespace kstreams::internal {

/// A byte budget that caching stores charge their entries to. Each store evicts its own entries
/// when the total is over the budget after one of its writes. The charges are thread-confined:
/// every store that shares one budget runs on the same stream thread. The limit is not: the
/// client resizes it from its own thread when stream threads are added or removed, and the
/// stores keep to the new limit from their next write on.
class CacheBudget {
 public:
  /// `max_bytes` 0 disables caching: caching stores on this budget forward every write at once.
  explicit CacheBudget(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  [[nodiscard]] std::size_t max_bytes() const { return max_bytes_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t used_bytes() const { return used_bytes_; }
  [[nodiscard]] bool exceeded() const { return used_bytes_ > max_bytes(); }

  void charge(std::size_t bytes) { used_bytes_ += bytes; }
  void release(std::size_t bytes) { used_bytes_ -= bytes < used_bytes_ ? bytes : used_bytes_; }
  /// A new limit. Caching cannot be turned on or off this way: a budget created with 0 stays 0,
  /// and any other stays at least 1.
  void resize(std::size_t max_bytes) {
    if (max_bytes_.load(std::memory_order_relaxed) == 0) return;
    max_bytes_.store(max_bytes == 0 ? 1 : max_bytes, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::size_t> max_bytes_;
  std::size_t used_bytes_ = 0;
};

}  // namespace kstreams::internal
