// The state stores of one task: opened from the topology's store specs as stacks of
// caching -> changelogging -> RocksDB/in-memory layers, under the task's locked directory, with
// the task's checkpoint (changelog offsets that the local stores are known to contain).
//
// The same class serves the test driver (which runs it in a temporary state.dir) and the stream
// threads. Not thread-safe: belongs to the task's thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kstreams/internal/bytes_store.h>
#include <kstreams/internal/store_spec.h>
#include <kstreams/restore_listener.h>
#include <kstreams/status.h>
#include <kstreams/task_id.h>

#include "src/runtime/record_collector.h"
#include "state/cache_budget.h"
#include "state/rocksdb_store.h"
#include "state/state_directory.h"

namespace kstreams::internal {

/// What every task of one stream thread (or one test driver) shares to open its stores.
class GlobalStores;

struct StoreEnvironment {
  std::optional<StateDirectory> directory;
  std::shared_ptr<RocksDbResources> rocksdb;
  std::shared_ptr<CacheBudget> cache;                            ///< null: caching disabled
  std::shared_ptr<const StateRestoreListener> restore_listener;  ///< may be null
  /// exactly_once_v2: a checkpoint is deleted once read (a crash then means a full restore: the
  /// stores may hold writes of an aborted transaction) and written again only on clean close.
  bool exactly_once = false;
  /// The instance's global tables, which tasks read (stream-globaltable joins); may be null.
  const GlobalStores* global_stores = nullptr;
};

/// A changelog partition of the task and the store it backs.
struct ChangelogPartition {
  std::string store;
  std::string topic;
  std::int32_t partition = 0;
  bool persistent = false;  ///< RocksDB: the checkpoint says where restoration starts.
  /// The next offset to restore from (checkpoint + 1), or nullopt: from the beginning.
  std::optional<std::int64_t> restore_from;
};

class TaskStores {
 public:
  /// Opens the stores `specs` of task `id`. Changelog records go to `collector` on partition
  /// `id.partition`. Fails when another instance holds the task directory.
  static Result<std::unique_ptr<TaskStores>> open(TaskId id, const std::string& application_id,
                                                  const std::vector<const StoreSpec*>& specs,
                                                  StoreEnvironment& environment,
                                                  RecordCollector& collector);
  TaskStores(const TaskStores&) = delete;
  TaskStores& operator=(const TaskStores&) = delete;
  ~TaskStores();

  /// The top of the stack of `name`; nullptr when the task has no such store.
  [[nodiscard]] BytesKeyValueStore* get(std::string_view name) const;
  [[nodiscard]] const StoreSpec* spec(std::string_view name) const;
  [[nodiscard]] bool empty() const { return stores_.empty(); }

  /// The changelog partitions to restore before processing.
  [[nodiscard]] const std::vector<ChangelogPartition>& changelogs() const { return changelogs_; }
  /// Loads changelog entries into `store` (no changelog writes, no cache).
  Status restore(std::string_view store, std::span<const KeyValueBytes> entries);

  /// Writes every cached entry down (forwarding downstream) and makes stores durable.
  Status flush();
  /// Records that the changelog `topic` holds writes (delivery reports) or restored records
  /// up to `offset`.
  void on_changelog_written(const std::string& topic, std::int64_t offset);
  /// Writes the checkpoint file: every persistent store's last written or restored offset.
  /// Unless `force`, only when the changelogs moved by at least kCheckpointDelta records since
  /// the last one (as Kafka Streams: a checkpoint costs fsyncs; a staler one only means a longer
  /// restore).
  Status checkpoint(bool force);
  static constexpr std::int64_t kCheckpointDelta = 10000;
  /// Closes the stores and releases the directory lock (idempotent).
  void close();

 private:
  TaskStores() = default;

  struct OpenStore {
    const StoreSpec* spec = nullptr;
    std::unique_ptr<BytesKeyValueStore> top;
  };

  TaskId id_;
  std::optional<TaskDirectoryLock> lock_;
  std::filesystem::path directory_;
  std::map<std::string, OpenStore, std::less<>> stores_;
  std::vector<ChangelogPartition> changelogs_;
  std::map<std::string, std::int64_t> written_offsets_;       // changelog topic -> last offset
  std::map<std::string, std::int64_t> checkpointed_offsets_;  // as of the last checkpoint
  bool closed_ = false;
};

}  // namespace kstreams::internal
