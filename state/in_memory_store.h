// File: state/in_memory_store.h (private)
//
// The in-memory key-value store over bytes (Kafka Streams' InMemoryKeyValueStore): a sorted map,
// nothing on disk, so persistent() is false and a restart restores it from its changelog.
#pragma once

#include <memory>
#include <string>

#include <kstreams/internal/bytes_store.h>

namespace kstreams::internal {

/// A new, open, empty in-memory store named `name`. Keys are ordered as unsigned bytes
/// (std::string compares with memcmp semantics). Iterators are not snapshots: each one remembers
/// the key it stands on and finds its successor again when the map changed, so writes while
/// iterating are safe (entries added behind the cursor are not seen, entries added ahead of it
/// are). After close() the map is gone and open iterators report kIllegalState.
/// Not thread-safe (see BytesKeyValueStore).
std::unique_ptr<BytesKeyValueStore> make_in_memory_store(std::string name);

}  // namespace kstreams::internal
