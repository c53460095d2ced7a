// ProtobufSerde and the protobuf default serde of <kstreams/serde/protobuf.h>.
#include <cstddef>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/serde/protobuf.h>
#include <kstreams/serdes.h>
#include <kstreams/test_matchers.h>

#include "serde_test_util.h"
#include "test_messages.pb.h"
#include "test_required.pb.h"

namespace kstreams {
namespace {

using ::kstreams::serde_test::hex;
using ::kstreams::serde_test::to_hex;
using ::kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

test::Order sample_order() {
  test::Order order;
  order.set_id("o-1");
  order.set_quantity(3);
  order.add_tags("gift");
  order.add_tags("express");
  order.mutable_customer()->set_name("Ada");
  order.set_price(9.5);
  return order;
}

TEST(ProtobufSerdeTest, DefaultSerdeIsFoundForGeneratedMessages) {
  static_assert(HasDefaultSerde<test::Order>);
  static_assert(HasDefaultSerde<test::Ticket>);
  static_assert(HasDefaultSerde<std::optional<test::Order>>);
  static_assert(!HasDefaultSerde<google::protobuf::MessageLite>);  // abstract: not a message type
  const Serde<test::Order> serde = default_serde<test::Order>();
  EXPECT_EQ(serde.name(), "protobuf<kstreams.test.Order>");
}

TEST(ProtobufSerdeTest, WritesTheProtobufWireFormat) {
  test::Order order;
  order.set_id("a");
  order.set_quantity(150);
  ASSERT_OK_AND_ASSIGN(Bytes bytes, default_serde<test::Order>().to_bytes(order));
  // field 1 (LEN) "a", field 2 (VARINT) 150 = 96 01
  EXPECT_EQ(to_hex(bytes), "0a 01 61 10 96 01");
}

TEST(ProtobufSerdeTest, RoundTrip) {
  const Serde<test::Order> serde = default_serde<test::Order>();
  const test::Order order = sample_order();
  ASSERT_OK_AND_ASSIGN(Bytes bytes, serde.to_bytes(order));
  ASSERT_OK_AND_ASSIGN(test::Order back, serde.deserialize(NullableByteView(bytes)));
  EXPECT_EQ(back.SerializeAsString(), order.SerializeAsString());
  EXPECT_EQ(back.customer().name(), "Ada");
  EXPECT_EQ(back.tags_size(), 2);
}

TEST(ProtobufSerdeTest, EmptyBytesAreTheDefaultMessage) {
  ASSERT_OK_AND_ASSIGN(test::Order order, ProtobufSerde<test::Order>().deserialize(""));
  EXPECT_EQ(order.id(), "");
  EXPECT_EQ(order.quantity(), 0);
}

TEST(ProtobufSerdeTest, NullReadsAsNulloptThroughOptional) {
  const Serde<std::optional<test::Order>> serde = default_serde<std::optional<test::Order>>();
  ASSERT_OK_AND_ASSIGN(std::optional<test::Order> order, serde.deserialize(std::nullopt));
  EXPECT_FALSE(order.has_value());
  EXPECT_THAT(default_serde<test::Order>().deserialize(std::nullopt),
              StatusIs(StatusCode::kSerialization));
}

TEST(ProtobufSerdeTest, TruncatedInputIsSerializationErrorNamingTheType) {
  const ProtobufSerde<test::Order> serde;
  Bytes bytes;
  ASSERT_OK(serde.serialize(sample_order(), bytes));
  for (std::size_t size : {std::size_t{1}, std::size_t{2}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_THAT(serde.deserialize(ByteView(bytes).substr(0, size)),
                StatusIs(StatusCode::kSerialization,
                         AllOf(HasSubstr("kstreams.test.Order"), HasSubstr("cannot parse"))))
        << "prefix of " << size << " bytes";
  }
}

TEST(ProtobufSerdeTest, GarbageIsSerializationError) {
  const ProtobufSerde<test::Order> serde;
  // Field 0 is not a valid tag.
  EXPECT_THAT(serde.deserialize(hex("00")), StatusIs(StatusCode::kSerialization));
  // Wire type 7 does not exist.
  EXPECT_THAT(serde.deserialize(hex("0f")), StatusIs(StatusCode::kSerialization));
  // A length-delimited field claiming more bytes than there are.
  EXPECT_THAT(serde.deserialize(hex("0a 7f 61")), StatusIs(StatusCode::kSerialization));
  // A varint that never ends.
  EXPECT_THAT(serde.deserialize(hex("10 ff ff ff ff ff ff ff ff ff ff ff")),
              StatusIs(StatusCode::kSerialization));
}

TEST(ProtobufSerdeTest, UnknownFieldsAreKept) {
  // Forward compatibility: a field from a newer schema survives a read-write cycle.
  const ProtobufSerde<test::Order> serde;
  const Bytes with_unknown = hex("0a 01 61 a0 06 05");  // id "a", field 100 = 5
  ASSERT_OK_AND_ASSIGN(test::Order order, serde.deserialize(with_unknown));
  EXPECT_EQ(order.id(), "a");
  Bytes again;
  ASSERT_OK(serde.serialize(order, again));
  EXPECT_EQ(to_hex(again), to_hex(with_unknown));
}

TEST(ProtobufSerdeTest, DeserializeIntoLeavesNothingOfThePreviousMessage) {
  // A source node parses every record into one message: fields the next record lacks (a string,
  // a repeated field, a sub-message, unknown fields) must not survive from the record before.
  const Serde<test::Order> serde = default_serde<test::Order>();
  test::Order reused = sample_order();
  const Bytes next = hex("10 05 a0 06 05");  // quantity 5, unknown field 100 = 5
  ASSERT_OK(serde.deserialize_into(NullableByteView(next), reused));
  ASSERT_OK_AND_ASSIGN(test::Order fresh, serde.deserialize(NullableByteView(next)));
  EXPECT_EQ(reused.SerializeAsString(), fresh.SerializeAsString());
  EXPECT_EQ(reused.id(), "");
  EXPECT_EQ(reused.tags_size(), 0);
  EXPECT_FALSE(reused.has_customer());
  EXPECT_EQ(reused.quantity(), 5);
}

TEST(ProtobufSerdeTest, DeserializeIntoReportsTheSameErrorsAsDeserialize) {
  const Serde<test::Order> orders = default_serde<test::Order>();
  test::Order reused = sample_order();
  EXPECT_THAT(orders.deserialize_into(NullableByteView(hex("0a 7f 61")), reused),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("kstreams.test.Order"), HasSubstr("cannot parse"))));
  EXPECT_THAT(orders.deserialize_into(std::nullopt, reused), StatusIs(StatusCode::kSerialization));

