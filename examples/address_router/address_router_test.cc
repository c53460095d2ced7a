// The address router on the TopologyTestDriver: every route, headers and timestamps, the
// dead-letter path, contract evolution in both directions, and configure() keeping what the user
// set.
#include "examples/address_router/address_router.h"

#include <optional>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/serde/protobuf.h>
#include <kstreams/testing/topology_test_driver.h>

#include "examples/address_router/address_evolution_test.pb.h"
#include "examples/address_router/address_generator.h"

namespace address_router {
namespace {

using kstreams::testing::TopologyTestDriver;
using ::testing::ElementsAre;
using AddressOutput = kstreams::testing::TestOutputTopic<std::string, Address>;
using BytesOutput = kstreams::testing::TestOutputTopic<std::string, std::string>;

kstreams::Topology make_topology() {
  kstreams::StreamsBuilder builder;
  build(builder);
  return builder.build().value();
}

// `a` encoded with its type last: valid protobuf, which a re-serialization would reorder.
std::string encoded_type_last(const Address& a) {
  Address without_type = a;
  without_type.clear_type();
  Address only_type;
  only_type.set_type(a.type());
  return without_type.SerializeAsString() + only_type.SerializeAsString();
}

class AddressRouterTest : public ::testing::Test {
 protected:
  AddressRouterTest() : driver_(make_topology(), make_config()) {}

  static kstreams::StreamsConfig make_config() {
    kstreams::StreamsConfig config{.application_id = "address-router-test"};
    configure(config);
    return config;
  }

  AddressOutput output(std::string_view topic) {
    return driver_.create_output_topic<std::string, Address>(std::string(topic));
  }
  BytesOutput raw_output(std::string_view topic) {
    return driver_.create_output_topic<std::string, std::string>(std::string(topic));
  }

