// Internal: a table update, `Change<V>` (the new and the previous value of a key), the record
// type flowing between KTable nodes, and its serde for the repartition topic of
// `KTable::group_by`. Not API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <kstreams/bytes.h>
#include <kstreams/serde.h>
#include <kstreams/status.h>

namespace kstreams::internal {

/// An update of one key of a table: null new_value is a delete, null old_value a new key.
template <class V>
struct Change {
  std::optional<V> new_value;
  std::optional<V> old_value;
  friend bool operator==(const Change&, const Change&) = default;
};

/// Wire format (kstreams-internal topics only): one flag byte (bit 0: new present, bit 1: old
/// present), then, when both are present, the new value's length as 4 big-endian bytes, then
/// the new value, then the old value.
template <class V>
class ChangeSerde {
 public:
  explicit ChangeSerde(Serde<V> inner) : inner_(std::move(inner)) {}

  Status serialize(const Change<V>& change, Bytes& out) const {
    const bool has_new = change.new_value.has_value();
    const bool has_old = change.old_value.has_value();
    out.push_back(static_cast<char>((has_new ? 1 : 0) | (has_old ? 2 : 0)));
    Bytes new_bytes;
    Bytes old_bytes;
    if (has_new) KSTREAMS_RETURN_IF_ERROR(write(*change.new_value, new_bytes));
    if (has_old) KSTREAMS_RETURN_IF_ERROR(write(*change.old_value, old_bytes));
    if (has_new && has_old) {
      const auto n = static_cast<std::uint32_t>(new_bytes.size());
      for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
    }
    out += new_bytes;
    out += old_bytes;
    return {};
  }

  Result<Change<V>> deserialize(ByteView bytes) const {
    if (bytes.empty()) return serialization_error("change: empty record");
    const auto flags = static_cast<unsigned char>(bytes[0]);
    if (flags > 3) return serialization_error("change: bad flags");
    bytes.remove_prefix(1);
    const bool has_new = (flags & 1U) != 0;
    const bool has_old = (flags & 2U) != 0;
    ByteView new_bytes;
    ByteView old_bytes;
    if (has_new && has_old) {
      if (bytes.size() < 4) return serialization_error("change: truncated length");
      std::uint32_t n = 0;
      for (int i = 0; i < 4; ++i) n = (n << 8U) | static_cast<unsigned char>(bytes[i]);
      bytes.remove_prefix(4);
      if (n > bytes.size()) return serialization_error("change: length past the end");
      new_bytes = bytes.substr(0, n);
      old_bytes = bytes.substr(n);
    } else if (has_new) {
      new_bytes = bytes;
    } else {
      old_bytes = bytes;
    }
    Change<V> change;
    if (has_new) {
      KSTREAMS_ASSIGN_OR_RETURN(V v, inner_.deserialize(new_bytes));
      change.new_value = std::move(v);
    }
    if (has_old) {
      KSTREAMS_ASSIGN_OR_RETURN(V v, inner_.deserialize(old_bytes));
      change.old_value = std::move(v);
    }
    return change;
  }

  std::string name() const { return "change<" + inner_.name() + ">"; }

 private:
  Status write(const V& value, Bytes& out) const {
    NullableBytes bytes;
    KSTREAMS_RETURN_IF_ERROR(inner_.serialize(value, bytes));
    if (!bytes) return serialization_error("change: value serialized as null");
    out = std::move(*bytes);
    return {};
  }

  Serde<V> inner_;
};

}  // namespace kstreams::internal
