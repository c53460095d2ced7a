// File: src/runtime/pending_commits.h (private)
//
// At-least-once commits that do not wait for the producer. Every record a stream thread produces
// belongs to the epoch that is open when it is sent (the producer hands the epoch back in its
// delivery report). A periodic commit closes the open epoch with the input offsets processed so
// far and opens the next one; those offsets may be committed once no record of that epoch or of
// an earlier one is still in flight, because then every output of every input record before them
// is acknowledged. So the stream thread keeps processing while its outputs are on their way,
// instead of blocking in a flush every commit.interval.ms.
//
//   void* tag = pending.tag_for_send();          // ProducerRecord::opaque of the next record
//   pending.on_delivery(report.opaque);           // from the delivery callback, success or not
//   pending.close_epoch(processed_offsets);       // at each commit interval
//   for (auto& tp : pending.take_committable()) ...  // commit these asynchronously
//
// Not thread-safe: the stream thread sends, and delivery reports are served on it (poll/flush).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "src/kafka/consumer.h"

namespace kstreams::internal {

class PendingCommits {
 public:
  PendingCommits() { epochs_.emplace_back(); }

  /// The tag for the next record produced: counts it in flight in the open epoch.
  void* tag_for_send();
  /// A record produced with `tag` was delivered, or failed (failures are the caller's to act
  /// on before it commits anything). A null tag is ignored.
  void on_delivery(void* tag);
  /// Closes the open epoch with `offsets` (the next offsets to read of the partitions processed
  /// so far) and opens a new one.
  void close_epoch(std::vector<kafka::TopicPartition> offsets);
  /// Removes the leading closed epochs that have nothing in flight and returns their offsets,
  /// merged (the latest per partition). Empty when nothing is committable yet.
  std::vector<kafka::TopicPartition> take_committable();
  /// Forgets the offsets of every closed epoch; for when the caller has flushed the producer and
  /// commits the current offsets itself (their epochs go once their records are reported).
  void drop_closed_offsets();
  /// Closed epochs not yet taken.
  [[nodiscard]] bool has_closed() const { return epochs_.size() > 1; }
  /// Records in flight over all epochs.
  [[nodiscard]] std::int64_t in_flight() const;

 private:
  struct Epoch {
    std::int64_t in_flight = 0;
    std::vector<kafka::TopicPartition> offsets;
  };
  // back() is the open epoch. A deque: tags (element addresses) stay valid while other epochs
  // are added at the back and removed from the front.
  std::deque<Epoch> epochs_;
};

}  // namespace kstreams::internal
