// File: kstreams/serdes.h
//
// Built-in serdes, wire-compatible with Kafka's Java serdes:
//   std::string           UTF-8 bytes as they are (StringSerde)
//   std::int16_t/32/64    big-endian two's complement (ShortSerde/IntegerSerde/LongSerde)
//   float, double         big-endian IEEE 754 (FloatSerde/DoubleSerde)
//   std::vector<std::byte> raw bytes (ByteArraySerde)
//   kstreams::Void        always null (VoidSerde), for topics without keys
//   std::optional<T>      null <-> nullopt, otherwise T's default serde (<kstreams/serde.h>)
// Each is the default serde of its type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <kstreams/record.h>
#include <kstreams/serde.h>

namespace kstreams {

struct StringSerde {
  static constexpr bool kRoundTrips = true;
  Status serialize(const std::string& value, Bytes& out) const;
  Result<std::string> deserialize(ByteView bytes) const;
  Status deserialize_into(ByteView bytes, std::string& out) const;
  static std::string name() { return "string"; }
};

template <class Int>
struct BigEndianIntegerSerde {
  static_assert(std::is_integral_v<Int>);
  Status serialize(const Int& value, Bytes& out) const;
  Result<Int> deserialize(ByteView bytes) const;
  static std::string name();
};
extern template struct BigEndianIntegerSerde<std::int16_t>;
extern template struct BigEndianIntegerSerde<std::int32_t>;
extern template struct BigEndianIntegerSerde<std::int64_t>;
using ShortSerde = BigEndianIntegerSerde<std::int16_t>;
using IntegerSerde = BigEndianIntegerSerde<std::int32_t>;
using LongSerde = BigEndianIntegerSerde<std::int64_t>;

struct FloatSerde {
  Status serialize(const float& value, Bytes& out) const;
  Result<float> deserialize(ByteView bytes) const;
  static std::string name() { return "float"; }
};

struct DoubleSerde {
  Status serialize(const double& value, Bytes& out) const;
  Result<double> deserialize(ByteView bytes) const;
  static std::string name() { return "double"; }
};

struct ByteArraySerde {
  static constexpr bool kRoundTrips = true;
  Status serialize(const std::vector<std::byte>& value, Bytes& out) const;
  Result<std::vector<std::byte>> deserialize(ByteView bytes) const;
  Status deserialize_into(ByteView bytes, std::vector<std::byte>& out) const;
  static std::string name() { return "bytes"; }
};

struct VoidSerde {
  Status serialize(const Void&, Bytes&) const { return {}; }
  Result<Void> deserialize(ByteView bytes) const;
  bool is_null(const Void&) const { return true; }
  Result<Void> deserialize_null() const { return Void{}; }
  static std::string name() { return "void"; }
};

inline StringSerde kstreams_default_serde(SerdeTag<std::string>) { return {}; }
inline ShortSerde kstreams_default_serde(SerdeTag<std::int16_t>) { return {}; }
inline IntegerSerde kstreams_default_serde(SerdeTag<std::int32_t>) { return {}; }
inline LongSerde kstreams_default_serde(SerdeTag<std::int64_t>) { return {}; }
inline FloatSerde kstreams_default_serde(SerdeTag<float>) { return {}; }
inline DoubleSerde kstreams_default_serde(SerdeTag<double>) { return {}; }
inline ByteArraySerde kstreams_default_serde(SerdeTag<std::vector<std::byte>>) { return {}; }
inline VoidSerde kstreams_default_serde(SerdeTag<Void>) { return {}; }

}  // namespace kstreams
