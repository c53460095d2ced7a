// File: kstreams/serde/reflect.h
//
// Opt-in default serdes for plain structs (link `kstreams::reflect`). Declare the members with
// Boost.Hana's `BOOST_HANA_DEFINE_STRUCT` (C++20 has no reflection) and add one macro next to the
// struct, in the struct's namespace:
//
//   #include <kstreams/serde/reflect.h>
//
//   namespace shop {
//   enum class Status : std::uint8_t { kOpen, kShipped };
//   struct Item {
//     BOOST_HANA_DEFINE_STRUCT(Item, (std::string, sku), (std::int32_t, quantity));
//   };
//   struct Order {
//     BOOST_HANA_DEFINE_STRUCT(Order, (std::string, id), (Status, status),
//                              (std::vector<Item>, items), (std::optional<std::string>, note));
//   };
//   KSTREAMS_REFLECT_SERDE(Order)  // JSON: {"id":"o-1","status":0,"items":[...],"note":null}
//   }  // namespace shop
//
//   kstreams::Serde<shop::Order> serde = kstreams::default_serde<shop::Order>();
//
// Two formats:
//   * `JsonSerde<T>` (`KSTREAMS_REFLECT_SERDE`): a JSON object keyed by member name. Readable, and
//     tolerant of schema evolution: unknown members are ignored and absent `std::optional` members
//     read as nullopt, so producers and consumers can add optional members independently.
//   * `BinarySerde<T>` (`KSTREAMS_REFLECT_BINARY_SERDE`): compact and fast, positional, no member
//     names. Both sides must use the same struct definition; use it for keys, internal topics and
//     state stores that only kstreams reads, not for topics shared with other teams.
//
// Supported member types: `bool`, integers, `float`, `double`, enums (as their underlying
// integer), `std::string`, `std::optional<U>`, `std::vector<U>` and other reflected structs, nested
// to any combination. Anything else fails to compile with a message naming the problem.
//
// Only this header includes Boost.Hana and nlohmann/json; it costs about 0.1 s of compile time per
// reflected type, so include it where the structs are defined, not in widely included headers.
#pragma once

#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <nlohmann/json.hpp>

#include <kstreams/serde.h>

