// File: state/forwarding_store.h (private)
//
// A base for store layers that change a few operations and pass the rest to the store they wrap.
#pragma once

#include <memory>
#include <utility>

#include <kstreams/internal/bytes_store.h>

namespace kstreams::internal {

/// Forwards every operation to `inner`; a layer overrides what it changes (see
/// changelogging_store.cc). Thread-safety is `inner`'s.
class ForwardingStore : public BytesKeyValueStore {
 public:
  explicit ForwardingStore(std::unique_ptr<BytesKeyValueStore> inner) : inner_(std::move(inner)) {}

  [[nodiscard]] const std::string& name() const override { return inner_->name(); }
  [[nodiscard]] bool persistent() const override { return inner_->persistent(); }
  Result<NullableBytes> get(ByteView key) override { return inner_->get(key); }
  Status put(ByteView key, NullableByteView value, const WriteContext& context) override {
    return inner_->put(key, value, context);
  }
  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) override {
    return inner_->put_all(entries, context);
  }
  Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                               NullableByteView to) override {
    return inner_->range(from, to);
  }
  Result<std::uint64_t> approximate_num_entries() override {
    return inner_->approximate_num_entries();
  }
  Status flush() override { return inner_->flush(); }
  Status restore_batch(std::span<const KeyValueBytes> entries) override {
    return inner_->restore_batch(entries);
  }
  Status clear() override { return inner_->clear(); }
  void close() override { inner_->close(); }
  bool set_flush_listener(CacheFlushListener listener) override {
    return inner_->set_flush_listener(std::move(listener));
  }

 protected:
  [[nodiscard]] BytesKeyValueStore& inner() { return *inner_; }

 private:
  std::unique_ptr<BytesKeyValueStore> inner_;
};

}  // namespace kstreams::internal
