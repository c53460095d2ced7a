// JsonSerde and BinarySerde of <kstreams/serde/reflect.h> for BOOST_HANA_DEFINE_STRUCT structs.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/serde/reflect.h>
#include <kstreams/test_matchers.h>

#include "reflect_test_types.h"
#include "serde_test_util.h"

namespace compat {

// Three versions of one record, as three services might declare it.
struct OrderV1 {
  BOOST_HANA_DEFINE_STRUCT(OrderV1, (std::string, id), (std::int32_t, quantity));
};
struct OrderV2 {  // adds an optional member
  BOOST_HANA_DEFINE_STRUCT(OrderV2, (std::string, id), (std::int32_t, quantity),
                           (std::optional<std::string>, coupon));
};
struct OrderV3 {  // adds a required member
  BOOST_HANA_DEFINE_STRUCT(OrderV3, (std::string, id), (std::int32_t, quantity),
                           (std::int32_t, priority));
};

}  // namespace compat

namespace kstreams {
namespace {

using ::kstreams::serde_test::hex;
using ::kstreams::serde_test::to_hex;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::kstreams_test::Color;
using ::kstreams_test::Item;
using ::kstreams_test::Node;
using ::kstreams_test::Order;
using ::kstreams_test::OrderKey;
using ::kstreams_test::sample_order;
using ::kstreams_test::Trend;
using ::testing::AllOf;
using ::testing::HasSubstr;

template <class T>
Bytes to_bytes(const T& value, const Serde<T>& serde) {
  Result<Bytes> bytes = serde.to_bytes(value);
  EXPECT_OK(bytes);
  return bytes.ok() ? *bytes : Bytes();
}

Node chain(int depth) {
  Node root{0, {}};
  Node* tail = &root;
  for (int i = 1; i < depth; ++i) {
    tail->children.push_back(Node{i, {}});
    tail = &tail->children.back();
  }
  return root;
}

// ------------------------------------------------------------------------------------------------
// Default serde lookup

TEST(ReflectSerdeTest, MacrosDefineTheDefaultSerde) {
  static_assert(Reflected<Order> && Reflected<Item> && Reflected<Node>);
  static_assert(HasDefaultSerde<Order>);
  static_assert(HasDefaultSerde<OrderKey>);
  static_assert(HasDefaultSerde<std::optional<Order>>);
  static_assert(!HasDefaultSerde<Item>);  // reflected, but no macro: no default
  static_assert(!Reflected<int>);
  EXPECT_EQ(default_serde<Order>().name(), "json");
  EXPECT_EQ(default_serde<OrderKey>().name(), "binary");
}

// ------------------------------------------------------------------------------------------------
// JSON

TEST(ReflectJsonTest, WritesMembersInDeclarationOrder) {
  const Serde<Item> serde = JsonSerde<Item>();
  EXPECT_EQ(to_bytes(Item{"x\"y", -2}, serde), R"({"sku":"x\"y","quantity":-2})");
}

TEST(ReflectJsonTest, WritesEveryMemberType) {
  // Non-ASCII text stays UTF-8 (no \u escapes); enums are numbers; nullopt would be null.
  EXPECT_EQ(
      to_bytes(sample_order(), default_serde<Order>()),
      R"({"id":"o-1","total_cents":-12345,"weight":1.5,"ratio":0.25,"gift":true,"color":2,)"
      R"("trend":-1,"priority":65535,"small":-128,"big":18446744073709551615,)"
      R"("note":"leave at the door","featured":{"sku":"sku-0","quantity":1},)"
      R"("items":[{"sku":"sku-1","quantity":2},{"sku":"sk)"
      "\xc3\xbc"
      R"(-2","quantity":-3}],)"
      R"("ids":[0,-1,1099511627776],"flags":[true,false,true],"matrix":[["a","b"],[],[""]]})");
}

