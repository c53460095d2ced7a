// File: kstreams/state/key_value_store.h
//
// Typed views of a key-value state store: what a Processor gets from
// `ProcessorContext::get_state_store<K, V>(name)`, what `KafkaStreams::store<K, V>(name)` and
// `TopologyTestDriver::get_key_value_store<K, V>(name)` return. Keys and values are serialized
// with the store's serdes at this boundary; the store below works on bytes, ordered by the
// serialized key (unsigned byte order, as RocksDB), so `range` follows the byte order of the
// key serde (for the built-in integer serdes: numeric order of non-negative numbers).
//
//   auto store = context.get_state_store<std::string, std::int64_t>("counts");
//   std::int64_t n = store.get(record.key).value_or(0) + 1;
//   store.put(record.key, n);
//
// Errors: a value that cannot be (de)serialized throws StreamsException (kSerialization), which
// the processing exception handler receives; a store that fails (I/O, corruption, closed) throws
// StreamsException with kIo or kIllegalState, which fails the task whatever the handler says.
//
// Not thread-safe: inside a task, views are used on the task's thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <kstreams/bytes.h>
#include <kstreams/errors.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>

namespace kstreams {

/// A value with the timestamp of the record that last wrote it (aggregation and table stores).
template <class V>
struct ValueAndTimestamp {
  V value;
  std::int64_t timestamp = 0;
  friend bool operator==(const ValueAndTimestamp&, const ValueAndTimestamp&) = default;
};

namespace internal {

[[noreturn]] inline void throw_store_error(const Status& status, const std::string& store) {
  throw StreamsException(status.with_context("state store '" + store + "'"));
}

/// Writes `timestamp` as 8 big-endian bytes in front of `value_bytes`.
inline Bytes with_timestamp(std::int64_t timestamp, ByteView value_bytes) {
  Bytes out(8, '\0');
  auto u = static_cast<std::uint64_t>(timestamp);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xffU);
    u >>= 8U;
  }
  out.append(value_bytes);
  return out;
}

/// Splits bytes written by with_timestamp; nullopt when too short to hold a timestamp.
inline std::optional<std::pair<std::int64_t, ByteView>> split_timestamp(ByteView bytes) {
  if (bytes.size() < 8) return std::nullopt;
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < 8; ++i) u = (u << 8U) | static_cast<unsigned char>(bytes[i]);
  return std::pair<std::int64_t, ByteView>(static_cast<std::int64_t>(u), bytes.substr(8));
}

}  // namespace internal

/// Iterates over entries in key byte order, Java-style:
///   for (auto it = store.all(); it.has_next();) { KeyValue<K, V> kv = it.next(); }
/// Must not outlive its store: after the store closes, has_next() throws kIllegalState.
template <class K, class V>
class KeyValueIterator {
 public:
  KeyValueIterator(std::unique_ptr<internal::BytesIterator> bytes, Serde<K> key_serde,
                   Serde<V> value_serde, std::string store)
      : bytes_(std::move(bytes)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)),
        store_(std::move(store)) {}

  [[nodiscard]] bool has_next() const {
    if (bytes_->valid()) return true;
    if (Status s = bytes_->status(); !s.ok()) internal::throw_store_error(s, store_);
    return false;
  }
  /// The next entry; only when has_next().
  KeyValue<K, V> next() {
    if (!has_next()) internal::throw_store_error(illegal_state("next() past the end"), store_);
    Result<K> key = key_serde_.deserialize(bytes_->key());
    if (!key.ok()) internal::throw_store_error(key.status().with_context("key"), store_);
    Result<V> value = value_serde_.deserialize(bytes_->value());
    if (!value.ok()) internal::throw_store_error(value.status().with_context("value"), store_);
    bytes_->next();
    return KeyValue<K, V>{std::move(key).value(), std::move(value).value()};
  }
  /// The remaining entries.
  std::vector<KeyValue<K, V>> to_vector() {
    std::vector<KeyValue<K, V>> out;
    while (has_next()) out.push_back(next());
    return out;
  }

 private:
  std::unique_ptr<internal::BytesIterator> bytes_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
  std::string store_;
};

/// Reads of a key-value store.
template <class K, class V>
class ReadOnlyKeyValueStore {
 public:
  ReadOnlyKeyValueStore(internal::BytesKeyValueStore& store, Serde<K> key_serde,
                        Serde<V> value_serde)
      : store_(&store), key_serde_(std::move(key_serde)), value_serde_(std::move(value_serde)) {}