  TopologyTestDriver driver_;
  kstreams::testing::TestInputTopic<std::string, Address> input_ =
      driver_.create_input_topic<std::string, Address>(std::string(kInputTopic));
  kstreams::testing::TestInputTopic<std::string, std::string> raw_input_ =
      driver_.create_input_topic<std::string, std::string>(std::string(kInputTopic));
  AddressGenerator generator_{7, 0.0};
};

TEST_F(AddressRouterTest, RoutesShippingAndBillingToTheirTopics) {
  Address shipping = generator_.address(SHIPPING);
  Address billing = generator_.address(BILLING);
  input_.pipe_input(shipping.customer_id(), shipping);
  input_.pipe_input(billing.customer_id(), billing);

  auto shipped = output(kShippingTopic).read_key_value();
  EXPECT_EQ(shipped.key, shipping.customer_id());
  EXPECT_EQ(shipped.value.address_id(), shipping.address_id());
  EXPECT_EQ(output(kBillingTopic).read_value().address_id(), billing.address_id());
  EXPECT_TRUE(output(kShippingTopic).is_empty());
  EXPECT_TRUE(output(kInvalidTopic).is_empty());
  EXPECT_EQ(driver_.produced_topic_names(),
            (std::set<std::string>{std::string(kShippingTopic), std::string(kBillingTopic)}));
}

TEST_F(AddressRouterTest, UnknownTypeAndMissingRequiredFieldsGoToInvalid) {
  Address unspecified = generator_.address(ADDRESS_TYPE_UNSPECIFIED);
  Address no_city = generator_.address(SHIPPING);
  no_city.clear_city();
  Address no_postal_code = generator_.address(BILLING);
  no_postal_code.clear_postal_code();
  for (const Address& a : {unspecified, no_city, no_postal_code}) {
    input_.pipe_input(a.customer_id(), a);
  }

  std::vector<std::string> ids;
  for (const Address& a : output(kInvalidTopic).read_values_to_list()) {
    ids.push_back(a.address_id());
  }
  EXPECT_THAT(ids, ElementsAre(unspecified.address_id(), no_city.address_id(),
                               no_postal_code.address_id()));
  EXPECT_EQ(driver_.produced_topic_names(), std::set<std::string>{std::string(kInvalidTopic)});
}

TEST_F(AddressRouterTest, KeepsHeadersAndTimestamps) {
  Address a = generator_.address(SHIPPING);
  kstreams::Headers headers{{"correlation-id", kstreams::Bytes("req-42")}};
  input_.pipe_input(a.customer_id(), a, headers, 1'700'000'000'123);

  auto record = output(kShippingTopic).read_record();
  EXPECT_EQ(record.headers, headers);
  EXPECT_EQ(record.timestamp, 1'700'000'000'123);
}

TEST_F(AddressRouterTest, UndecodableBytesGoToTheDeadLetterTopicWithErrorHeaders) {
  constexpr char kGarbage[] = "\x0f\xff\xff not an address";
  const std::string garbage(kGarbage, sizeof kGarbage - 1);
  raw_input_.pipe_input("cust-1", garbage, kstreams::Headers{{"origin", kstreams::Bytes("x")}},
                        555);
  Address after = generator_.address(BILLING);
  input_.pipe_input(after.customer_id(), after);  // the stream goes on

  auto dead = raw_output(kDeadLetterTopic).read_record();
  EXPECT_EQ(dead.key, "cust-1");
  EXPECT_EQ(dead.value, garbage);  // the original bytes, untouched
  EXPECT_EQ(dead.timestamp, 555);
  EXPECT_EQ(dead.headers.last_value("origin"), "x");
  EXPECT_EQ(dead.headers.last_value(kstreams::kDlqHeaderTopic), std::string(kInputTopic));
  EXPECT_EQ(dead.headers.last_value(kstreams::kDlqHeaderPartition), "0");
  EXPECT_EQ(dead.headers.last_value(kstreams::kDlqHeaderOffset), "0");
  EXPECT_THAT(dead.headers.last_value(kstreams::kDlqHeaderMessage).value_or(""),
              ::testing::HasSubstr("address_router.Address"));
  EXPECT_TRUE(dead.headers.last_header(kstreams::kDlqHeaderException) != nullptr);
  EXPECT_EQ(output(kBillingTopic).read_value().address_id(), after.address_id());
  EXPECT_EQ(driver_.metrics().records_dead_lettered, 1u);
}

TEST_F(AddressRouterTest, OldCodeRoutesANewerAddressWithAnAddedField) {
  evolution::AddressV3 newer;
  newer.set_address_id("a-new");
  newer.set_customer_id("c-1");
  newer.set_type(evolution::V3_BILLING);
  newer.set_street("1 Main St");
  newer.set_city("Springfield");
  newer.set_postal_code("12345");
  newer.set_delivery_notes("leave at the door");
  raw_input_.pipe_input("c-1", newer.SerializeAsString());

  newer.set_address_id("a-pickup");
  newer.set_type(evolution::V3_PICKUP);  // a type this router does not know
  raw_input_.pipe_input("c-1", newer.SerializeAsString());

  EXPECT_EQ(output(kBillingTopic).read_value().address_id(), "a-new");
  EXPECT_EQ(output(kInvalidTopic).read_value().address_id(), "a-pickup");
  // The added field survives routing: outputs carry the unknown field through.
  evolution::AddressV3 forwarded;
  input_.pipe_input("c-1", [&] {
    Address a;
    EXPECT_TRUE(a.ParseFromString(newer.SerializeAsString()));
    a.set_type(SHIPPING);
    return a;
  }());
  ASSERT_TRUE(forwarded.ParseFromString(raw_output(kShippingTopic).read_value()));
  EXPECT_EQ(forwarded.delivery_notes(), "leave at the door");
}

TEST_F(AddressRouterTest, RoutedAddressesKeepTheBytesTheyCameWith) {
  // configure() turns on sink.forwards.source.bytes: an address is written as its producer
  // encoded it. Here the type comes last, which protobuf parses (and would re-serialize first).
  const Address a = generator_.address(SHIPPING);
  const std::string type_last = encoded_type_last(a);
  ASSERT_NE(type_last, a.SerializeAsString());
  raw_input_.pipe_input(a.customer_id(), type_last);

  const std::string written = raw_output(kShippingTopic).read_value();
  EXPECT_EQ(written, type_last);
  Address back;
  ASSERT_TRUE(back.ParseFromString(written));
  EXPECT_EQ(back.SerializeAsString(), a.SerializeAsString());
}

TEST_F(AddressRouterTest, NewCodeRoutesAnOlderAddressWithoutTheLaterFields) {
  evolution::AddressV1 older;
  older.set_address_id("a-old");
  older.set_customer_id("c-2");
  older.set_type(SHIPPING);
  older.set_street("2 High St");
  older.set_city("Rivertown");
  older.set_postal_code("54321");
  raw_input_.pipe_input("c-2", older.SerializeAsString());

  Address routed = output(kShippingTopic).read_value();
  EXPECT_EQ(routed.address_id(), "a-old");
  EXPECT_EQ(routed.country(), "");  // optional, added later
}

TEST_F(AddressRouterTest, GeneratedInputLandsWhereTheGeneratorExpects) {
  AddressGenerator generator(1234, 0.3);
  std::map<Route, std::size_t> expected;
  for (int i = 0; i < 2'000; ++i) {
    GeneratedRecord r = generator.next();
    ++expected[r.expected];
    raw_input_.pipe_input(r.key, r.value);
  }
  EXPECT_EQ(output(kShippingTopic).queue_size(), expected[Route::kShipping]);
  EXPECT_EQ(output(kBillingTopic).queue_size(), expected[Route::kBilling]);
  EXPECT_EQ(output(kInvalidTopic).queue_size(), expected[Route::kInvalid]);
  EXPECT_EQ(raw_output(kDeadLetterTopic).queue_size(), expected[Route::kDeadLetter]);
  EXPECT_GT(expected[Route::kDeadLetter], 0u);
  EXPECT_GT(expected[Route::kInvalid], 0u);
}

// The user's settings, as a properties file would give them: configure() keeps them.
class ConfiguredByTheUserTest : public ::testing::Test {
 protected:
  void start(kstreams::StreamsConfig config, const std::set<std::string>& user_set_properties) {
    configure(config, user_set_properties);
    driver_.emplace(make_topology(), config);
  }
  TopologyTestDriver& driver() { return *driver_; }
  void pipe_raw(const std::string& key, const std::string& value) {
    driver_->create_input_topic<std::string, std::string>(std::string(kInputTopic))
        .pipe_input(key, value);
  }
  BytesOutput raw_output(std::string_view topic) {
    return driver_->create_output_topic<std::string, std::string>(std::string(topic));
  }