namespace kstreams {

/// A struct whose members are declared with `BOOST_HANA_DEFINE_STRUCT` and which can be
/// default-constructed (deserialization fills in a default-constructed value).
template <class T>
concept Reflected = boost::hana::Struct<T>::value && std::default_initializable<T>;

namespace internal::reflect {

/// Deeper nesting (structs and vectors) is rejected, so that hostile input to a recursive type
/// (`struct Node { std::vector<Node> children; }`) cannot exhaust the stack.
inline constexpr int kMaxDepth = 64;

template <class U>
struct IsOptional : std::false_type {};
template <class U>
struct IsOptional<std::optional<U>> : std::true_type {};

template <class U>
struct IsVector : std::false_type {};
template <class U, class A>
struct IsVector<std::vector<U, A>> : std::true_type {};

template <class U>
concept Integer = std::is_integral_v<U> && !std::same_as<U, bool>;
template <class U>
concept Floating = std::same_as<U, float> || std::same_as<U, double>;

/// The type of the member that `accessor` (an element of `hana::accessors<S>()`) reads.
template <class S, class Accessor>
using MemberType = std::remove_cvref_t<decltype(boost::hana::second(std::declval<Accessor>())(
    std::declval<S&>()))>;

/// Where a value sits inside the record being read or written ("items[2].sku"). Lives on the
/// stack and is only rendered into a string when there is an error to report.
struct Path {
  const Path* parent = nullptr;
  std::string_view member;  ///< Empty for a vector element.
  std::size_t index = 0;    ///< The vector index when `member` is empty.
};

inline std::string render(const Path* path) {
  std::vector<const Path*> nodes;
  for (; path != nullptr; path = path->parent) nodes.push_back(path);
  std::string out;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const Path& node = **it;
    if (node.member.empty()) {
      out += '[';
      out += std::to_string(node.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += node.member;
    }
  }
  return out.empty() ? std::string("<root>") : out;
}

inline Status member_error(std::string_view format, const Path* path, std::string_view what) {
  std::string message(format);
  message += ": member '";
  message += render(path);
  message += "': ";
  message += what;
  return serialization_error(std::move(message));
}

template <class U>
std::string_view integer_type_name() {
  if constexpr (std::is_signed_v<U>) {
    switch (sizeof(U)) {
      case 1:
        return "int8";
      case 2:
        return "int16";
      case 4:
        return "int32";
      default:
        return "int64";
    }
  } else {
    switch (sizeof(U)) {
      case 1:
        return "uint8";
      case 2:
        return "uint16";
      case 4:
        return "uint32";
      default:
        return "uint64";
    }
  }
}

template <class U>
inline constexpr bool kUnsupported = false;

// ------------------------------------------------------------------------------------------------
// JSON (via nlohmann::ordered_json, so members are written in declaration order).

using Json = nlohmann::ordered_json;
inline constexpr std::string_view kJson = "json";

template <class U>
Status to_json(const U& value, Json& out, const Path* path, int depth);

template <class S>
Status struct_to_json(const S& value, Json& out, const Path* path, int depth) {
  out = Json::object();
  Status status;
  boost::hana::for_each(boost::hana::accessors<S>(), [&](const auto& accessor) {
    if (!status.ok()) return;
    const char* name = boost::hana::to<const char*>(boost::hana::first(accessor));
    const Path member_path{path, name};
    Json member;
    status = to_json(boost::hana::second(accessor)(value), member, &member_path, depth);
    if (status.ok()) out.emplace(name, std::move(member));
  });
  return status;
}

template <class U>
Status to_json(const U& value, Json& out, const Path* path, int depth) {
  if constexpr (std::same_as<U, bool> || std::same_as<U, std::string>) {
    out = value;
  } else if constexpr (std::is_enum_v<U>) {
    return to_json(static_cast<std::underlying_type_t<U>>(value), out, path, depth);
  } else if constexpr (Integer<U>) {
    if constexpr (std::is_signed_v<U>) {
      out = static_cast<std::int64_t>(value);
    } else {
      out = static_cast<std::uint64_t>(value);
    }
  } else if constexpr (Floating<U>) {
    // JSON has no NaN or infinity; writing null would silently change the value.
    if (!std::isfinite(value)) return member_error(kJson, path, "NaN or infinity is not JSON");
    out = static_cast<double>(value);
  } else if constexpr (IsOptional<U>::value) {
    if (!value) {
      out = nullptr;
    } else {
      return to_json(*value, out, path, depth);
    }
  } else if constexpr (IsVector<U>::value) {
    if (depth >= kMaxDepth) return member_error(kJson, path, "nested too deeply");
    out = Json::array();
    std::size_t index = 0;
    for (const auto& element : value) {
      const Path element_path{path, {}, index++};
      Json json_element;
      const typename U::value_type& typed = element;
      KSTREAMS_RETURN_IF_ERROR(to_json(typed, json_element, &element_path, depth + 1));
      out.push_back(std::move(json_element));
    }
  } else if constexpr (boost::hana::Struct<U>::value) {
    if (depth >= kMaxDepth) return member_error(kJson, path, "nested too deeply");
    return struct_to_json(value, out, path, depth + 1);
  } else {
    static_assert(kUnsupported<U>,
                  "kstreams reflect: unsupported member type (see 'U = ...'); supported are bool, "
                  "integers, float, double, enums, std::string, std::optional, std::vector and "
                  "BOOST_HANA_DEFINE_STRUCT structs");
  }
  return {};
}

inline Status json_type_error(const Path* path, std::string_view expected, const Json& actual) {
  return member_error(kJson, path,
                      "expected " + std::string(expected) + ", got " + actual.type_name());
}

template <class U>
Status from_json(const Json& in, U& out, const Path* path, int depth);

template <class S>
Status struct_from_json(const Json& in, S& out, const Path* path, int depth) {
  if (!in.is_object()) return json_type_error(path, "object", in);
  Status status;
  boost::hana::for_each(boost::hana::accessors<S>(), [&](const auto& accessor) {
    if (!status.ok()) return;
    using Member = MemberType<S, decltype(accessor)>;
    const char* name = boost::hana::to<const char*>(boost::hana::first(accessor));
    const Path member_path{path, name};
    Member& member = boost::hana::second(accessor)(out);
    auto it = in.find(name);
    if (it == in.end()) {
      // Absent optional members are how older producers spell "not set".
      if constexpr (IsOptional<Member>::value) {
        member.reset();
      } else {
        status = member_error(kJson, &member_path, "missing");
      }
      return;
    }
    status = from_json(*it, member, &member_path, depth);
  });
  return status;
}

template <class U>
Status from_json(const Json& in, U& out, const Path* path, int depth) {
  if constexpr (std::same_as<U, bool>) {
    if (!in.is_boolean()) return json_type_error(path, "boolean", in);
    out = in.get<bool>();
  } else if constexpr (std::same_as<U, std::string>) {
    if (!in.is_string()) return json_type_error(path, "string", in);
    out = in.get_ref<const std::string&>();
  } else if constexpr (std::is_enum_v<U>) {
    std::underlying_type_t<U> underlying{};
    KSTREAMS_RETURN_IF_ERROR(from_json(in, underlying, path, depth));
    out = static_cast<U>(underlying);
  } else if constexpr (Integer<U>) {
    bool in_range = false;
    if (in.is_number_unsigned()) {
      const auto value = in.get<std::uint64_t>();
      in_range = std::in_range<U>(value);
      if (in_range) out = static_cast<U>(value);
    } else if (in.is_number_integer()) {
      const auto value = in.get<std::int64_t>();
      in_range = std::in_range<U>(value);
      if (in_range) out = static_cast<U>(value);
    } else {
      return json_type_error(path, "integer", in);
    }
    if (!in_range) {
      return member_error(
          kJson, path, in.dump() + " is out of range for " + std::string(integer_type_name<U>()));
    }
  } else if constexpr (Floating<U>) {
    if (!in.is_number()) return json_type_error(path, "number", in);
    const auto value = in.get<double>();
    if (!std::isfinite(value) || std::abs(value) > std::numeric_limits<U>::max()) {
      return member_error(kJson, path, in.dump() + " is out of range");
    }
    out = static_cast<U>(value);
  } else if constexpr (IsOptional<U>::value) {
    if (in.is_null()) {
      out.reset();
    } else {
      out.emplace();
      KSTREAMS_RETURN_IF_ERROR(from_json(in, *out, path, depth));
    }
  } else if constexpr (IsVector<U>::value) {
    if (!in.is_array()) return json_type_error(path, "array", in);
    if (depth >= kMaxDepth) return member_error(kJson, path, "nested too deeply");
    out.clear();
    out.reserve(in.size());
    std::size_t index = 0;
    for (const Json& json_element : in) {
      const Path element_path{path, {}, index++};
      typename U::value_type element{};
      KSTREAMS_RETURN_IF_ERROR(from_json(json_element, element, &element_path, depth + 1));
      out.push_back(std::move(element));
    }
  } else if constexpr (boost::hana::Struct<U>::value) {
    if (depth >= kMaxDepth) return member_error(kJson, path, "nested too deeply");
    return struct_from_json(in, out, path, depth + 1);
  } else {
    static_assert(kUnsupported<U>, "kstreams reflect: unsupported member type (see 'U = ...')");
  }
  return {};
}

// ------------------------------------------------------------------------------------------------
// Compact binary. Layout of a record: the format-version byte, then the members of the struct in
// declaration order, recursively:
//   bool                  one byte, 0 or 1
//   signed integers       zig-zag LEB128 varint (enums: as their underlying type)
//   unsigned integers     LEB128 varint
//   float, double         IEEE 754, 4 or 8 bytes, little-endian
//   std::string           varint length, then the bytes
//   std::optional<U>      presence byte (0 or 1), then U when present
//   std::vector<U>        varint element count, then the elements
//   struct                its members, without names or separators
// Every value has exactly one encoding (varints must be minimal), so equal keys have equal bytes,
// which Kafka partitioning and state-store lookups rely on.

inline constexpr std::uint8_t kBinaryFormatVersion = 1;
inline constexpr std::string_view kBinary = "binary";

/// The fewest bytes any value of `U` encodes to; bounds how many vector elements the remaining
/// input can hold.
template <class U>
constexpr std::size_t min_encoded_size() {
  if constexpr (std::same_as<U, float>) {
    return 4;
  } else if constexpr (std::same_as<U, double>) {
    return 8;
  } else if constexpr (boost::hana::Struct<U>::value) {
    return boost::hana::fold_left(
        boost::hana::accessors<U>(), std::size_t{0}, [](std::size_t sum, auto accessor) {
          return sum + min_encoded_size<MemberType<U, decltype(accessor)>>();
        });
  } else {
    return 1;  // bool, varints, strings, optionals and vectors take at least one byte
  }
}

inline void put_varint(std::uint64_t value, Bytes& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(value | 0x80)));
    value >>= 7;
  }
  out.push_back(static_cast<char>(static_cast<std::uint8_t>(value)));
}

