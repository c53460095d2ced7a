#include "state/changelogging_store.h"

#include <utility>

namespace kstreams::internal {
namespace {

class ChangeloggingStore final : public BytesKeyValueStore {
 public:
  ChangeloggingStore(std::unique_ptr<BytesKeyValueStore> inner, ChangelogWriter writer)
      : inner_(std::move(inner)), writer_(std::move(writer)) {}

  [[nodiscard]] const std::string& name() const override { return inner_->name(); }
  [[nodiscard]] bool persistent() const override { return inner_->persistent(); }

  Result<NullableBytes> get(ByteView key) override { return inner_->get(key); }

  Status put(ByteView key, NullableByteView value, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(inner_->put(key, value, context));
    return writer_(key, value, context);
  }

  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(inner_->put_all(entries, context));
    for (const KeyValueBytes& entry : entries) {
      KSTREAMS_RETURN_IF_ERROR(writer_(entry.key, view_of(entry.value), context));
    }
    return Status();
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

 private:
  std::unique_ptr<BytesKeyValueStore> inner_;
  ChangelogWriter writer_;
};

}  // namespace

std::unique_ptr<BytesKeyValueStore> make_changelogging_store(
    std::unique_ptr<BytesKeyValueStore> inner, ChangelogWriter writer) {
  return std::make_unique<ChangeloggingStore>(std::move(inner), std::move(writer));
}

}  // namespace kstreams::internal
