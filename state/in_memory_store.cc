#include "state/in_memory_store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

namespace kstreams::internal {
namespace {

/// What the store and its iterators share: iterators outlive neither the data nor the knowledge
/// that the store was closed, whatever order things are destroyed in.
struct MapState {
  std::map<std::string, std::string, std::less<>> map;
  /// Bumped by every erase, which is what invalidates a std::map iterator.
  std::uint64_t erase_count = 0;
  bool open = true;
};

class InMemoryIterator final : public BytesIterator {
 public:
  InMemoryIterator(std::shared_ptr<MapState> state, NullableByteView from, NullableByteView to)
      : state_(std::move(state)), to_(to ? std::optional<std::string>(*to) : std::nullopt) {
    auto it = from ? state_->map.lower_bound(*from) : state_->map.begin();
    settle(it);
  }

  [[nodiscard]] bool valid() const override { return state_->open && current_.has_value(); }
  [[nodiscard]] ByteView key() const override { return current_->first; }
  [[nodiscard]] ByteView value() const override { return current_->second; }

  void next() override {
    if (!valid()) return;
    auto it = erase_count_ == state_->erase_count ? std::next(position_)
                                                  : state_->map.upper_bound(current_->first);
    settle(it);
  }

  [[nodiscard]] Status status() const override {
    if (!state_->open)
      return illegal_state("in-memory store iterator used after its store was closed");
    return Status();
  }

 private:
  void settle(std::map<std::string, std::string, std::less<>>::iterator it) {
    if (!state_->open || it == state_->map.end() || (to_ && it->first > *to_)) {
      current_.reset();
      return;
    }
    position_ = it;
    erase_count_ = state_->erase_count;
    // A copy, so that key() and value() stay valid while the caller writes to the store.
    current_.emplace(it->first, it->second);
  }

  std::shared_ptr<MapState> state_;
  std::optional<std::string> to_;
  std::map<std::string, std::string, std::less<>>::iterator position_;
  std::uint64_t erase_count_ = 0;
  std::optional<std::pair<std::string, std::string>> current_;
};

class InMemoryStore final : public BytesKeyValueStore {
 public:
  explicit InMemoryStore(std::string name) : name_(std::move(name)) {}
  ~InMemoryStore() override { close(); }

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] bool persistent() const override { return false; }

  Result<NullableBytes> get(ByteView key) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    auto it = state_->map.find(key);
    if (it == state_->map.end()) return NullableBytes();
    return NullableBytes(it->second);
  }

  Status put(ByteView key, NullableByteView value, const WriteContext& /*context*/) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    apply(key, value);
    return Status();
  }

  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& /*context*/) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    for (const KeyValueBytes& entry : entries) apply(entry.key, view_of(entry.value));
    return Status();
  }

  Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                               NullableByteView to) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return std::unique_ptr<BytesIterator>(std::make_unique<InMemoryIterator>(state_, from, to));
  }

  Result<std::uint64_t> approximate_num_entries() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    return static_cast<std::uint64_t>(state_->map.size());
  }

  Status flush() override { return check_open(); }

  Status restore_batch(std::span<const KeyValueBytes> entries) override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    for (const KeyValueBytes& entry : entries) apply(entry.key, view_of(entry.value));
    return Status();
  }

  Status clear() override {
    KSTREAMS_RETURN_IF_ERROR(check_open());
    state_->map.clear();
    ++state_->erase_count;
    return Status();
  }

  void close() override {
    if (!state_->open) return;
    state_->open = false;
    state_->map.clear();
    ++state_->erase_count;
  }

  bool set_flush_listener(CacheFlushListener /*listener*/) override { return false; }

 private:
  Status check_open() const {
    if (state_->open) return Status();
    return illegal_state("in-memory store '" + name_ + "' is closed");
  }

  void apply(ByteView key, NullableByteView value) {
    if (!value) {
      auto it = state_->map.find(key);
      if (it != state_->map.end()) {
        state_->map.erase(it);
        ++state_->erase_count;
      }
      return;
    }
    auto it = state_->map.find(key);
    if (it != state_->map.end()) {
      it->second.assign(*value);
    } else {
      state_->map.emplace(std::string(key), std::string(*value));
    }
  }

  std::string name_;
  std::shared_ptr<MapState> state_ = std::make_shared<MapState>();
};

}  // namespace

std::unique_ptr<BytesKeyValueStore> make_in_memory_store(std::string name) {
  return std::make_unique<InMemoryStore>(std::move(name));
}

}  // namespace kstreams::internal
