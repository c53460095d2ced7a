// The only file of kstreams that includes RocksDB headers. Compiled with NDEBUG (see
// CMakeLists.txt): rocksdb/options.h picks the default info_log_level from it.
#include "state/rocksdb_store.h"

#include <algorithm>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "src/core/logging.h"

namespace kstreams::internal {

struct RocksDbResources::Impl {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager;
  RocksDbConfigSetter setter;
};

namespace {

namespace fs = std::filesystem;

rocksdb::Slice slice_of(ByteView bytes) { return {bytes.data(), bytes.size()}; }
ByteView view_of_slice(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

/// Every rocksdb::Status becomes a kstreams Status here and nowhere else.
Status translate(const rocksdb::Status& status, std::string_view operation,
                 const std::string& store, const fs::path& directory) {
  if (status.ok()) return Status();
  std::string where = "RocksDB store '" + store + "' at " + directory.string() + ": ";
  std::string what = std::string(operation) + " failed: " + status.ToString();
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return {StatusCode::kRetriable,
            where + "the directory is locked by another instance or thread (" + what + ")"};
  }
  if (status.IsCorruption()) {
    return {StatusCode::kTaskCorrupted,
            where + what + " (corrupt files: wipe the store and restore it from its changelog)"};
  }
  if (status.IsIOError()) return {StatusCode::kIo, where + what};
  if (status.IsBusy() || status.IsTryAgain()) return {StatusCode::kRetriable, where + what};
  if (status.IsTimedOut()) return {StatusCode::kTimeout, where + what};
  if (status.IsInvalidArgument() || status.IsNotSupported()) {
    return {StatusCode::kInvalidArgument, where + what};
  }
  if (status.IsNotFound()) return {StatusCode::kNotFound, where + what};
  if (status.IsShutdownInProgress() || status.IsAborted() || status.IsIncomplete()) {
    return {StatusCode::kIllegalState, where + what};
  }
  return {StatusCode::kFatal, where + what};
}

class RocksIterator;

/// What a store and its iterators share. close() deletes every open rocksdb::Iterator before the
/// DB (RocksDB requires it), so an iterator that outlives its store's close() is merely invalid.
struct DbHandle {
  std::unique_ptr<rocksdb::DB> db;  // Null once closed.
  std::unordered_set<RocksIterator*> iterators;
};

class RocksIterator final : public BytesIterator {
 public:
  RocksIterator(std::shared_ptr<DbHandle> handle, NullableByteView from, NullableByteView to,
                const std::string& store, const fs::path& directory)
      : handle_(std::move(handle)), store_(store), directory_(directory) {
    rocksdb::ReadOptions options;
    if (to) {
      // The smallest key after `to` is `to` + '\0': an exclusive bound that makes `to` inclusive.
      upper_bound_.assign(to->data(), to->size());
      upper_bound_.push_back('\0');
      upper_bound_slice_ = rocksdb::Slice(upper_bound_);
      options.iterate_upper_bound = &upper_bound_slice_;
    }
    iterator_.reset(handle_->db->NewIterator(options));
    handle_->iterators.insert(this);
    if (from) {
      iterator_->Seek(slice_of(*from));
    } else {
      iterator_->SeekToFirst();
    }
  }

  ~RocksIterator() override {
    iterator_.reset();
    handle_->iterators.erase(this);
  }

  [[nodiscard]] bool valid() const override { return iterator_ && iterator_->Valid(); }
  [[nodiscard]] ByteView key() const override { return view_of_slice(iterator_->key()); }
  [[nodiscard]] ByteView value() const override { return view_of_slice(iterator_->value()); }
  void next() override {
    if (valid()) iterator_->Next();
  }
  [[nodiscard]] Status status() const override {
    if (!iterator_) {
      return illegal_state("iterator of RocksDB store '" + store_ +
                           "' used after the store closed");
    }
    return translate(iterator_->status(), "iteration", store_, directory_);
  }

  /// Called by the store's close(), before the DB goes away.
  void invalidate() { iterator_.reset(); }