template <class UInt>
void put_little_endian(UInt value, Bytes& out) {
  for (std::size_t i = 0; i < sizeof(UInt); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(value & 0xFF)));
    value = static_cast<UInt>(value >> 8);
  }
}

inline std::uint64_t zigzag_encode(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

inline std::int64_t zigzag_decode(std::uint64_t value) {
  return static_cast<std::int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

template <class U>
void to_binary(const U& value, Bytes& out);

template <class S>
void struct_to_binary(const S& value, Bytes& out) {
  boost::hana::for_each(boost::hana::accessors<S>(), [&](const auto& accessor) {
    to_binary(boost::hana::second(accessor)(value), out);
  });
}

template <class U>
void to_binary(const U& value, Bytes& out) {
  if constexpr (std::same_as<U, bool>) {
    out.push_back(value ? '\1' : '\0');
  } else if constexpr (std::is_enum_v<U>) {
    to_binary(static_cast<std::underlying_type_t<U>>(value), out);
  } else if constexpr (Integer<U>) {
    if constexpr (std::is_signed_v<U>) {
      put_varint(zigzag_encode(value), out);
    } else {
      put_varint(value, out);
    }
  } else if constexpr (std::same_as<U, float>) {
    put_little_endian(std::bit_cast<std::uint32_t>(value), out);
  } else if constexpr (std::same_as<U, double>) {
    put_little_endian(std::bit_cast<std::uint64_t>(value), out);
  } else if constexpr (std::same_as<U, std::string>) {
    put_varint(value.size(), out);
    out.append(value);
  } else if constexpr (IsOptional<U>::value) {
    out.push_back(value ? '\1' : '\0');
    if (value) to_binary(*value, out);
  } else if constexpr (IsVector<U>::value) {
    put_varint(value.size(), out);
    for (const auto& element : value) {
      const typename U::value_type& typed = element;
      to_binary(typed, out);
    }
  } else if constexpr (boost::hana::Struct<U>::value) {
    struct_to_binary(value, out);
  } else {
    static_assert(kUnsupported<U>,
                  "kstreams reflect: unsupported member type (see 'U = ...'); supported are bool, "
                  "integers, float, double, enums, std::string, std::optional, std::vector and "
                  "BOOST_HANA_DEFINE_STRUCT structs");
  }
}

/// Reads the binary layout from a byte view; every read is bounds-checked.
class BinaryReader {
 public:
  explicit BinaryReader(ByteView in) : in_(in) {}

  [[nodiscard]] std::size_t remaining() const { return in_.size() - pos_; }

  Status read_byte(std::uint8_t& out, const Path* path) {
    if (remaining() < 1) return truncated(1, path);
    out = static_cast<std::uint8_t>(in_[pos_++]);
    return {};
  }

  Status read_flag(bool& out, const Path* path, std::string_view what) {
    std::uint8_t byte = 0;
    KSTREAMS_RETURN_IF_ERROR(read_byte(byte, path));
    if (byte > 1) {
      return member_error(kBinary, path,
                          "invalid " + std::string(what) + " byte " + std::to_string(byte));
    }
    out = byte == 1;
    return {};
  }

  Status read_view(std::size_t size, ByteView& out, const Path* path) {
    if (remaining() < size) return truncated(size, path);
    out = in_.substr(pos_, size);
    pos_ += size;
    return {};
  }

  Status read_varint(std::uint64_t& out, const Path* path) {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t byte = 0;
      KSTREAMS_RETURN_IF_ERROR(read_byte(byte, path));
      // The 10th byte may only hold the top bit of a 64-bit value; a zero final byte after a
      // continuation is a non-minimal (overlong) encoding.
      if ((shift == 63 && byte > 1) || (shift > 0 && byte == 0)) {
        return member_error(kBinary, path, "overlong varint");
      }
      value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        out = value;
        return {};
      }
    }
    return member_error(kBinary, path, "overlong varint");
  }

  template <class UInt>
  Status read_little_endian(UInt& out, const Path* path) {
    ByteView bytes;
    KSTREAMS_RETURN_IF_ERROR(read_view(sizeof(UInt), bytes, path));
    UInt value = 0;
    for (std::size_t i = sizeof(UInt); i-- > 0;) {
      value = static_cast<UInt>((value << 8) | static_cast<std::uint8_t>(bytes[i]));
    }
    out = value;
    return {};
  }

 private:
  Status truncated(std::size_t wanted, const Path* path) const {
    return member_error(kBinary, path,
                        "truncated input (needs " + std::to_string(wanted) + " bytes, " +
                            std::to_string(remaining()) + " left)");
  }

  ByteView in_;
  std::size_t pos_ = 0;
};

