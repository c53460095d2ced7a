// The built-in serdes against the bytes Kafka's Java serdes produce
// (org.apache.kafka.common.serialization.{String,Short,Integer,Long,Float,Double,ByteArray,Void}).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/serdes.h>
#include <kstreams/test_matchers.h>

#include "serde_test_util.h"

namespace kstreams {
namespace {

using ::kstreams::serde_test::hex;
using ::kstreams::serde_test::to_hex;
using ::kstreams::testing::IsOk;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Serializes with the default serde and checks the exact wire bytes, then reads them back.
template <class T>
void expect_wire(const T& value, std::string_view expected_hex) {
  const Serde<T> serde = default_serde<T>();
  ASSERT_OK_AND_ASSIGN(Bytes bytes, serde.to_bytes(value));
  EXPECT_EQ(to_hex(bytes), to_hex(hex(expected_hex)));
  EXPECT_THAT(serde.deserialize(NullableByteView(bytes)), IsOkAndHolds(value));
}

TEST(BuiltinSerdesTest, StringIsRawBytes) {
  expect_wire<std::string>("hi", "68 69");
  expect_wire<std::string>("", "");
  expect_wire<std::string>(std::string("a\0b", 3), "61 00 62");
  expect_wire<std::string>("\xc3\xa9", "c3 a9");  // "é" in UTF-8
}

TEST(BuiltinSerdesTest, StringKeepsInvalidUtf8) {
  const Serde<std::string> serde = default_serde<std::string>();
  EXPECT_THAT(serde.deserialize(NullableByteView(hex("ff fe 80"))),
              IsOkAndHolds(std::string("\xff\xfe\x80")));
}

TEST(BuiltinSerdesTest, ShortIsTwoBytesBigEndian) {
  expect_wire<std::int16_t>(1, "00 01");
  expect_wire<std::int16_t>(256, "01 00");
  expect_wire<std::int16_t>(-2, "ff fe");
  expect_wire<std::int16_t>(std::numeric_limits<std::int16_t>::min(), "80 00");
}

TEST(BuiltinSerdesTest, IntegerIsFourBytesBigEndian) {
  expect_wire<std::int32_t>(1, "00 00 00 01");
  expect_wire<std::int32_t>(-1, "ff ff ff ff");
  expect_wire<std::int32_t>(0x12345678, "12 34 56 78");
  expect_wire<std::int32_t>(std::numeric_limits<std::int32_t>::min(), "80 00 00 00");
  expect_wire<std::int32_t>(std::numeric_limits<std::int32_t>::max(), "7f ff ff ff");
}

TEST(BuiltinSerdesTest, LongIsEightBytesBigEndian) {
  expect_wire<std::int64_t>(-1, "ff ff ff ff ff ff ff ff");
  expect_wire<std::int64_t>(1, "00 00 00 00 00 00 00 01");
  expect_wire<std::int64_t>(std::int64_t{1} << 40, "00 00 01 00 00 00 00 00");
  expect_wire<std::int64_t>(std::numeric_limits<std::int64_t>::min(), "80 00 00 00 00 00 00 00");
  expect_wire<std::int64_t>(1700000000000, "00 00 01 8b cf e5 68 00");
}

TEST(BuiltinSerdesTest, FloatIsIeee754BigEndian) {
  expect_wire<float>(1.5F, "3f c0 00 00");
  expect_wire<float>(-2.0F, "c0 00 00 00");
  expect_wire<float>(0.0F, "00 00 00 00");
  expect_wire<float>(std::numeric_limits<float>::infinity(), "7f 80 00 00");
}

TEST(BuiltinSerdesTest, DoubleIsIeee754BigEndian) {
  expect_wire<double>(1.5, "3f f8 00 00 00 00 00 00");
  expect_wire<double>(0.1, "3f b9 99 99 99 99 99 9a");
  expect_wire<double>(-0.0, "80 00 00 00 00 00 00 00");
}

TEST(BuiltinSerdesTest, NanKeepsItsBits) {
  // Like Java's doubleToRawLongBits: the payload of a NaN survives the round trip.
  const Serde<double> serde = default_serde<double>();
  const Bytes nan_bytes = hex("7f f8 00 00 00 00 00 2a");
  ASSERT_OK_AND_ASSIGN(double nan, serde.deserialize(NullableByteView(nan_bytes)));
  EXPECT_NE(nan, nan);
  ASSERT_OK_AND_ASSIGN(Bytes again, serde.to_bytes(nan));
  EXPECT_EQ(to_hex(again), to_hex(nan_bytes));
}

TEST(BuiltinSerdesTest, ByteArrayIsRawBytes) {
  const Serde<std::vector<std::byte>> serde = default_serde<std::vector<std::byte>>();
  const std::vector<std::byte> value{std::byte{0x00}, std::byte{0xff}, std::byte{0x10}};
  ASSERT_OK_AND_ASSIGN(Bytes bytes, serde.to_bytes(value));
  EXPECT_EQ(to_hex(bytes), "00 ff 10");
  EXPECT_THAT(serde.deserialize(NullableByteView(bytes)), IsOkAndHolds(value));
  EXPECT_THAT(serde.deserialize(NullableByteView(Bytes())), IsOkAndHolds(std::vector<std::byte>()));
}

TEST(BuiltinSerdesTest, WrongLengthIsSerializationErrorNamingBothSizes) {
  EXPECT_THAT(IntegerSerde().deserialize(hex("00 00 01")),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("int32"), HasSubstr("expected 4"), HasSubstr("got 3"))));
  EXPECT_THAT(LongSerde().deserialize(hex("00 00 00 00 00 00 00 00 00")),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("int64"), HasSubstr("expected 8"), HasSubstr("got 9"))));
  EXPECT_THAT(
      ShortSerde().deserialize(""),
      StatusIs(StatusCode::kSerialization, AllOf(HasSubstr("expected 2"), HasSubstr("got 0"))));
  EXPECT_THAT(FloatSerde().deserialize(hex("3f c0")),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("float"), HasSubstr("expected 4"), HasSubstr("got 2"))));
  EXPECT_THAT(DoubleSerde().deserialize(hex("3f f8 00 00")),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("double"), HasSubstr("expected 8"), HasSubstr("got 4"))));
}