 private:
  std::shared_ptr<DbHandle> handle_;
  std::string store_;
  fs::path directory_;
  // The bound must outlive the rocksdb::Iterator that points to it: declared before it.
  std::string upper_bound_;
  rocksdb::Slice upper_bound_slice_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

class RocksDbStore final : public BytesKeyValueStore {
 public:
  RocksDbStore(std::string name, fs::path directory, std::unique_ptr<rocksdb::DB> db,
               std::shared_ptr<RocksDbResources> resources)
      : name_(std::move(name)),
        directory_(std::move(directory)),
        resources_(std::move(resources)),
        handle_(std::make_shared<DbHandle>()) {
    handle_->db = std::move(db);
    restore_options_.disableWAL = true;
  }
  ~RocksDbStore() override { close(); }

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] bool persistent() const override { return true; }

  Result<NullableBytes> get(ByteView key) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    std::string value;
    rocksdb::Status status = db().Get(rocksdb::ReadOptions(), slice_of(key), &value);
    if (status.IsNotFound()) return NullableBytes();
    if (!status.ok()) return translate(status, "get", name_, directory_);
    return NullableBytes(std::move(value));
  }

  Status put(ByteView key, NullableByteView value, const WriteContext& /*context*/) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    rocksdb::Status status = value ? db().Put(write_options_, slice_of(key), slice_of(*value))
                                   : db().Delete(write_options_, slice_of(key));
    return translate(status, "put", name_, directory_);
  }

  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& /*context*/) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return write_batch(entries, write_options_, "put_all");
  }

  Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                               NullableByteView to) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return std::unique_ptr<BytesIterator>(
        std::make_unique<RocksIterator>(handle_, from, to, name_, directory_));
  }

  Result<std::uint64_t> approximate_num_entries() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    std::uint64_t count = 0;
    if (!db().GetIntProperty("rocksdb.estimate-num-keys", &count)) {
      return Status(StatusCode::kFatal, "RocksDB store '" + name_ +
                                            "': property rocksdb.estimate-num-keys unavailable");
    }
    return count;
  }

  Status flush() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return flush_restored();
  }

  Status restore_batch(std::span<const KeyValueBytes> entries) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    if (entries.empty()) return Status();
    unflushed_restore_ = true;
    return write_batch(entries, restore_options_, "restore_batch");
  }

  Status clear() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    // DeleteRange's end is exclusive and keys have no largest value, so the last key present
    // is deleted on its own; both go in one batch.
    std::string last;
    {
      std::unique_ptr<rocksdb::Iterator> it(db().NewIterator(rocksdb::ReadOptions()));
      it->SeekToLast();
      KSTREAMS_RETURN_IF_ERROR(translate(it->status(), "clear", name_, directory_));
      if (!it->Valid()) return Status();
      last = it->key().ToString();
    }
    rocksdb::WriteBatch batch;
    rocksdb::Status status = batch.DeleteRange(rocksdb::Slice(), rocksdb::Slice(last));
    if (status.ok()) status = batch.Delete(rocksdb::Slice(last));
    if (status.ok()) status = db().Write(write_options_, &batch);
    return translate(status, "clear", name_, directory_);
  }

  void close() override {
    if (!handle_->db) return;
    for (RocksIterator* iterator : handle_->iterators) iterator->invalidate();
    Status flushed = flush_restored();
    if (!flushed.ok()) logger().warn("closing RocksDB store '{}': {}", name_, flushed.message());
    Status closed = translate(handle_->db->Close(), "close", name_, directory_);
    if (!closed.ok()) logger().warn("{}", closed.message());
    handle_->db.reset();
  }

  bool set_flush_listener(CacheFlushListener /*listener*/) override { return false; }

 private:
  rocksdb::DB& db() { return *handle_->db; }

  Status check_open() const {
    if (handle_->db) return Status();
    return illegal_state("RocksDB store '" + name_ + "' is closed");
  }

  Status write_batch(std::span<const KeyValueBytes> entries, const rocksdb::WriteOptions& options,
                     std::string_view operation) {
    rocksdb::WriteBatch batch;
    rocksdb::Status status;
    for (const KeyValueBytes& entry : entries) {
      status = entry.value ? batch.Put(slice_of(entry.key), slice_of(*entry.value))
                           : batch.Delete(slice_of(entry.key));
      if (!status.ok()) return translate(status, operation, name_, directory_);
    }
    return translate(db().Write(options, &batch), operation, name_, directory_);
  }

  /// Restored data bypassed the WAL: it is durable only once in SST files.
  Status flush_restored() {
    if (!unflushed_restore_) return Status();
    rocksdb::FlushOptions options;
    options.wait = true;
    KSTREAMS_RETURN_IF_ERROR(translate(db().Flush(options), "flush", name_, directory_));
    unflushed_restore_ = false;
    return Status();
  }

  std::string name_;
  fs::path directory_;
  // Destroyed after the DB (members go in reverse order): the DB uses the cache.
  std::shared_ptr<RocksDbResources> resources_;
  std::shared_ptr<DbHandle> handle_;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteOptions restore_options_;
  bool unflushed_restore_ = false;
};