template <class U>
Status from_binary(BinaryReader& in, U& out, const Path* path, int depth);

template <class S>
Status struct_from_binary(BinaryReader& in, S& out, const Path* path, int depth) {
  Status status;
  boost::hana::for_each(boost::hana::accessors<S>(), [&](const auto& accessor) {
    if (!status.ok()) return;
    const char* name = boost::hana::to<const char*>(boost::hana::first(accessor));
    const Path member_path{path, name};
    status = from_binary(in, boost::hana::second(accessor)(out), &member_path, depth);
  });
  return status;
}

template <class U>
Status from_binary(BinaryReader& in, U& out, const Path* path, int depth) {
  if constexpr (std::same_as<U, bool>) {
    return in.read_flag(out, path, "bool");
  } else if constexpr (std::is_enum_v<U>) {
    std::underlying_type_t<U> underlying{};
    KSTREAMS_RETURN_IF_ERROR(from_binary(in, underlying, path, depth));
    out = static_cast<U>(underlying);
  } else if constexpr (Integer<U>) {
    std::uint64_t raw = 0;
    KSTREAMS_RETURN_IF_ERROR(in.read_varint(raw, path));
    bool in_range = false;
    if constexpr (std::is_signed_v<U>) {
      const std::int64_t value = zigzag_decode(raw);
      in_range = std::in_range<U>(value);
      if (in_range) out = static_cast<U>(value);
    } else {
      in_range = std::in_range<U>(raw);
      if (in_range) out = static_cast<U>(raw);
    }
    if (!in_range) {
      return member_error(kBinary, path,
                          "value out of range for " + std::string(integer_type_name<U>()));
    }
  } else if constexpr (std::same_as<U, float>) {
    std::uint32_t bits = 0;
    KSTREAMS_RETURN_IF_ERROR(in.read_little_endian(bits, path));
    out = std::bit_cast<float>(bits);
  } else if constexpr (std::same_as<U, double>) {
    std::uint64_t bits = 0;
    KSTREAMS_RETURN_IF_ERROR(in.read_little_endian(bits, path));
    out = std::bit_cast<double>(bits);
  } else if constexpr (std::same_as<U, std::string>) {
    std::uint64_t size = 0;
    KSTREAMS_RETURN_IF_ERROR(in.read_varint(size, path));
    if (size > in.remaining()) {
      return member_error(kBinary, path,
                          "string length " + std::to_string(size) + " exceeds the " +
                              std::to_string(in.remaining()) + " bytes left");
    }
    ByteView bytes;
    KSTREAMS_RETURN_IF_ERROR(in.read_view(static_cast<std::size_t>(size), bytes, path));
    out.assign(bytes);
  } else if constexpr (IsOptional<U>::value) {
    bool present = false;
    KSTREAMS_RETURN_IF_ERROR(in.read_flag(present, path, "presence"));
    if (!present) {
      out.reset();
    } else {
      out.emplace();
      KSTREAMS_RETURN_IF_ERROR(from_binary(in, *out, path, depth));
    }
  } else if constexpr (IsVector<U>::value) {
    using Element = typename U::value_type;
    static_assert(min_encoded_size<Element>() > 0,
                  "kstreams reflect: vector elements must encode to at least one byte (a struct "
                  "without members cannot be a vector element)");
    if (depth >= kMaxDepth) return member_error(kBinary, path, "nested too deeply");
    std::uint64_t count = 0;
    KSTREAMS_RETURN_IF_ERROR(in.read_varint(count, path));
    // Checked before reserving, so a hostile count cannot trigger a huge allocation.
    if (count > in.remaining() / min_encoded_size<Element>()) {
      return member_error(kBinary, path,
                          "vector size " + std::to_string(count) + " exceeds the " +
                              std::to_string(in.remaining()) + " bytes left");
    }
    out.clear();
    out.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t index = 0; index < count; ++index) {
      const Path element_path{path, {}, static_cast<std::size_t>(index)};
      Element element{};
      KSTREAMS_RETURN_IF_ERROR(from_binary(in, element, &element_path, depth + 1));
      out.push_back(std::move(element));
    }
  } else if constexpr (boost::hana::Struct<U>::value) {
    if (depth >= kMaxDepth) return member_error(kBinary, path, "nested too deeply");
    return struct_from_binary(in, out, path, depth + 1);
  } else {
    static_assert(kUnsupported<U>, "kstreams reflect: unsupported member type (see 'U = ...')");
  }
  return {};
}

}  // namespace internal::reflect

