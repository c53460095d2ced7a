// Internal: the byte-level key-value store every typed store view sits on. Implemented in state/
// (RocksDB, in-memory, and the caching and changelogging layers that wrap another store); the
// typed views in kstreams/state/ serialize at this boundary. Not API.
//
// Keys are ordered by unsigned byte-wise comparison (memcmp), in every implementation, so a
// range means the same thing in RocksDB and in memory. A value is never null inside a store:
// writing a null value deletes the key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/status.h>

namespace kstreams::internal {

/// A cursor over keys in byte order. Not thread-safe. Must not outlive its store: a store that
/// is closed while an iterator is open makes that iterator invalid with kIllegalState.
class BytesIterator {
 public:
  BytesIterator() = default;
  BytesIterator(const BytesIterator&) = delete;
  BytesIterator& operator=(const BytesIterator&) = delete;
  virtual ~BytesIterator() = default;

  /// True while positioned on an entry.
  [[nodiscard]] virtual bool valid() const = 0;
  /// The current entry; only while valid(). Views stay valid until next() or destruction.
  [[nodiscard]] virtual ByteView key() const = 0;
  [[nodiscard]] virtual ByteView value() const = 0;
  virtual void next() = 0;
  /// Why iteration ended early; OK at the normal end of the range.
  [[nodiscard]] virtual Status status() const = 0;
};

/// One write: a null value deletes the key.
struct KeyValueBytes {
  Bytes key;
  NullableBytes value;
};

/// The record being processed when a write happened: a caching layer keeps it with the entry so
/// that what it forwards at flush time carries the timestamp and headers of the last write.
struct WriteContext {
  std::int64_t timestamp = 0;
  Headers headers;
};

/// Called by a caching layer for each dirty entry it flushes or evicts, after the write reached
/// the store below: the key, the value now stored (null: deleted), the value stored before the
/// flush (null: none), and the context of the last write.
using CacheFlushListener =
    std::function<void(ByteView key, NullableByteView new_value, NullableByteView old_value,
                       const WriteContext& context)>;

/// A key-value store over bytes. Not thread-safe: a store belongs to one task, used by one
/// thread (interactive queries go through the runtime, which serializes access).
class BytesKeyValueStore {
 public:
  BytesKeyValueStore() = default;
  BytesKeyValueStore(const BytesKeyValueStore&) = delete;
  BytesKeyValueStore& operator=(const BytesKeyValueStore&) = delete;
  virtual ~BytesKeyValueStore() = default;

  [[nodiscard]] virtual const std::string& name() const = 0;
  /// True when the data survives a restart on its own (RocksDB), so a checkpoint is meaningful.
  [[nodiscard]] virtual bool persistent() const = 0;

  /// The value of `key`; null when absent.
  virtual Result<NullableBytes> get(ByteView key) = 0;
  /// Writes `value` under `key`; a null value deletes the key. `context` is the record being
  /// processed (the changelog record gets its timestamp; a cache keeps it for its flush).
  virtual Status put(ByteView key, NullableByteView value, const WriteContext& context) = 0;
  /// Writes every entry, in order, atomically where the store can (RocksDB: one WriteBatch).
  virtual Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) = 0;
  /// Entries with from <= key <= to in byte order; a null bound is open.
  virtual Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                                       NullableByteView to) = 0;
  /// An estimate of the number of keys (exact for in-memory stores).
  virtual Result<std::uint64_t> approximate_num_entries() = 0;

  /// Makes every write so far durable in this layer and the ones below it (a cache writes its
  /// dirty entries down and calls its flush listener; RocksDB flushes nothing, its WAL is
  /// enough).
  virtual Status flush() = 0;
  /// Loads changelog entries during restoration: no changelog, no cache, no listener; RocksDB
  /// writes them in one batch without the WAL. Entries are applied in order.
  virtual Status restore_batch(std::span<const KeyValueBytes> entries) = 0;
  /// Drops every entry (used before a full restore into a store that may hold stale data).
  virtual Status clear() = 0;
  /// Releases the store (idempotent). Open iterators become invalid.
  virtual void close() = 0;

  /// Asks to be told of every entry a caching layer flushes. False when no layer of this stack
  /// caches: then the caller must forward its own updates as they happen.
  virtual bool set_flush_listener(CacheFlushListener listener) = 0;
};

}  // namespace kstreams::internal
