#include "state/changelogging_store.h"

#include <utility>

#include "state/forwarding_store.h"

namespace kstreams::internal {
namespace {

class ChangeloggingStore final : public ForwardingStore {
 public:
  ChangeloggingStore(std::unique_ptr<BytesKeyValueStore> inner, ChangelogWriter writer)
      : ForwardingStore(std::move(inner)), writer_(std::move(writer)) {}

  Status put(ByteView key, NullableByteView value, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(inner().put(key, value, context));
    return writer_(key, value, context);
  }

  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) override {
    KSTREAMS_RETURN_IF_ERROR(inner().put_all(entries, context));
    for (const KeyValueBytes& entry : entries) {
      KSTREAMS_RETURN_IF_ERROR(writer_(entry.key, view_of(entry.value), context));
    }
    return Status();
  }

 private:
  ChangelogWriter writer_;
};

}  // namespace

std::unique_ptr<BytesKeyValueStore> make_changelogging_store(
    std::unique_ptr<BytesKeyValueStore> inner, ChangelogWriter writer) {
  return std::make_unique<ChangeloggingStore>(std::move(inner), std::move(writer));
}

}  // namespace kstreams::internal