TEST(ReflectJsonTest, RoundTripsEveryMemberType) {
  const Serde<Order> serde = default_serde<Order>();
  const Order order = sample_order();
  EXPECT_THAT(serde.deserialize(NullableByteView(to_bytes(order, serde))), IsOkAndHolds(order));

  Order empty{};  // zeros, nullopts and empty vectors
  EXPECT_THAT(serde.deserialize(NullableByteView(to_bytes(empty, serde))), IsOkAndHolds(empty));
}

TEST(ReflectJsonTest, OptionalMemberMayBeNullOrAbsent) {
  const JsonSerde<compat::OrderV2> serde;
  ASSERT_OK_AND_ASSIGN(compat::OrderV2 with_null,
                       serde.deserialize(R"({"id":"a","quantity":1,"coupon":null})"));
  EXPECT_EQ(with_null.coupon, std::nullopt);
  ASSERT_OK_AND_ASSIGN(compat::OrderV2 with_value,
                       serde.deserialize(R"({"id":"a","quantity":1,"coupon":"SAVE"})"));
  EXPECT_EQ(with_value.coupon, std::optional<std::string>("SAVE"));
  Bytes written;
  ASSERT_OK(serde.serialize(compat::OrderV2{"a", 1, std::nullopt}, written));
  EXPECT_EQ(written, R"({"id":"a","quantity":1,"coupon":null})");
}

TEST(ReflectJsonTest, OldReaderIgnoresMembersAddedLater) {
  Bytes v2;
  ASSERT_OK(JsonSerde<compat::OrderV2>().serialize(compat::OrderV2{"a", 2, "SAVE"}, v2));
  ASSERT_OK_AND_ASSIGN(compat::OrderV1 v1, JsonSerde<compat::OrderV1>().deserialize(v2));
  EXPECT_EQ(v1.id, "a");
  EXPECT_EQ(v1.quantity, 2);
  // Unknown members of any JSON type, nested or not.
  EXPECT_OK(JsonSerde<compat::OrderV1>().deserialize(
      R"({"extra":{"deep":[1,{"x":null}]},"id":"a","quantity":1,"more":false})"));
}

TEST(ReflectJsonTest, NewReaderAcceptsOldRecordsWithoutOptionalMembers) {
  Bytes v1;
  ASSERT_OK(JsonSerde<compat::OrderV1>().serialize(compat::OrderV1{"a", 2}, v1));
  ASSERT_OK_AND_ASSIGN(compat::OrderV2 v2, JsonSerde<compat::OrderV2>().deserialize(v1));
  EXPECT_EQ(v2.id, "a");
  EXPECT_EQ(v2.quantity, 2);
  EXPECT_EQ(v2.coupon, std::nullopt);
}