  std::optional<TopologyTestDriver> driver_;
  AddressGenerator generator_{7, 0.0};
};

TEST_F(ConfiguredByTheUserTest, TheUsersDeserializationHandlerIsKept) {
  start({.application_id = "address-router-test",
         .default_deserialization_exception_handler = kstreams::error_handlers::log_and_continue()},
        {"default.deserialization.exception.handler"});
  pipe_raw("cust-1", "\x0f\xff\xff not an address");

  EXPECT_TRUE(raw_output(kDeadLetterTopic).is_empty());
  EXPECT_EQ(driver().metrics().records_skipped, 1u);
  EXPECT_EQ(driver().metrics().records_dead_lettered, 0u);
}

TEST_F(ConfiguredByTheUserTest, TheUsersSourceBytesSettingIsKept) {
  start({.application_id = "address-router-test", .sink_forwards_source_bytes = false},
        {"sink.forwards.source.bytes"});
  const Address a = generator_.address(SHIPPING);
  const std::string type_last = encoded_type_last(a);
  ASSERT_NE(type_last, a.SerializeAsString());
  pipe_raw(a.customer_id(), type_last);

  // Serialized again: protobuf's canonical field order, not the producer's.
  EXPECT_EQ(raw_output(kShippingTopic).read_value(), a.SerializeAsString());
}

TEST_F(ConfiguredByTheUserTest, WhatTheUserDidNotSetIsTheRouters) {
  start({.application_id = "address-router-test", .sink_forwards_source_bytes = false},
        {"application.id"});
  pipe_raw("cust-1", "\x0f\xff\xff not an address");

  EXPECT_EQ(driver().metrics().records_dead_lettered, 1u);
}

}  // namespace
}  // namespace address_router
