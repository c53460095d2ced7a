#include "src/runtime/global_stores.h"

#include <kstreams/state/key_value_store.h>

#include "src/core/logging.h"
#include "state/checkpoint_file.h"
#include "state/in_memory_store.h"

namespace kstreams::internal {

Result<std::unique_ptr<GlobalStores>> GlobalStores::open(const TopologyDefinition& definition,
                                                         StoreEnvironment& environment) {
  std::unique_ptr<GlobalStores> global(new GlobalStores());
  global->topics_ = definition.global_store_by_topic;
  if (global->topics_.empty()) return global;
  if (!environment.directory) return illegal_state("global tables need a state directory");
  KSTREAMS_ASSIGN_OR_RETURN(TaskDirectoryLock lock, environment.directory->lock_task("global"));
  global->lock_.emplace(std::move(lock));
  global->directory_ = environment.directory->task_directory("global");
  Result<std::vector<CheckpointEntry>> entries = read_checkpoint(global->directory_);
  if (!entries.ok()) {
    logger().warn("global stores: {}; rebuilding them from their topics",
                  entries.status().to_string());
  } else {
    for (const auto& e : *entries) global->offsets_[{e.topic, e.partition}] = e.offset;
  }
  for (const auto& [topic, store_name] : global->topics_) {
    const StoreSpec& spec = definition.stores.at(store_name);
    std::unique_ptr<BytesKeyValueStore> store;
    if (spec.type == StoreType::kRocksDb) {
      KSTREAMS_ASSIGN_OR_RETURN(
          store, open_rocksdb_store(global->directory_ / "rocksdb" / store_name, store_name,
                                    environment.rocksdb));
    } else {
      store = make_in_memory_store(store_name);
    }
    bool checkpointed = false;
    for (const auto& [tp, offset] : global->offsets_) checkpointed |= tp.first == topic;
    if (!checkpointed || !store->persistent()) {
      // Its extent is unknown (or it starts empty): read the whole topic.
      KSTREAMS_RETURN_IF_ERROR(store->clear());
      std::erase_if(global->offsets_, [&](const auto& e) { return e.first.first == topic; });
    }
    global->stores_.emplace(store_name, std::move(store));
  }
  return global;
}

GlobalStores::~GlobalStores() {
  for (auto& [name, store] : stores_) store->close();
}

std::optional<std::int64_t> GlobalStores::resume_offset(const std::string& topic,
                                                        std::int32_t partition) const {
  std::lock_guard lock(mutex_);
  auto it = offsets_.find({topic, partition});
  if (it == offsets_.end()) return std::nullopt;
  return it->second + 1;
}

Status GlobalStores::apply(std::string_view topic, std::int32_t partition, std::int64_t offset,
                           NullableByteView key, NullableByteView value, std::int64_t timestamp) {
  std::lock_guard lock(mutex_);
  auto t = topics_.find(std::string(topic));
  if (t == topics_.end()) return not_found("'" + std::string(topic) + "' is not a global topic");
  offsets_[{t->first, partition}] = offset;
  if (!key) return {};  // as Kafka Streams: a record without a key cannot update a table
  BytesKeyValueStore& store = *stores_.at(t->second);
  context_.timestamp = timestamp;
  if (!value) return store.put(*key, std::nullopt, context_);
  const Bytes stamped = with_timestamp(timestamp, *value);
  return store.put(*key, ByteView(stamped), context_);
}

Status GlobalStores::checkpoint() {
  std::vector<CheckpointEntry> entries;
  {
    std::lock_guard lock(mutex_);
    if (directory_.empty()) return {};
    for (auto& [name, store] : stores_) KSTREAMS_RETURN_IF_ERROR(store->flush());
    for (const auto& [tp, offset] : offsets_) entries.push_back({tp.first, tp.second, offset});
  }
  // Written (and synced) without the lock: stream threads joining with the global tables and
  // interactive queries need not wait for the disk. Only the global thread writes checkpoints.
  return write_checkpoint(directory_, entries);
}

BytesKeyValueStore* GlobalStores::get(std::string_view name) const {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : it->second.get();
}

}  // namespace kstreams::internal