TEST(ReflectJsonTest, MissingRequiredMemberIsAnErrorNamingIt) {
  Bytes v1;
  ASSERT_OK(JsonSerde<compat::OrderV1>().serialize(compat::OrderV1{"a", 2}, v1));
  EXPECT_THAT(JsonSerde<compat::OrderV3>().deserialize(v1),
              StatusIs(StatusCode::kSerialization, "json: member 'priority': missing"));
  EXPECT_THAT(JsonSerde<Order>().deserialize(R"({"id":"x"})"),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'total_cents': missing")));
}

TEST(ReflectJsonTest, WrongTypeIsAnErrorNamingTheMember) {
  EXPECT_THAT(JsonSerde<Item>().deserialize(R"({"sku":"x","quantity":"2"})"),
              StatusIs(StatusCode::kSerialization,
                       "json: member 'quantity': expected integer, got string"));
  EXPECT_THAT(JsonSerde<Item>().deserialize(R"({"sku":1,"quantity":2})"),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'sku': expected string")));
  EXPECT_THAT(JsonSerde<Item>().deserialize(R"({"sku":"x","quantity":2.5})"),
              StatusIs(StatusCode::kSerialization, HasSubstr("expected integer, got number")));

  Order order = sample_order();
  Bytes json = to_bytes(order, default_serde<Order>());
  const std::string good = R"({"sku":"sku-1","quantity":2})";
  json.replace(json.find(good), good.size(), R"({"sku":"sku-1","quantity":true})");
  EXPECT_THAT(default_serde<Order>().deserialize(NullableByteView(json)),
              StatusIs(StatusCode::kSerialization,
                       "json: member 'items[0].quantity': expected integer, got boolean"));
}

TEST(ReflectJsonTest, ContainersMustHaveTheirJsonType) {
  const JsonSerde<Node> serde;
  EXPECT_THAT(
      serde.deserialize(R"({"value":1,"children":{}})"),
      StatusIs(StatusCode::kSerialization, "json: member 'children': expected array, got object"));
  EXPECT_THAT(serde.deserialize(R"({"value":1,"children":[{"value":2,"children":[3]}]})"),
              StatusIs(StatusCode::kSerialization,
                       "json: member 'children[0].children[0]': expected object, got number"));
  EXPECT_THAT(JsonSerde<compat::OrderV2>().deserialize(R"({"id":"a","quantity":1,"coupon":5})"),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'coupon'")));
}

TEST(ReflectJsonTest, TopLevelMustBeAnObject) {
  EXPECT_THAT(JsonSerde<Item>().deserialize("[1,2]"),
              StatusIs(StatusCode::kSerialization,
                       "json: member '<root>': expected object, got "
                       "array"));
  EXPECT_THAT(JsonSerde<Item>().deserialize("null"), StatusIs(StatusCode::kSerialization));
}

TEST(ReflectJsonTest, InvalidJsonIsSerializationError) {
  for (const char* text : {"", "{", R"({"sku":"x",)", "{'sku':1}", R"({"sku":"x"} trailing)",
                           "\xff", R"({"sku":"\xff","quantity":1})", "[1e400]"}) {
    EXPECT_THAT(JsonSerde<Item>().deserialize(text),
                StatusIs(StatusCode::kSerialization, HasSubstr("invalid JSON")))
        << text;
  }
}

TEST(ReflectJsonTest, IntegersOutOfRangeAreRejected) {
  EXPECT_THAT(JsonSerde<Item>().deserialize(R"({"sku":"x","quantity":2147483648})"),
              StatusIs(StatusCode::kSerialization,
                       "json: member 'quantity': 2147483648 is out of range for int32"));
  Order order = sample_order();
  order.priority = 1;
  Bytes json = to_bytes(order, default_serde<Order>());
  json.replace(json.find(R"("priority":1)"), 12, R"("priority":-1)");
  EXPECT_THAT(default_serde<Order>().deserialize(NullableByteView(json)),
              StatusIs(StatusCode::kSerialization, HasSubstr("out of range for uint16")));
}

TEST(ReflectJsonTest, FloatingMembersAcceptIntegersAndRejectOverflow) {
  Bytes json = to_bytes(sample_order(), default_serde<Order>());
  Bytes as_integer = json;
  as_integer.replace(as_integer.find(R"("weight":1.5)"), 12, R"("weight":2)");
  ASSERT_OK_AND_ASSIGN(Order order,
                       default_serde<Order>().deserialize(NullableByteView(as_integer)));
  EXPECT_EQ(order.weight, 2.0);

  Bytes too_big = json;
  too_big.replace(too_big.find(R"("ratio":0.25)"), 12, R"("ratio":1e300)");
  EXPECT_THAT(default_serde<Order>().deserialize(NullableByteView(too_big)),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'ratio'")));
}

TEST(ReflectJsonTest, NonFiniteNumbersCannotBeWritten) {
  Order order = sample_order();
  order.weight = std::numeric_limits<double>::quiet_NaN();
  Bytes out;
  EXPECT_THAT(JsonSerde<Order>().serialize(order, out),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'weight'")));
  order = sample_order();
  order.ratio = std::numeric_limits<float>::infinity();
  EXPECT_THAT(JsonSerde<Order>().serialize(order, out),
              StatusIs(StatusCode::kSerialization, HasSubstr("member 'ratio'")));
}

TEST(ReflectJsonTest, InvalidUtf8StringCannotBeWritten) {
  Bytes out;
  EXPECT_THAT(JsonSerde<Item>().serialize(Item{"\xff", 1}, out),
              StatusIs(StatusCode::kSerialization, HasSubstr("UTF-8")));
}

TEST(ReflectJsonTest, EnumsAreTheirUnderlyingInteger) {
  Bytes json = to_bytes(sample_order(), default_serde<Order>());
  json.replace(json.find(R"("color":2)"), 9, R"("color":1)");
  ASSERT_OK_AND_ASSIGN(Order order, default_serde<Order>().deserialize(NullableByteView(json)));
  EXPECT_EQ(order.color, Color::kGreen);
  EXPECT_EQ(order.trend, Trend::kDown);
  json.replace(json.find(R"("color":1)"), 9, R"("color":256)");
  EXPECT_THAT(default_serde<Order>().deserialize(NullableByteView(json)),
              StatusIs(StatusCode::kSerialization,
                       "json: member 'color': 256 is out of range "
                       "for uint8"));
}

TEST(ReflectJsonTest, RecursiveTypesRoundTripWithinTheDepthLimit) {
  const JsonSerde<Node> serde;
  const Node node = chain(30);
  Bytes out;
  ASSERT_OK(serde.serialize(node, out));
  EXPECT_THAT(serde.deserialize(out), IsOkAndHolds(node));
}

TEST(ReflectJsonTest, NestingDeeperThanTheLimitIsAnError) {
  const JsonSerde<Node> serde;
  Bytes out;
  EXPECT_THAT(serde.serialize(chain(200), out),
              StatusIs(StatusCode::kSerialization, HasSubstr("nested too deeply")));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"value":1,"children":[)";
  deep += R"({"value":1,"children":[]})";
  for (int i = 0; i < 200; ++i) deep += "]}";
  EXPECT_THAT(serde.deserialize(deep),
              StatusIs(StatusCode::kSerialization, HasSubstr("nested too deeply")));
  // Deep JSON that the parser itself has to cope with.
  EXPECT_THAT(serde.deserialize(std::string(100000, '[') + std::string(100000, ']')),
              StatusIs(StatusCode::kSerialization));
}

// ------------------------------------------------------------------------------------------------
// Binary

TEST(ReflectBinaryTest, KnownEncoding) {
  const Serde<OrderKey> serde = default_serde<OrderKey>();
  // version 1, varint length 2, "ab", zig-zag(-2) = 3
  EXPECT_EQ(to_hex(to_bytes(OrderKey{"ab", -2}, serde)), "01 02 61 62 03");
  // zig-zag(300) = 600 = 0xd8 0x04
  EXPECT_EQ(to_hex(to_bytes(OrderKey{"", 300}, serde)), "01 00 d8 04");
  EXPECT_EQ(to_hex(to_bytes(OrderKey{"", std::numeric_limits<std::int64_t>::min()}, serde)),
            "01 00 ff ff ff ff ff ff ff ff ff 01");
}

TEST(ReflectBinaryTest, KnownEncodingOfOptionalsVectorsAndDoubles) {
  const BinarySerde<compat::OrderV2> v2;
  Bytes out;
  ASSERT_OK(v2.serialize(compat::OrderV2{"a", 1, std::nullopt}, out));
  EXPECT_EQ(to_hex(out), "01 01 61 02 00");
  out.clear();
  ASSERT_OK(v2.serialize(compat::OrderV2{"a", 1, "c"}, out));
  EXPECT_EQ(to_hex(out), "01 01 61 02 01 01 63");

  const BinarySerde<Node> nodes;
  out.clear();
  ASSERT_OK(nodes.serialize(Node{1, {Node{-1, {}}, Node{2, {}}}}, out));
  EXPECT_EQ(to_hex(out), "01 02 02 01 00 04 00");
}

TEST(ReflectBinaryTest, RoundTripsEveryMemberType) {
  const Serde<Order> serde = BinarySerde<Order>();
  const Order order = sample_order();
  EXPECT_THAT(serde.deserialize(NullableByteView(to_bytes(order, serde))), IsOkAndHolds(order));
  const Order empty{};
  EXPECT_THAT(serde.deserialize(NullableByteView(to_bytes(empty, serde))), IsOkAndHolds(empty));

  // Doubles are kept bit for bit, NaN included.
  Order nan = sample_order();
  nan.weight = -std::numeric_limits<double>::quiet_NaN();
  ASSERT_OK_AND_ASSIGN(Order back, serde.deserialize(NullableByteView(to_bytes(nan, serde))));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(back.weight), std::bit_cast<std::uint64_t>(nan.weight));
}

TEST(ReflectBinaryTest, IntegerExtremesRoundTrip) {
  const BinarySerde<Order> serde;
  Order order{};
  order.total_cents = std::numeric_limits<std::int64_t>::min();
  order.small = std::numeric_limits<std::int8_t>::max();
  order.big = std::numeric_limits<std::uint64_t>::max();
  order.ids = {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
  Bytes out;
  ASSERT_OK(serde.serialize(order, out));
  EXPECT_THAT(serde.deserialize(out), IsOkAndHolds(order));
}

TEST(ReflectBinaryTest, EmptyInputAndUnknownVersionAreErrors) {
  const BinarySerde<OrderKey> serde;
  EXPECT_THAT(serde.deserialize(""),
              StatusIs(StatusCode::kSerialization, HasSubstr("no format-version byte")));
  EXPECT_THAT(
      serde.deserialize(hex("02 02 61 62 03")),
      StatusIs(StatusCode::kSerialization, "binary: unsupported format version 2 (expected 1)"));
}

TEST(ReflectBinaryTest, EveryTruncationIsAnError) {
  const BinarySerde<Order> serde;
  Bytes full;
  ASSERT_OK(serde.serialize(sample_order(), full));
  for (std::size_t size = 0; size < full.size(); ++size) {
    EXPECT_THAT(serde.deserialize(ByteView(full).substr(0, size)),
                StatusIs(StatusCode::kSerialization))
        << "prefix of " << size << " bytes";
  }
  EXPECT_THAT(BinarySerde<OrderKey>().deserialize(hex("01 05 61 62")),
              StatusIs(StatusCode::kSerialization,
                       "binary: member 'tenant': string length 5 exceeds the 2 bytes left"));
  EXPECT_THAT(BinarySerde<OrderKey>().deserialize(hex("01 01 61")),
              StatusIs(StatusCode::kSerialization,
                       "binary: member 'order_number': truncated input (needs 1 bytes, 0 left)"));
}

TEST(ReflectBinaryTest, TrailingBytesAreAnError) {
  EXPECT_THAT(BinarySerde<OrderKey>().deserialize(hex("01 02 61 62 03 00")),
              StatusIs(StatusCode::kSerialization, "binary: 1 trailing bytes after the record"));
}

TEST(ReflectBinaryTest, OverlongVarintsAreErrors) {
  const BinarySerde<OrderKey> serde;
  // 11 bytes of continuation.
  EXPECT_THAT(
      serde.deserialize(hex("01 00 ff ff ff ff ff ff ff ff ff ff 01")),
      StatusIs(StatusCode::kSerialization, "binary: member 'order_number': overlong varint"));
  // 10 bytes, but the last one carries more than the 64th bit.
  EXPECT_THAT(serde.deserialize(hex("01 00 ff ff ff ff ff ff ff ff ff 02")),
              StatusIs(StatusCode::kSerialization, HasSubstr("overlong varint")));
  // Non-minimal: 0 written as 80 00, so two encodings of one key would differ.
  EXPECT_THAT(serde.deserialize(hex("01 00 80 00")),
              StatusIs(StatusCode::kSerialization, HasSubstr("overlong varint")));
  EXPECT_THAT(serde.deserialize(hex("01 80 00 00")),
              StatusIs(StatusCode::kSerialization, "binary: member 'tenant': overlong varint"));
}

TEST(ReflectBinaryTest, FlagBytesMustBeZeroOrOne) {
  const BinarySerde<compat::OrderV2> serde;
  EXPECT_THAT(
      serde.deserialize(hex("01 01 61 02 02")),
      StatusIs(StatusCode::kSerialization, "binary: member 'coupon': invalid presence byte 2"));
  Bytes order;
  ASSERT_OK(BinarySerde<Order>().serialize(Order{}, order));
  // Order{}: version, id "", total_cents 0, weight 8 bytes, ratio 4 bytes, then gift.
  const std::size_t gift_offset = 1 + 1 + 1 + 8 + 4;
  ASSERT_EQ(order[gift_offset], '\0');
  order[gift_offset] = '\x07';
  EXPECT_THAT(BinarySerde<Order>().deserialize(order),
              StatusIs(StatusCode::kSerialization, "binary: member 'gift': invalid bool byte 7"));
}

TEST(ReflectBinaryTest, IntegersOutOfRangeAreErrors) {
  Bytes order;
  ASSERT_OK(BinarySerde<Order>().serialize(Order{}, order));
  // gift, color (uint8 enum), trend (int32 enum), priority (uint16), small (int8)
  const std::size_t color_offset = 1 + 1 + 1 + 8 + 4 + 1;
  Bytes bad_color = order;
  bad_color.replace(color_offset, 1, hex("80 02"));  // 256
  EXPECT_THAT(
      BinarySerde<Order>().deserialize(bad_color),
      StatusIs(StatusCode::kSerialization, "binary: member 'color': value out of range for uint8"));
  Bytes bad_small = order;
  bad_small.replace(color_offset + 3, 1, hex("80 02"));  // zig-zag 256 = 128
  EXPECT_THAT(
      BinarySerde<Order>().deserialize(bad_small),
      StatusIs(StatusCode::kSerialization, "binary: member 'small': value out of range for int8"));
}

TEST(ReflectBinaryTest, HugeVectorCountIsRejectedBeforeAllocating) {
  // Node: value 0, then a child count of 2^62.
  EXPECT_THAT(BinarySerde<Node>().deserialize(hex("01 00 80 80 80 80 80 80 80 80 40")),
              StatusIs(StatusCode::kSerialization,
                       HasSubstr("member 'children': vector size 4611686018427387904 exceeds")));
}

TEST(ReflectBinaryTest, NestingDeeperThanTheLimitIsAnError) {
  const BinarySerde<Node> serde;
  Bytes ok;
  ASSERT_OK(serde.serialize(chain(30), ok));
  EXPECT_THAT(serde.deserialize(ok), IsOkAndHolds(chain(30)));

  Bytes deep = "\x01";
  for (int i = 0; i < 100000; ++i) deep += hex("00 01");  // value 0, one child
  deep += hex("00 00");
  EXPECT_THAT(serde.deserialize(deep),
              StatusIs(StatusCode::kSerialization, HasSubstr("nested too deeply")));
}

TEST(ReflectBinaryTest, ErrorsNameNestedMembers) {
  Bytes bytes;
  ASSERT_OK(BinarySerde<Node>().serialize(Node{1, {Node{2, {}}, Node{3, {}}}}, bytes));
  bytes.back() = '\x09';  // children[1].children count 9, nothing follows
  EXPECT_THAT(BinarySerde<Node>().deserialize(bytes),
              StatusIs(StatusCode::kSerialization,
                       HasSubstr("member 'children[1].children': vector size 9 exceeds")));
}

}  // namespace
}  // namespace kstreams
