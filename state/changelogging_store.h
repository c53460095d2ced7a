// File: state/changelogging_store.h (private)
//
// The changelogging layer of a key-value store (Kafka Streams' ChangeLoggingKeyValueBytesStore):
// every write that reaches it is also sent to the store's changelog topic, so that the store can
// be rebuilt elsewhere.
#pragma once

#include <functional>
#include <memory>

#include <kstreams/bytes.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/status.h>

namespace kstreams::internal {

/// Sends one changelog record (a null value is a tombstone); `context` gives its timestamp and
/// headers. Supplied by the runtime (the task's record collector).
using ChangelogWriter =
    std::function<Status(ByteView key, NullableByteView value, const WriteContext& context)>;

/// Wraps `inner`: put and put_all write to `inner` first, then call `writer` once per entry, in
/// order, with the write's context; the first error is returned (entries after it are neither
/// logged nor, for put_all, is the store rolled back: the task is corrupted then). restore_batch,
/// clear and flush go to `inner` only (restoration reads the changelog; it must not write it).
/// set_flush_listener forwards to `inner`. Not thread-safe (see BytesKeyValueStore).
std::unique_ptr<BytesKeyValueStore> make_changelogging_store(
    std::unique_ptr<BytesKeyValueStore> inner, ChangelogWriter writer);

}  // namespace kstreams::internal
