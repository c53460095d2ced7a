// File: state/rocksdb_store.h (private)
//
// The persistent key-value store over bytes (Kafka Streams' RocksDBStore), and the RocksDB memory
// shared by every such store of one KafkaStreams instance. No RocksDB header is included here:
// the runtime includes this file and RocksDB stays an implementation detail of state/.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <kstreams/internal/bytes_store.h>
#include <kstreams/status.h>

namespace rocksdb {
struct Options;
}  // namespace rocksdb

namespace kstreams::internal {

/// Adjusts the options of one store before it opens (Kafka Streams' rocksdb.config.setter):
/// called with the store's name and the options kstreams chose, which already point to the
/// shared block cache and write buffer manager.
using RocksDbConfigSetter =
    std::function<void(const std::string& store_name, rocksdb::Options& options)>;

/// The RocksDB memory of one KafkaStreams instance: one LRU block cache and one write buffer
/// manager charged to that cache, shared by every RocksDB store the instance opens, so that
/// memory stays bounded however many tasks it runs (Kafka Streams' BoundedMemoryRocksDBConfig).
/// Thread-safe: stores of different stream threads share it (RocksDB's cache and write buffer
/// manager are thread-safe); the config setter is called from whichever thread opens a store.
class RocksDbResources {
 public:
  /// `block_cache_bytes`: capacity of the shared block cache (data, index and filter blocks).
  /// `write_buffer_bytes`: the limit on all memtables together, charged to the block cache (so
  /// the cache is the total budget; keep write_buffer_bytes below block_cache_bytes).
  /// `setter` may be empty.
  static std::shared_ptr<RocksDbResources> create(std::size_t block_cache_bytes,
                                                  std::size_t write_buffer_bytes,
                                                  RocksDbConfigSetter setter);

  RocksDbResources(const RocksDbResources&) = delete;
  RocksDbResources& operator=(const RocksDbResources&) = delete;
  ~RocksDbResources();

  /// Bytes currently held by the block cache (memtables included).
  [[nodiscard]] std::size_t block_cache_usage() const;

  /// Defined in rocksdb_store.cc, the only place that includes RocksDB.
  struct Impl;
  [[nodiscard]] const Impl& impl() const { return *impl_; }

 private:
  explicit RocksDbResources(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Opens (creating it if needed) the RocksDB store `name` in `directory`, which is created too.
/// Options follow Kafka Streams' RocksDBStore: level compaction, a 10-bit bloom filter, LZ4 when
/// the library has it, 4 KiB blocks, 16 MiB write buffers, at most 3 of them, info log at ERROR;
/// then `resources`' config setter runs.
///
/// Writes: put/put_all go through the WAL (put_all as one WriteBatch); restore_batch is one
/// WriteBatch without the WAL. flush() flushes the memtables to SST files only when a
/// restore_batch happened since the last flush: that data is not in the WAL, and a checkpoint
/// written after flush() must never point past what a crash would keep. Everything else is
/// durable through the WAL, so flush() is free at commit time otherwise. close() also flushes
/// WAL-less data. clear() deletes every key with one DeleteRange over the whole key space.
///
/// Errors: kRetriable when another instance or thread holds the RocksDB lock of `directory`;
/// kTaskCorrupted when files are corrupt (wipe and restore); kIo for other I/O failures; every
/// message names the store and its directory.
Result<std::unique_ptr<BytesKeyValueStore>> open_rocksdb_store(
    const std::filesystem::path& directory, std::string name,
    const std::shared_ptr<RocksDbResources>& resources);

/// Fills `options` exactly as open_rocksdb_store does for the store `store_name` (defaults, the
/// shared cache and write buffer manager, then the config setter). For benchmarks and tools that
/// open RocksDB directly and must compare like with like.
void configure_rocksdb_options(const RocksDbResources& resources, const std::string& store_name,
                               rocksdb::Options& options);

}  // namespace kstreams::internal