/// JSON serde for a reflected struct: a JSON object whose keys are the member names, in
/// declaration order. Enums are written as their underlying integer, `std::optional` members as
/// `null` when empty, vectors as arrays, nested structs as objects.
///
/// Reading is tolerant where schemas evolve and strict where data would be lost:
///   * unknown members are ignored (a newer producer may have added them);
///   * an absent or null `std::optional` member reads as nullopt (an older producer);
///   * invalid JSON, a missing non-optional member, a value of the wrong JSON type, or an integer
///     out of range of its member's type is a `kSerialization` error naming the member
///     ("json: member 'items[2].quantity': expected integer, got string").
/// Writing fails (`kSerialization`) for a NaN or infinite float/double (JSON cannot represent
/// them) and for a string member that is not valid UTF-8.
///
/// Use it for topics read by other services or people; prefer `BinarySerde` for kstreams-private
/// data. Thread-safety: stateless; one instance may be used from any number of threads.
///
///   kstreams::Serde<shop::Order> serde = kstreams::JsonSerde<shop::Order>{};
template <Reflected T>
class JsonSerde {
 public:
  Status serialize(const T& value, Bytes& out) const {
    using internal::reflect::Json;
    Json json;
    KSTREAMS_RETURN_IF_ERROR(internal::reflect::struct_to_json(value, json, nullptr, 1));
    try {
      out += json.dump();
    } catch (const Json::exception& e) {  // a std::string member that is not UTF-8
      return serialization_error(std::string("json: ") + e.what());
    }
    return {};
  }