rocksdb::CompressionType best_compression() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (rocksdb::CompressionType wanted : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), wanted) != supported.end()) return wanted;
  }
  return rocksdb::kNoCompression;
}

}  // namespace

RocksDbResources::RocksDbResources(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbResources::~RocksDbResources() = default;

std::shared_ptr<RocksDbResources> RocksDbResources::create(std::size_t block_cache_bytes,
                                                           std::size_t write_buffer_bytes,
                                                           RocksDbConfigSetter setter) {
  auto impl = std::make_unique<Impl>();
  rocksdb::LRUCacheOptions cache_options;
  cache_options.capacity = block_cache_bytes;
  // Index and filter blocks live in the cache too; keep them in its high-priority pool.
  cache_options.high_pri_pool_ratio = 0.1;
  impl->block_cache = rocksdb::NewLRUCache(cache_options);
  impl->write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(write_buffer_bytes, impl->block_cache);
  impl->setter = std::move(setter);
  return std::shared_ptr<RocksDbResources>(new RocksDbResources(std::move(impl)));
}

std::size_t RocksDbResources::block_cache_usage() const { return impl_->block_cache->GetUsage(); }

void configure_rocksdb_options(const RocksDbResources& resources, const std::string& store_name,
                               rocksdb::Options& options) {
  // Kafka Streams' RocksDBStore defaults, except level compaction (Kafka uses universal) and
  // compression (Kafka uses none): level compaction bounds space amplification of stores that
  // are updated in place, and LZ4 costs little CPU.
  options.create_if_missing = true;
  options.error_if_exists = false;
  options.info_log_level = rocksdb::InfoLogLevel::ERROR_LEVEL;
  options.keep_log_file_num = 2;
  options.compaction_style = rocksdb::kCompactionStyleLevel;
  options.compression = best_compression();
  options.write_buffer_size = 16 * 1024 * 1024;
  options.max_write_buffer_number = 3;
  options.IncreaseParallelism(static_cast<int>(std::max(2U, std::thread::hardware_concurrency())));
  options.write_buffer_manager = resources.impl().write_buffer_manager;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = resources.impl().block_cache;
  table.block_size = 4 * 1024;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Bounded memory: index and filter blocks are charged to the shared cache as well.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  if (resources.impl().setter) resources.impl().setter(store_name, options);
}

Result<std::unique_ptr<BytesKeyValueStore>> open_rocksdb_store(
    const std::filesystem::path& directory, std::string name,
    const std::shared_ptr<RocksDbResources>& resources) {
  if (!resources) return invalid_argument("open_rocksdb_store('" + name + "'): no resources");
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    return Status(StatusCode::kIo, "RocksDB store '" + name + "': cannot create directory " +
                                       directory.string() + ": " + error.message());
  }
  rocksdb::Options options;
  configure_rocksdb_options(*resources, name, options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, directory.string(), &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  KSTREAMS_RETURN_IF_ERROR(translate(status, "open", name, directory));
  return std::unique_ptr<BytesKeyValueStore>(
      std::make_unique<RocksDbStore>(std::move(name), directory, std::move(db), resources));
}

}  // namespace kstreams::internal
