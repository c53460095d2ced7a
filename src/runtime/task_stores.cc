#include "src/runtime/task_stores.h"

#include <algorithm>
#include <utility>

#include "src/core/logging.h"
#include "state/caching_store.h"
#include "state/changelogging_store.h"
#include "state/checkpoint_file.h"
#include "state/in_memory_store.h"

namespace kstreams::internal {

Result<std::unique_ptr<TaskStores>> TaskStores::open(TaskId id, const std::string& application_id,
                                                     const std::vector<const StoreSpec*>& specs,
                                                     StoreEnvironment& environment,
                                                     RecordCollector& collector) {
  std::unique_ptr<TaskStores> stores(new TaskStores());
  stores->id_ = id;
  if (specs.empty()) return stores;

  const std::string task = id.to_string();
  const bool any_persistent = std::any_of(specs.begin(), specs.end(), [](const StoreSpec* s) {
    return s->type == StoreType::kRocksDb;
  });
  std::map<std::string, std::int64_t> checkpointed;
  if (any_persistent) {
    if (!environment.directory) {
      return illegal_state("task " + task + " has RocksDB stores but no state directory");
    }
    KSTREAMS_ASSIGN_OR_RETURN(TaskDirectoryLock lock, environment.directory->lock_task(task));
    stores->lock_.emplace(std::move(lock));
    stores->directory_ = environment.directory->task_directory(task);
    Result<std::vector<CheckpointEntry>> entries = read_checkpoint(stores->directory_);
    if (!entries.ok()) {
      // Never trust state whose extent is unknown: start over from the changelogs.
      logger().warn("task {}: {}; wiping its local state and restoring it from the changelogs",
                    task, entries.status().to_string());
      KSTREAMS_RETURN_IF_ERROR(environment.directory->wipe_task(task));
    } else {
      for (const auto& e : *entries) {
        if (e.partition == id.partition) checkpointed[e.topic] = e.offset;
      }
      if (environment.exactly_once && !entries->empty()) {
        // Valid for this open only: from now on the stores may hold uncommitted writes.
        KSTREAMS_RETURN_IF_ERROR(write_checkpoint(stores->directory_, {}));
      }
    }
  }

  for (const StoreSpec* spec : specs) {
    std::unique_ptr<BytesKeyValueStore> store;
    if (spec->type == StoreType::kRocksDb) {
      if (!environment.rocksdb) return illegal_state("no RocksDB resources for task " + task);
      KSTREAMS_ASSIGN_OR_RETURN(
          store, open_rocksdb_store(stores->directory_ / "rocksdb" / spec->name, spec->name,
                                    environment.rocksdb));
    } else {
      store = make_in_memory_store(spec->name);
    }
    ChangelogPartition changelog;
    if (spec->logging) {
      changelog.store = spec->name;
      changelog.topic = changelog_topic(application_id, spec->name);
      changelog.partition = id.partition;
      changelog.persistent = store->persistent();
      if (changelog.persistent) {
        if (auto it = checkpointed.find(changelog.topic); it != checkpointed.end()) {
          changelog.restore_from = it->second + 1;
          stores->written_offsets_[changelog.topic] = it->second;
        } else {
          // No checkpoint: whatever the store holds may be stale; rebuild it in full.
          KSTREAMS_RETURN_IF_ERROR(store->clear());
        }
      }
      std::string topic = changelog.topic;
      const std::int32_t partition = id.partition;
      std::string node = spec->name;
      store = make_changelogging_store(
          std::move(store), [&collector, topic, partition, node](
                                ByteView key, NullableByteView value, const WriteContext& context) {
            return collector.send(OutputRecord{.node = node,
                                               .topic = topic,
                                               .key = key,
                                               .value = value,
                                               .timestamp = context.timestamp,
                                               .headers = nullptr,
                                               .partition = partition});
          });
      stores->changelogs_.push_back(std::move(changelog));
    }
    if (spec->caching && environment.cache && environment.cache->max_bytes() > 0) {
      store = make_caching_store(std::move(store), environment.cache);
    }
    stores->stores_.emplace(spec->name, OpenStore{spec, std::move(store)});
  }
  return stores;
}

TaskStores::~TaskStores() { close(); }

BytesKeyValueStore* TaskStores::get(std::string_view name) const {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : it->second.top.get();
}

const StoreSpec* TaskStores::spec(std::string_view name) const {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : it->second.spec;
}

Status TaskStores::restore(std::string_view store, std::span<const KeyValueBytes> entries) {
  BytesKeyValueStore* s = get(store);
  if (s == nullptr)
    return not_found("task " + id_.to_string() + " has no store " + std::string(store));
  return s->restore_batch(entries);
}

Status TaskStores::flush() {
  for (auto& [name, store] : stores_) {
    KSTREAMS_RETURN_IF_ERROR(store.top->flush());
  }
  return {};
}

void TaskStores::on_changelog_written(const std::string& topic, std::int64_t offset) {
  auto& last = written_offsets_[topic];
  last = std::max(last, offset);
}

Status TaskStores::checkpoint(bool force) {
  if (directory_.empty()) return {};
  if (!force) {
    std::int64_t moved = 0;
    for (const auto& [topic, offset] : written_offsets_) {
      auto it = checkpointed_offsets_.find(topic);
      moved += offset - (it == checkpointed_offsets_.end() ? -1 : it->second);
    }
    if (moved < kCheckpointDelta) return {};
  }
  checkpointed_offsets_ = written_offsets_;
  std::vector<CheckpointEntry> entries;
  for (const ChangelogPartition& c : changelogs_) {
    if (!c.persistent) continue;
    auto it = written_offsets_.find(c.topic);
    if (it == written_offsets_.end()) continue;
    entries.push_back(CheckpointEntry{c.topic, c.partition, it->second});
  }
  return write_checkpoint(directory_, entries);
}

void TaskStores::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& [name, store] : stores_) store.top->close();
  stores_.clear();
  lock_.reset();
}

}  // namespace kstreams::internal
