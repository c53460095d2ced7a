#include "state/caching_store.h"

#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kstreams::internal {
namespace {

/// What an entry costs beyond its bytes: the map node, two list nodes, the context.
constexpr std::size_t kEntryOverhead = 96;

struct CacheEntry {
  NullableBytes value;
  WriteContext context;
  bool dirty = false;
  // The inner store's value of a dirty entry, when known (the entry was clean before it became
  // dirty, so its value was the inner one): the flush then needs no read of the inner store. A
  // clean entry's value is the inner value by definition.
  bool old_known = false;
  NullableBytes old_value;
  std::size_t charged = 0;
  // Keys point into the map's nodes, which never move.
  std::list<const std::string*>::iterator lru_position;
  std::list<const std::string*>::iterator dirty_position;
};

using CacheMap = std::map<std::string, CacheEntry, std::less<>>;

std::size_t cost_of(const std::string& key, const CacheEntry& entry) {
  std::size_t bytes = kEntryOverhead + key.size() + (entry.value ? entry.value->size() : 0) +
                      (entry.old_value ? entry.old_value->size() : 0);
  for (const Header& header : entry.context.headers) {
    bytes += header.key.size() + (header.value ? header.value->size() : 0);
  }
  return bytes;
}

bool same_context(const WriteContext& a, const WriteContext& b) {
  return a.timestamp == b.timestamp && a.headers == b.headers;
}

/// The cache's entries in range (a snapshot) merged with the inner store's iterator; a cached
/// entry wins over an inner one with the same key, and a cached delete hides it.
class MergedIterator final : public BytesIterator {
 public:
  MergedIterator(std::vector<std::pair<std::string, NullableBytes>> cached,
                 std::unique_ptr<BytesIterator> inner, std::shared_ptr<const bool> closed)
      : cached_(std::move(cached)), inner_(std::move(inner)), closed_(std::move(closed)) {
    settle();
  }

  [[nodiscard]] bool valid() const override { return !*closed_ && current_ != Source::kNone; }
  [[nodiscard]] ByteView key() const override {
    return current_ == Source::kCache ? ByteView(cached_[next_cached_].first) : inner_->key();
  }
  [[nodiscard]] ByteView value() const override {
    return current_ == Source::kCache ? ByteView(*cached_[next_cached_].second) : inner_->value();
  }
  void next() override {
    if (!valid()) return;
    if (current_ == Source::kCache) {
      ++next_cached_;
    } else {
      inner_->next();
    }
    settle();
  }
  [[nodiscard]] Status status() const override {
    if (*closed_) return illegal_state("caching store iterator used after its store was closed");
    return inner_->status();
  }

 private:
  enum class Source { kNone, kCache, kInner };

  void settle() {
    current_ = Source::kNone;
    while (!*closed_) {
      const bool has_cached = next_cached_ < cached_.size();
      const bool has_inner = inner_->valid();
      if (!has_cached && !has_inner) return;
      if (!has_cached || (has_inner && inner_->key() < ByteView(cached_[next_cached_].first))) {
        current_ = Source::kInner;
        return;
      }
      if (has_inner && inner_->key() == ByteView(cached_[next_cached_].first)) inner_->next();
      if (cached_[next_cached_].second) {
        current_ = Source::kCache;
        return;
      }
      ++next_cached_;
    }
  }

  std::vector<std::pair<std::string, NullableBytes>> cached_;
  std::size_t next_cached_ = 0;
  std::unique_ptr<BytesIterator> inner_;
  std::shared_ptr<const bool> closed_;
  Source current_ = Source::kNone;
};

class CachingStore final : public BytesKeyValueStore {
 public:
  CachingStore(std::unique_ptr<BytesKeyValueStore> inner, std::shared_ptr<CacheBudget> budget)
      : inner_(std::move(inner)), budget_(std::move(budget)) {}
  ~CachingStore() override { drop_cache(); }

  [[nodiscard]] const std::string& name() const override { return inner_->name(); }
  [[nodiscard]] bool persistent() const override { return inner_->persistent(); }