TEST(BuiltinSerdesTest, NullIsAnErrorForNonOptionalTypes) {
  EXPECT_THAT(default_serde<std::int32_t>().deserialize(std::nullopt),
              StatusIs(StatusCode::kSerialization));
  EXPECT_THAT(default_serde<std::string>().deserialize(std::nullopt),
              StatusIs(StatusCode::kSerialization, HasSubstr("std::optional")));
}

TEST(BuiltinSerdesTest, OptionalMapsNullToNullopt) {
  const Serde<std::optional<std::int32_t>> serde = default_serde<std::optional<std::int32_t>>();
  EXPECT_THAT(serde.deserialize(std::nullopt), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(serde.deserialize(NullableByteView(hex("00 00 00 07"))),
              IsOkAndHolds(std::optional<std::int32_t>(7)));
  EXPECT_THAT(serde.deserialize(NullableByteView(hex("07"))), StatusIs(StatusCode::kSerialization));

  NullableBytes out = Bytes("stale");
  ASSERT_OK(serde.serialize(std::nullopt, out));
  EXPECT_FALSE(out.has_value());
  ASSERT_OK(serde.serialize(std::optional<std::int32_t>(1), out));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(to_hex(*out), "00 00 00 01");
  EXPECT_EQ(serde.name(), "optional<int32>");
}

TEST(BuiltinSerdesTest, OptionalStringKeepsEmptyApartFromNull) {
  const Serde<std::optional<std::string>> serde = default_serde<std::optional<std::string>>();
  EXPECT_THAT(serde.deserialize(NullableByteView(Bytes())),
              IsOkAndHolds(std::optional<std::string>("")));
  EXPECT_THAT(serde.deserialize(std::nullopt), IsOkAndHolds(std::nullopt));
}

TEST(BuiltinSerdesTest, DeserializeIntoOverwritesTheWholeValue) {
  const Serde<std::string> strings = default_serde<std::string>();
  std::string text = "a much longer previous value";
  ASSERT_OK(strings.deserialize_into(NullableByteView(Bytes("ab")), text));
  EXPECT_EQ(text, "ab");
  EXPECT_THAT(strings.deserialize_into(std::nullopt, text),
              StatusIs(StatusCode::kSerialization, HasSubstr("std::optional")));

  const Serde<std::vector<std::byte>> bytes = default_serde<std::vector<std::byte>>();
  std::vector<std::byte> raw(10, std::byte{0x7f});
  ASSERT_OK(bytes.deserialize_into(NullableByteView(hex("01 02")), raw));
  EXPECT_EQ(raw, (std::vector<std::byte>{std::byte{1}, std::byte{2}}));
  ASSERT_OK(bytes.deserialize_into(NullableByteView(Bytes()), raw));
  EXPECT_TRUE(raw.empty());

  // A serde without deserialize_into of its own: the value read is assigned.
  const Serde<std::int32_t> ints = default_serde<std::int32_t>();
  std::int32_t number = -1;
  ASSERT_OK(ints.deserialize_into(NullableByteView(hex("00 00 00 07")), number));
  EXPECT_EQ(number, 7);
  EXPECT_THAT(ints.deserialize_into(NullableByteView(hex("07")), number),
              StatusIs(StatusCode::kSerialization));
}

TEST(BuiltinSerdesTest, VoidIsAlwaysNull) {
  const Serde<Void> serde = default_serde<Void>();
  NullableBytes out = Bytes("stale");
  ASSERT_OK(serde.serialize(Void{}, out));
  EXPECT_FALSE(out.has_value());
  EXPECT_THAT(serde.deserialize(std::nullopt), IsOk());
}

TEST(BuiltinSerdesTest, VoidRejectsAnyBytes) {
  const Serde<Void> serde = default_serde<Void>();
  EXPECT_THAT(serde.deserialize(NullableByteView(Bytes())),
              StatusIs(StatusCode::kSerialization, HasSubstr("expected null")));
  EXPECT_THAT(serde.deserialize(NullableByteView(hex("00"))),
              StatusIs(StatusCode::kSerialization, HasSubstr("got 1 bytes")));
}

TEST(BuiltinSerdesTest, SerializeAppendsToOut) {
  // The raw serde contract: `out` starts empty in Serde<T>, but serializers append, never assign.
  Bytes out = "x";
  ASSERT_OK(IntegerSerde().serialize(1, out));
  ASSERT_OK(StringSerde().serialize("y", out));
  EXPECT_EQ(to_hex(out), "78 00 00 00 01 79");
}

TEST(BuiltinSerdesTest, Names) {
  EXPECT_EQ(default_serde<std::string>().name(), "string");
  EXPECT_EQ(default_serde<std::int16_t>().name(), "int16");
  EXPECT_EQ(default_serde<std::int32_t>().name(), "int32");
  EXPECT_EQ(default_serde<std::int64_t>().name(), "int64");
  EXPECT_EQ(default_serde<float>().name(), "float");
  EXPECT_EQ(default_serde<double>().name(), "double");
  EXPECT_EQ(default_serde<std::vector<std::byte>>().name(), "bytes");
  EXPECT_EQ(default_serde<Void>().name(), "void");
}

TEST(BuiltinSerdesTest, ValuesRoundTrip) {
  const Serde<std::int64_t> longs = default_serde<std::int64_t>();
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-129}, std::int64_t{1} << 62,
                         std::numeric_limits<std::int64_t>::max()}) {
    ASSERT_OK_AND_ASSIGN(Bytes bytes, longs.to_bytes(v));
    EXPECT_THAT(longs.deserialize(NullableByteView(bytes)), IsOkAndHolds(v));
  }
  const Serde<float> floats = default_serde<float>();
  for (float v : {0.0F, -1.25F, std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::max()}) {
    ASSERT_OK_AND_ASSIGN(Bytes bytes, floats.to_bytes(v));
    EXPECT_THAT(floats.deserialize(NullableByteView(bytes)), IsOkAndHolds(v));
  }
}

}  // namespace
}  // namespace kstreams
