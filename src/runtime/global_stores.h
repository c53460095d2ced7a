// The stores of an instance's global tables: each a full copy of its topic, under
// state.dir/<application.id>/global/, with a checkpoint of the topic offsets they contain. Fed by
// the global consumer (KafkaStreams) or by the test driver. Thread-safety: every method is
// guarded by mutex(), which interactive queries take too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <kstreams/internal/bytes_store.h>
#include <kstreams/status.h>

#include "src/runtime/task_stores.h"
#include "src/topology/topology_definition.h"

namespace kstreams::internal {

class GlobalStores {
 public:
  /// Opens the store of every global table of `definition`. A persistent store is trusted up to
  /// its checkpoint; without one it is cleared and rebuilt from its topic.
  static Result<std::unique_ptr<GlobalStores>> open(const TopologyDefinition& definition,
                                                    StoreEnvironment& environment);
  GlobalStores(const GlobalStores&) = delete;
  GlobalStores& operator=(const GlobalStores&) = delete;
  ~GlobalStores();

  /// The global topics and their stores.
  [[nodiscard]] const std::map<std::string, std::string>& topics() const { return topics_; }
  /// Where reading `topic`-`partition` resumes: after the checkpointed offset, or nullopt.
  [[nodiscard]] std::optional<std::int64_t> resume_offset(const std::string& topic,
                                                          std::int32_t partition) const;

  /// Applies one record of a global topic: a null value deletes the key; a null key is skipped.
  Status apply(std::string_view topic, std::int32_t partition, std::int64_t offset,
               NullableByteView key, NullableByteView value, std::int64_t timestamp);
  /// Makes the stores durable and writes the checkpoint.
  Status checkpoint();

  /// The store `name` (nullptr: not a global store). Use under mutex().
  [[nodiscard]] BytesKeyValueStore* get(std::string_view name) const;
  [[nodiscard]] std::mutex& mutex() const { return mutex_; }

 private:
  GlobalStores() = default;

  mutable std::mutex mutex_;
  std::map<std::string, std::string> topics_;  // topic -> store
  std::map<std::string, std::unique_ptr<BytesKeyValueStore>, std::less<>> stores_;
  std::optional<TaskDirectoryLock> lock_;
  std::filesystem::path directory_;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> offsets_;  // last applied
  WriteContext context_;
};

}  // namespace kstreams::internal