  [[nodiscard]] const std::string& name() const { return store_->name(); }

  /// The value of `key`, or nullopt.
  [[nodiscard]] std::optional<V> get(const K& key) const {
    Result<NullableBytes> bytes = store_->get(serialize_key(key));
    if (!bytes.ok()) internal::throw_store_error(bytes.status(), name());
    if (!bytes->has_value()) return std::nullopt;
    Result<V> value = value_serde_.deserialize(**bytes);
    if (!value.ok()) internal::throw_store_error(value.status().with_context("value"), name());
    return std::move(value).value();
  }
  /// Entries with from <= key <= to (serialized byte order).
  [[nodiscard]] KeyValueIterator<K, V> range(const K& from, const K& to) const {
    Bytes f = serialize_key(from);
    Bytes t = serialize_key(to);
    return iterate(ByteView(f), ByteView(t));
  }
  /// Every entry.
  [[nodiscard]] KeyValueIterator<K, V> all() const { return iterate(std::nullopt, std::nullopt); }
  /// An estimate of the number of entries (exact in memory).
  [[nodiscard]] std::uint64_t approximate_num_entries() const {
    Result<std::uint64_t> n = store_->approximate_num_entries();
    if (!n.ok()) internal::throw_store_error(n.status(), name());
    return *n;
  }

 protected:
  Bytes serialize_key(const K& key) const {
    NullableBytes out;
    if (Status s = key_serde_.serialize(key, out); !s.ok()) {
      internal::throw_store_error(s.with_context("key"), name());
    }
    if (!out) internal::throw_store_error(invalid_argument("a store key cannot be null"), name());
    return std::move(*out);
  }
  Bytes serialize_value(const V& value) const {
    NullableBytes out;
    if (Status s = value_serde_.serialize(value, out); !s.ok()) {
      internal::throw_store_error(s.with_context("value"), name());
    }
    if (!out) {
      internal::throw_store_error(invalid_argument("a null value cannot be stored; use remove()"),
                                  name());
    }
    return std::move(*out);
  }
  [[nodiscard]] internal::BytesKeyValueStore& bytes() const { return *store_; }

 private:
  KeyValueIterator<K, V> iterate(NullableByteView from, NullableByteView to) const {
    auto it = store_->range(from, to);
    if (!it.ok()) internal::throw_store_error(it.status(), name());
    return KeyValueIterator<K, V>(std::move(it).value(), key_serde_, value_serde_, name());
  }

  internal::BytesKeyValueStore* store_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
};

/// Reads and writes of a key-value store (inside a task). Writes go through the store's
/// caching and changelogging layers: they reach the changelog topic (and so survive the
/// instance) when the task commits.
template <class K, class V>
class KeyValueStore : public ReadOnlyKeyValueStore<K, V> {
 public:
  KeyValueStore(internal::BytesKeyValueStore& store, Serde<K> key_serde, Serde<V> value_serde,
                const internal::WriteContext* context)
      : ReadOnlyKeyValueStore<K, V>(store, std::move(key_serde), std::move(value_serde)),
        context_(context) {}

  void put(const K& key, const V& value) {
    Bytes k = this->serialize_key(key);
    Bytes v = this->serialize_value(value);
    check(this->bytes().put(k, ByteView(v), *context_));
  }
  /// Writes `value` unless `key` has one; returns the existing value.
  std::optional<V> put_if_absent(const K& key, const V& value) {
    std::optional<V> existing = this->get(key);
    if (!existing) put(key, value);
    return existing;
  }
  /// Deletes `key`; returns the value it had.
  std::optional<V> remove(const K& key) {
    std::optional<V> existing = this->get(key);
    check(this->bytes().put(this->serialize_key(key), std::nullopt, *context_));
    return existing;
  }
  void put_all(const std::vector<KeyValue<K, V>>& entries) {
    std::vector<internal::KeyValueBytes> batch;
    batch.reserve(entries.size());
    for (const auto& kv : entries) {
      batch.push_back({this->serialize_key(kv.key), this->serialize_value(kv.value)});
    }
    check(this->bytes().put_all(batch, *context_));
  }

 private:
  void check(const Status& s) const {
    if (!s.ok()) internal::throw_store_error(s, this->name());
  }
  const internal::WriteContext* context_;
};

}  // namespace kstreams