  Result<NullableBytes> get(ByteView key) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    if (auto it = entries_.find(key); it != entries_.end()) {
      touch(it);
      return it->second.value;
    }
    KSTREAMS_ASSIGN_OR_RETURN(NullableBytes value, inner_->get(key));
    if (value && caching()) {
      auto it = entries_.emplace(std::string(key), CacheEntry{}).first;
      it->second.value = value;
      lru_.push_back(&it->first);
      it->second.lru_position = std::prev(lru_.end());
      recharge(it);
      KSTREAMS_RETURN_IF_ERROR(maybe_evict());
    }
    return value;
  }

  Status put(ByteView key, NullableByteView value, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    if (!caching()) {
      const KeyValueBytes entry{Bytes(key), value ? NullableBytes(*value) : std::nullopt};
      return write_through(std::span<const KeyValueBytes>(&entry, 1), context);
    }
    cache_dirty(key, value, context);
    return maybe_evict();
  }

  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    if (!caching()) return write_through(entries, context);
    for (const KeyValueBytes& entry : entries)
      cache_dirty(entry.key, view_of(entry.value), context);
    return maybe_evict();
  }

  Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                               NullableByteView to) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    std::vector<std::pair<std::string, NullableBytes>> cached;
    auto it = from ? entries_.lower_bound(*from) : entries_.begin();
    for (; it != entries_.end() && (!to || ByteView(it->first) <= *to); ++it) {
      cached.emplace_back(it->first, it->second.value);
    }
    KSTREAMS_ASSIGN_OR_RETURN(std::unique_ptr<BytesIterator> inner, inner_->range(from, to));
    return std::unique_ptr<BytesIterator>(
        std::make_unique<MergedIterator>(std::move(cached), std::move(inner), closed_));
  }

  Result<std::uint64_t> approximate_num_entries() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return inner_->approximate_num_entries();
  }

  Status flush() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    KSTREAMS_RETURN_IF_ERROR(flush_dirty());
    return inner_->flush();
  }

  Status restore_batch(std::span<const KeyValueBytes> entries) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return inner_->restore_batch(entries);
  }

  Status clear() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    drop_cache();
    return inner_->clear();
  }

  void close() override {
    if (*closed_) return;
    *closed_ = true;
    drop_cache();
    inner_->close();
  }

  bool set_flush_listener(CacheFlushListener listener) override {
    listener_ = std::move(listener);
    return true;
  }

 private:
  [[nodiscard]] bool caching() const { return budget_->max_bytes() > 0; }

  Status check_open() const {
    if (!*closed_) return Status();
    return illegal_state("caching store '" + inner_->name() + "' is closed");
  }

  void touch(CacheMap::iterator it) { lru_.splice(lru_.end(), lru_, it->second.lru_position); }

  void recharge(CacheMap::iterator it) {
    budget_->release(it->second.charged);
    it->second.charged = cost_of(it->first, it->second);
    budget_->charge(it->second.charged);
  }

  void cache_dirty(ByteView key, NullableByteView value, const WriteContext& context) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(std::string(key), CacheEntry{}).first;
      lru_.push_back(&it->first);
      it->second.lru_position = std::prev(lru_.end());
    } else {
      touch(it);
    }
    CacheEntry& entry = it->second;
    if (!entry.dirty && entry.value) {
      // A clean entry holds what the inner store has: remember it for the flush's old value.
      entry.old_value = std::move(entry.value);
      entry.old_known = true;
    }
    if (value) {
      entry.value.emplace(*value);
    } else {
      entry.value.reset();
    }
    entry.context = context;
    // Flush order is the order of the last write (Kafka Streams' dirty-key order).
    if (entry.dirty) {
      dirty_.splice(dirty_.end(), dirty_, entry.dirty_position);
    } else {
      entry.dirty = true;
      dirty_.push_back(&it->first);
      entry.dirty_position = std::prev(dirty_.end());
    }
    recharge(it);
  }

  void erase(CacheMap::iterator it) {
    budget_->release(it->second.charged);
    lru_.erase(it->second.lru_position);
    if (it->second.dirty) dirty_.erase(it->second.dirty_position);
    entries_.erase(it);
  }

  void drop_cache() {
    while (!entries_.empty()) erase(entries_.begin());
  }

  /// Least recently used first; a dirty victim makes the whole store flush first.
  Status maybe_evict() {
    while (budget_->exceeded() && !lru_.empty()) {
      auto victim = entries_.find(*lru_.front());
      if (victim->second.dirty) {
        // Flushing erases cached deletes, possibly the victim: look again.
        KSTREAMS_RETURN_IF_ERROR(flush_dirty());
        continue;
      }
      erase(victim);
    }
    return Status();
  }

  /// Old values are read first, every entry is written, and only then is the listener called:
  /// with data it owns, so that it may use this store again.
  Status flush_dirty() {
    if (dirty_.empty()) return Status();
    std::vector<CacheMap::iterator> flushed;
    flushed.reserve(dirty_.size());
    for (const std::string* key : dirty_) flushed.push_back(entries_.find(*key));

    std::vector<NullableBytes> old_values;
    if (listener_) {
      old_values.reserve(flushed.size());
      for (CacheMap::iterator it : flushed) {
        if (it->second.old_known) {
          old_values.push_back(std::move(it->second.old_value));
          continue;
        }
        KSTREAMS_ASSIGN_OR_RETURN(NullableBytes old_value, inner_->get(it->first));
        old_values.push_back(std::move(old_value));
      }
    }

    std::vector<KeyValueBytes> batch;
    batch.reserve(flushed.size());
    for (CacheMap::iterator it : flushed) batch.push_back({it->first, it->second.value});
    std::size_t run_start = 0;
    for (std::size_t i = 1; i <= flushed.size(); ++i) {
      if (i < flushed.size() &&
          same_context(flushed[i]->second.context, flushed[run_start]->second.context)) {
        continue;
      }
      KSTREAMS_RETURN_IF_ERROR(
          inner_->put_all(std::span<const KeyValueBytes>(batch).subspan(run_start, i - run_start),
                          flushed[run_start]->second.context));
      run_start = i;
    }

    // A clean entry needs no context: the listener gets it by move.
    std::vector<WriteContext> contexts;
    contexts.reserve(flushed.size());
    for (CacheMap::iterator it : flushed) {
      contexts.push_back(std::move(it->second.context));
      it->second.context = WriteContext();
      it->second.dirty = false;
      it->second.old_known = false;
      it->second.old_value.reset();
      recharge(it);
    }
    dirty_.clear();
    // A cached delete has reached the store; keeping it would only cost memory.
    for (CacheMap::iterator it : flushed) {
      if (!it->second.value) erase(it);
    }

    if (listener_) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        listener_(batch[i].key, view_of(batch[i].value), view_of(old_values[i]), contexts[i]);
      }
    }
    return Status();
  }

  /// The cache is disabled: write now, then tell the listener.
  Status write_through(std::span<const KeyValueBytes> entries, const WriteContext& context) {
    if (entries.empty()) return Status();
    std::vector<NullableBytes> old_values;
    if (listener_) {
      for (const KeyValueBytes& entry : entries) {
        KSTREAMS_ASSIGN_OR_RETURN(NullableBytes old_value, inner_->get(entry.key));
        old_values.push_back(std::move(old_value));
      }
    }
    KSTREAMS_RETURN_IF_ERROR(entries.size() == 1
                                 ? inner_->put(entries[0].key, view_of(entries[0].value), context)
                                 : inner_->put_all(entries, context));
    if (listener_) {
      for (std::size_t i = 0; i < entries.size(); ++i) {
        listener_(entries[i].key, view_of(entries[i].value), view_of(old_values[i]), context);
      }
    }
    return Status();
  }

  std::unique_ptr<BytesKeyValueStore> inner_;
  std::shared_ptr<CacheBudget> budget_;
  CacheFlushListener listener_;
  CacheMap entries_;
  std::list<const std::string*> lru_;
  std::list<const std::string*> dirty_;
  std::shared_ptr<bool> closed_ = std::make_shared<bool>(false);
};

}  // namespace

std::unique_ptr<BytesKeyValueStore> make_caching_store(std::unique_ptr<BytesKeyValueStore> inner,
                                                       std::shared_ptr<CacheBudget> budget) {
  return std::make_unique<CachingStore>(std::move(inner), std::move(budget));
}

}  // namespace kstreams::internal