  const Serde<test::Ticket> tickets = default_serde<test::Ticket>();
  test::Ticket ticket;
  EXPECT_THAT(tickets.deserialize_into(NullableByteView(hex("12 01 78")), ticket),
              StatusIs(StatusCode::kSerialization, HasSubstr("missing required fields")));

  // Through std::optional: null is nullopt, bytes fill the message in place.
  const Serde<std::optional<test::Order>> optional = default_serde<std::optional<test::Order>>();
  std::optional<test::Order> maybe = sample_order();
  ASSERT_OK(optional.deserialize_into(std::nullopt, maybe));
  EXPECT_FALSE(maybe.has_value());
  ASSERT_OK(optional.deserialize_into(NullableByteView(hex("0a 01 61")), maybe));
  ASSERT_TRUE(maybe.has_value());
  EXPECT_EQ(maybe->id(), "a");
  EXPECT_EQ(maybe->tags_size(), 0);
}

TEST(ProtobufSerdeTest, MissingRequiredFieldFailsBothWays) {
  const ProtobufSerde<test::Ticket> serde;
  test::Ticket ticket;
  ticket.set_note("no id");
  Bytes bytes;
  EXPECT_THAT(serde.serialize(ticket, bytes),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("kstreams.test.Ticket"), HasSubstr("cannot serialize"))));
  EXPECT_THAT(serde.deserialize(hex("12 01 78")),  // only the note
              StatusIs(StatusCode::kSerialization, HasSubstr("kstreams.test.Ticket")));

  ticket.set_id(7);
  bytes.clear();
  ASSERT_OK(serde.serialize(ticket, bytes));
  ASSERT_OK_AND_ASSIGN(test::Ticket back, serde.deserialize(bytes));
  EXPECT_EQ(back.id(), 7);
  EXPECT_EQ(back.note(), "no id");
}

}  // namespace
}  // namespace kstreams
