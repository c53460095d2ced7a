// File: kstreams/restore_listener.h
//
// `StateRestoreListener`: told when a store of a task starts being rebuilt from its changelog,
// after each batch, and when it is done (Kafka Streams' StateRestoreListener). A task closed
// before its restoration is done (its partition revoked in a rebalance, or the client closing)
// reports it suspended instead (KIP-869's onRestoreSuspended): whoever owns the task next goes
// on from the changelog. Global tables report the same events while they are brought up to date
// with their topics before the stream threads start (the event's topic is then the table's
// topic); they are never suspended. Set it with `KafkaStreams::set_global_state_restore_listener`
// before start().
//
//   streams.set_global_state_restore_listener({
//       .on_restore_start = [](const kstreams::RestoreEvent& e) { ... e.end_offset - e.start_offset
//       ... }, .on_restore_end = [](const kstreams::RestoreEvent& e) { ... e.total_restored ...
//       }});
//
// Callbacks run on the thread doing the restoration (a stream thread, or the one calling start()
// for global tables): keep them short; they must not throw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace kstreams {

/// One changelog partition being restored into one store.
struct RestoreEvent {
  std::string store;
  std::string topic;  ///< The changelog topic.
  std::int32_t partition = 0;
  std::int64_t start_offset = 0;       ///< Where restoration started.
  std::int64_t end_offset = 0;         ///< The changelog's end when it started (exclusive).
  std::int64_t batch_end_offset = -1;  ///< on_batch_restored: the last offset in the batch.
  std::uint64_t batch_restored = 0;    ///< on_batch_restored: records in the batch.
  std::uint64_t total_restored = 0;    ///< Records restored so far.
};

struct StateRestoreListener {
  std::function<void(const RestoreEvent&)> on_restore_start;
  std::function<void(const RestoreEvent&)> on_batch_restored;
  std::function<void(const RestoreEvent&)> on_restore_end;
  /// Instead of on_restore_end when the task is closed before restoration finished;
  /// `total_restored` is what was restored until then.
  std::function<void(const RestoreEvent&)> on_restore_suspended;
};

}  // namespace kstreams
