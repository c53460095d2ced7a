// File: state/caching_store.h (private)
//
// The caching layer of a key-value store (Kafka Streams' CachingKeyValueStore over its
// ThreadCache): writes stay in memory until a flush or an eviction, so that several updates of
// one key between two commits reach the store, the changelog and downstream operators once.
#pragma once

#include <memory>

#include <kstreams/internal/bytes_store.h>

#include "state/cache_budget.h"

namespace kstreams::internal {

/// Wraps `inner` in a record cache charged to `budget` (shared by the stores of one thread).
///
/// - get: the cache first (a cached delete answers null), then `inner`; a value read from
///   `inner` is cached clean.
/// - put/put_all: the cache only, as dirty entries that keep their WriteContext (a null value is
///   a dirty delete).
/// - flush: reads the old values of the dirty entries from `inner`, writes the entries to
///   `inner` in the order they were last written, then calls the flush listener once per entry
///   (key, new value, old value, context of the last write). Entries go down in one put_all per
///   run of consecutive entries with the same context (put_all carries one context, which a
///   changelogging layer below stamps on each record; records written with one context, as in
///   a batch, become one put_all).
/// - eviction: when the budget is exceeded after a write, this store drops its least recently
///   used entries until the budget holds or the store is empty; when the entry to drop is dirty,
///   every dirty entry of the store is flushed first (as Kafka Streams' NamedCache does).
/// - range: merges the cache (a snapshot of the cached entries in range) with `inner`'s range in
///   byte order; cached deletes hide inner keys.
/// - approximate_num_entries is `inner`'s estimate (dirty entries not yet flushed are not
///   counted, as in Kafka Streams).
/// - restore_batch and clear go straight to `inner` (clear drops the cache too).
/// - close: drops unflushed entries without writing them (flush first for a clean close) and
///   closes `inner`; open iterators become invalid.
/// - A budget of 0 bytes disables the cache: every write goes to `inner` at once, and the
///   listener is called right after it.
/// set_flush_listener always returns true. Not thread-safe (see BytesKeyValueStore).
std::unique_ptr<BytesKeyValueStore> make_caching_store(std::unique_ptr<BytesKeyValueStore> inner,
                                                       std::shared_ptr<CacheBudget> budget);

}  // namespace kstreams::internal
