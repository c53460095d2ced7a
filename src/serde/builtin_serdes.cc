// The built-in serdes of <kstreams/serdes.h>, byte-for-byte compatible with Kafka's Java serdes
// (org.apache.kafka.common.serialization): fixed-width big-endian numbers, raw strings and bytes.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <kstreams/serdes.h>

namespace kstreams {
namespace {

template <class UInt>
void append_big_endian(UInt value, Bytes& out) {
  static_assert(std::is_unsigned_v<UInt>);
  char buffer[sizeof(UInt)];
  for (std::size_t i = 0; i < sizeof(UInt); ++i) {
    buffer[sizeof(UInt) - 1 - i] = static_cast<char>(static_cast<unsigned char>(value & 0xFFu));
    value = static_cast<UInt>(value >> 8);
  }
  out.append(buffer, sizeof(UInt));
}

template <class UInt>
UInt read_big_endian(ByteView bytes) {
  static_assert(std::is_unsigned_v<UInt>);
  UInt value = 0;
  for (std::size_t i = 0; i < sizeof(UInt); ++i) {
    value = static_cast<UInt>((value << 8) | static_cast<unsigned char>(bytes[i]));
  }
  return value;
}

// Kafka's Java deserializers reject any other length with a SerializationException.
Status wrong_size(std::string_view type, std::size_t expected, std::size_t actual) {
  return serialization_error(std::string(type) + ": expected " + std::to_string(expected) +
                             " bytes, got " + std::to_string(actual));
}

}  // namespace

Status StringSerde::serialize(const std::string& value, Bytes& out) const {
  out.append(value);
  return {};
}

Result<std::string> StringSerde::deserialize(ByteView bytes) const { return std::string(bytes); }

Status StringSerde::deserialize_into(ByteView bytes, std::string& out) const {
  out.assign(bytes);
  return {};
}

template <class Int>
Status BigEndianIntegerSerde<Int>::serialize(const Int& value, Bytes& out) const {
  append_big_endian(static_cast<std::make_unsigned_t<Int>>(value), out);
  return {};
}

template <class Int>
Result<Int> BigEndianIntegerSerde<Int>::deserialize(ByteView bytes) const {
  if (bytes.size() != sizeof(Int)) return wrong_size(name(), sizeof(Int), bytes.size());
  return static_cast<Int>(read_big_endian<std::make_unsigned_t<Int>>(bytes));
}

template <class Int>
std::string BigEndianIntegerSerde<Int>::name() {
  return "int" + std::to_string(sizeof(Int) * 8);
}

template struct BigEndianIntegerSerde<std::int16_t>;
template struct BigEndianIntegerSerde<std::int32_t>;
template struct BigEndianIntegerSerde<std::int64_t>;

// Like Java's floatToRawIntBits/doubleToRawLongBits: NaN payloads are kept as they are.
Status FloatSerde::serialize(const float& value, Bytes& out) const {
  append_big_endian(std::bit_cast<std::uint32_t>(value), out);
  return {};
}

Result<float> FloatSerde::deserialize(ByteView bytes) const {
  if (bytes.size() != sizeof(float)) return wrong_size(name(), sizeof(float), bytes.size());
  return std::bit_cast<float>(read_big_endian<std::uint32_t>(bytes));
}

Status DoubleSerde::serialize(const double& value, Bytes& out) const {
  append_big_endian(std::bit_cast<std::uint64_t>(value), out);
  return {};
}

Result<double> DoubleSerde::deserialize(ByteView bytes) const {
  if (bytes.size() != sizeof(double)) return wrong_size(name(), sizeof(double), bytes.size());
  return std::bit_cast<double>(read_big_endian<std::uint64_t>(bytes));
}

Status ByteArraySerde::serialize(const std::vector<std::byte>& value, Bytes& out) const {
  if (value.empty()) return {};
  const std::size_t offset = out.size();
  out.resize(offset + value.size());
  std::memcpy(out.data() + offset, value.data(), value.size());
  return {};
}

Result<std::vector<std::byte>> ByteArraySerde::deserialize(ByteView bytes) const {
  std::vector<std::byte> value(bytes.size());
  if (!bytes.empty()) std::memcpy(value.data(), bytes.data(), bytes.size());
  return value;
}

Status ByteArraySerde::deserialize_into(ByteView bytes, std::vector<std::byte>& out) const {
  out.resize(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return {};
}

// Java's VoidDeserializer accepts only null; even empty bytes are an error.
Result<Void> VoidSerde::deserialize(ByteView bytes) const {
  return serialization_error("void: expected null, got " + std::to_string(bytes.size()) + " bytes");
}

}  // namespace kstreams