  Result<T> deserialize(ByteView bytes) const {
    using internal::reflect::Json;
    Json json;
    try {
      json = Json::parse(bytes.begin(), bytes.end());
    } catch (const Json::exception& e) {
      return serialization_error(std::string("json: invalid JSON: ") + e.what());
    }
    T value{};
    KSTREAMS_RETURN_IF_ERROR(internal::reflect::struct_from_json(json, value, nullptr, 1));
    return value;
  }

  static std::string name() { return "json"; }
};

/// Compact binary serde for a reflected struct: a format-version byte (1), then the members in
/// declaration order without names (varints for lengths and integers, zig-zag for signed ones,
/// fixed little-endian floats and doubles, a presence byte for optionals). The layout is spelled
/// out in `internal::reflect` above `kBinaryFormatVersion`.
///
/// Positional: reader and writer must use the same struct definition (adding, removing or
/// reordering members changes the format). Use it for keys, repartition topics and state stores
/// that only this application reads; use `JsonSerde` or protobuf where schemas evolve
/// independently. Encodings are canonical, so equal values have equal bytes.
///
/// Malformed input (truncation, an unknown version byte, an overlong varint, a bool or presence
/// byte other than 0/1, an out-of-range integer, trailing bytes, nesting deeper than 64) is a
/// `kSerialization` error naming the member; never undefined behaviour.
///
/// Thread-safety: stateless; one instance may be used from any number of threads.
///
///   kstreams::Serde<shop::OrderKey> serde = kstreams::BinarySerde<shop::OrderKey>{};
template <Reflected T>
class BinarySerde {
 public:
  Status serialize(const T& value, Bytes& out) const {
    out.push_back(static_cast<char>(internal::reflect::kBinaryFormatVersion));
    internal::reflect::struct_to_binary(value, out);
    return {};
  }

  Result<T> deserialize(ByteView bytes) const {
    using internal::reflect::kBinary;
    using internal::reflect::kBinaryFormatVersion;
    if (bytes.empty()) return serialization_error("binary: empty input (no format-version byte)");
    const auto version = static_cast<std::uint8_t>(bytes[0]);
    if (version != kBinaryFormatVersion) {
      return serialization_error("binary: unsupported format version " + std::to_string(version) +
                                 " (expected " + std::to_string(kBinaryFormatVersion) + ")");
    }
    internal::reflect::BinaryReader reader(bytes.substr(1));
    T value{};
    KSTREAMS_RETURN_IF_ERROR(internal::reflect::struct_from_binary(reader, value, nullptr, 1));
    if (reader.remaining() != 0) {
      return serialization_error("binary: " + std::to_string(reader.remaining()) +
                                 " trailing bytes after the record");
    }
    return value;
  }

  static std::string name() { return "binary"; }
};

}  // namespace kstreams

/// Makes `JsonSerde<Type>` the default serde of `Type`. Write it in `Type`'s namespace (where
/// argument-dependent lookup finds it), after the struct definition; a trailing `;` is optional.
///
///   namespace shop {
///   struct Order { BOOST_HANA_DEFINE_STRUCT(Order, (std::string, id), (double, total)); };
///   KSTREAMS_REFLECT_SERDE(Order)
///   }  // namespace shop
#define KSTREAMS_REFLECT_SERDE(Type)                                                      \
  inline ::kstreams::JsonSerde<Type> kstreams_default_serde(::kstreams::SerdeTag<Type>) { \
    return {};                                                                            \
  }

/// Makes `BinarySerde<Type>` the default serde of `Type`. Same placement rules as
/// `KSTREAMS_REFLECT_SERDE`.
#define KSTREAMS_REFLECT_BINARY_SERDE(Type)                                                 \
  inline ::kstreams::BinarySerde<Type> kstreams_default_serde(::kstreams::SerdeTag<Type>) { \
    return {};                                                                              \
  }
