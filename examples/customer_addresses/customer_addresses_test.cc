// Customer addresses and orders on the TopologyTestDriver: the latest address wins, tombstones
// delete, the shippable filter, order counts and totals per customer, the stores queried as a
// local projection, and undecodable input on either topic going to the dead-letter topic.
#include "examples/customer_addresses/customer_addresses.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/serde/protobuf.h>
#include <kstreams/testing/topology_test_driver.h>

namespace customer_addresses {
namespace {

using address_router::BILLING;
using address_router::SHIPPING;
using kstreams::KeyValue;
using kstreams::testing::TopologyTestDriver;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Count = KeyValue<std::string, std::optional<std::int64_t>>;

Address address(const std::string& customer, const std::string& street,
                address_router::AddressType type = SHIPPING) {
  Address a;
  a.set_address_id(customer + "/" + street);
  a.set_customer_id(customer);
  a.set_type(type);
  a.set_street(street);
  a.set_city("Oslo");
  a.set_postal_code("0150");
  a.set_country("NO");
  return a;
}

Order order(const std::string& id, const std::string& customer, std::int64_t amount_cents) {
  Order o;
  o.set_order_id(id);
  o.set_customer_id(customer);
  o.set_amount_cents(amount_cents);
  o.set_currency("EUR");
  return o;
}

Count count(const std::string& customer, std::int64_t n) { return {customer, n}; }

class CustomerAddressesTest : public ::testing::Test {
 protected:
  CustomerAddressesTest() : driver_(make_topology(), make_config()) {}

  static kstreams::Topology make_topology() {
    kstreams::StreamsBuilder builder;
    build(builder);
    kstreams::Result<kstreams::Topology> topology = builder.build();
    if (!topology.ok()) throw kstreams::StreamsException(topology.status());
    return *std::move(topology);
  }
  static kstreams::StreamsConfig make_config() {
    kstreams::StreamsConfig config{.application_id = "customer-addresses-test"};
    configure(config);
    return config;
  }

  void put_address(const Address& a, std::int64_t timestamp = 0) {
    addresses_.pipe_input(a.customer_id(), std::optional<Address>(a), timestamp);
  }
  void delete_customer(const std::string& customer, std::int64_t timestamp = 0) {
    addresses_.pipe_input(customer, std::nullopt, timestamp);
  }
  void place(const Order& o, std::int64_t timestamp = 0) {
    orders_.pipe_input(o.order_id(), o, timestamp);
  }
  /// The customer ids and street (nullopt: a delete) of the records on the latest-address topic.
  std::vector<KeyValue<std::string, std::optional<std::string>>> latest_streets() {
    std::vector<KeyValue<std::string, std::optional<std::string>>> out;
    for (auto& kv : latest_.read_key_values_to_list()) {
      out.push_back(
          {kv.key, kv.value ? std::optional<std::string>(kv.value->street()) : std::nullopt});
    }
    return out;
  }
  kstreams::KeyValueStore<std::string, Address> address_store() {
    return driver_.get_key_value_store<std::string, Address>(std::string(kLatestAddressStore));
  }

  TopologyTestDriver driver_;
  kstreams::testing::TestInputTopic<std::string, std::optional<Address>> addresses_ =
      driver_.create_input_topic<std::string, std::optional<Address>>(std::string(kAddressesTopic));
  kstreams::testing::TestInputTopic<std::string, Order> orders_ =
      driver_.create_input_topic<std::string, Order>(std::string(kOrdersTopic));
  kstreams::testing::TestOutputTopic<std::string, std::optional<Address>> latest_ =
      driver_.create_output_topic<std::string, std::optional<Address>>(
          std::string(kLatestAddressTopic));
  kstreams::testing::TestOutputTopic<std::string, std::optional<std::int64_t>> counts_ =
      driver_.create_output_topic<std::string, std::optional<std::int64_t>>(
          std::string(kOrdersPerCustomerTopic));
  kstreams::testing::TestOutputTopic<std::string, std::optional<std::int64_t>> totals_ =
      driver_.create_output_topic<std::string, std::optional<std::int64_t>>(
          std::string(kOrderTotalPerCustomerTopic));
};

TEST_F(CustomerAddressesTest, TheLatestAddressOfACustomerWins) {
  put_address(address("c-1", "Old Street 1"), 10);
  put_address(address("c-2", "Other Road 2"), 11);
  put_address(address("c-1", "New Street 3"), 12);

  EXPECT_THAT(
      latest_streets(),
      ElementsAre(KeyValue<std::string, std::optional<std::string>>{"c-1", "Old Street 1"},
                  KeyValue<std::string, std::optional<std::string>>{"c-2", "Other Road 2"},
                  KeyValue<std::string, std::optional<std::string>>{"c-1", "New Street 3"}));
  auto store = address_store();
  ASSERT_TRUE(store.get("c-1").has_value());
  EXPECT_EQ(store.get("c-1")->street(), "New Street 3");
  EXPECT_EQ(store.get("c-2")->street(), "Other Road 2");
  EXPECT_EQ(store.get("c-3"), std::nullopt);
}

TEST_F(CustomerAddressesTest, ATombstoneDeletesTheCustomerAndEmitsADelete) {
  put_address(address("c-1", "Street 1"), 10);
  put_address(address("c-2", "Street 2"), 11);
  delete_customer("c-1", 12);

  auto records = latest_.read_records_to_list();
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[2].key, "c-1");
  EXPECT_EQ(records[2].value, std::nullopt);  // a null value on the wire: compaction drops c-1
  EXPECT_EQ(records[2].timestamp, 12);
  EXPECT_EQ(address_store().get("c-1"), std::nullopt);
  EXPECT_EQ(address_store().get("c-2")->street(), "Street 2");
}

TEST_F(CustomerAddressesTest, OnlyShippableAddressesReachTheLatestTopic) {
  Address incomplete = address("c-3", "Street 3");
  incomplete.clear_postal_code();
  put_address(address("c-1", "Billing Street", BILLING));
  put_address(incomplete);
  put_address(address("c-2", "Ship Street"));
  put_address(address("c-2", "Billing Street", BILLING));  // c-2 stops being shippable

  // Whether a customer who was never shippable also gets a (harmless) delete depends on whether
  // the filter sees old values (Kafka Streams sends none then); only the rest is asserted.
  const auto streets = latest_streets();
  std::vector<KeyValue<std::string, std::optional<std::string>>> non_deletes;
  for (const auto& kv : streets) {
    if (kv.value) non_deletes.push_back(kv);
  }
  EXPECT_THAT(non_deletes,
              ElementsAre(KeyValue<std::string, std::optional<std::string>>{"c-2", "Ship Street"}));
  ASSERT_FALSE(streets.empty());
  EXPECT_EQ(streets.back().key, "c-2");  // c-2 stopped being shippable: a delete
  EXPECT_EQ(streets.back().value, std::nullopt);
  // The projection keeps every address, shippable or not: the filter is on the output only.
  EXPECT_EQ(address_store().get("c-1")->type(), BILLING);
  EXPECT_EQ(address_store().get("c-2")->street(), "Billing Street");
  EXPECT_TRUE(address_store().get("c-3").has_value());
}

TEST_F(CustomerAddressesTest, TheStoreAnswersForEveryCustomerInKeyOrder) {
  put_address(address("c-2", "Two"));
  put_address(address("c-1", "One"));
  put_address(address("c-3", "Three"));
  delete_customer("c-3");
  std::vector<std::string> customers;
  for (const auto& kv : address_store().all().to_vector()) customers.push_back(kv.key);
  EXPECT_THAT(customers, ElementsAre("c-1", "c-2"));
}

TEST_F(CustomerAddressesTest, CountsOrdersPerCustomerInOrderOfArrival) {
  place(order("o-1", "c-1", 1000), 1);
  place(order("o-2", "c-2", 250), 2);
  place(order("o-3", "c-1", 500), 3);
  place(order("o-4", "c-1", 1), 4);
  place(order("o-5", "c-2", 99), 5);

  EXPECT_THAT(counts_.read_key_values_to_list(),
              ElementsAre(count("c-1", 1), count("c-2", 1), count("c-1", 2), count("c-1", 3),
                          count("c-2", 2)));
  auto store =
      driver_.get_key_value_store<std::string, std::int64_t>(std::string(kOrdersPerCustomerStore));
  EXPECT_EQ(store.get("c-1"), std::optional<std::int64_t>(3));
  EXPECT_EQ(store.get("c-2"), std::optional<std::int64_t>(2));
  EXPECT_EQ(store.get("c-9"), std::nullopt);
}

TEST_F(CustomerAddressesTest, SumsOrderAmountsPerCustomer) {
  place(order("o-1", "c-1", 1000));
  place(order("o-2", "c-2", 250));
  place(order("o-3", "c-1", 500));

  EXPECT_THAT(totals_.read_key_values_to_list(),
              ElementsAre(count("c-1", 1000), count("c-2", 250), count("c-1", 1500)));
  auto store = driver_.get_key_value_store<std::string, std::int64_t>(
      std::string(kOrderTotalPerCustomerStore));
  EXPECT_EQ(store.get("c-1"), std::optional<std::int64_t>(1500));
}

TEST_F(CustomerAddressesTest, OrdersAreRepartitionedByCustomerThroughOneTopic) {
  place(order("o-1", "c-1", 1));
  EXPECT_TRUE(driver_.produced_topic_names().contains(
      "customer-addresses-test-orders-by-customer-repartition"));
  const std::string description = make_topology().describe().to_string();
  EXPECT_THAT(description, HasSubstr("stores: [latest-address-by-customer]"));
  EXPECT_THAT(description, HasSubstr("orders-per-customer"));
}

TEST_F(CustomerAddressesTest, OrdersWithoutACustomerAreNotCounted) {
  place(order("o-1", "", 100));
  place(order("o-2", "c-1", 100));
  EXPECT_THAT(counts_.read_key_values_to_list(), ElementsAre(count("c-1", 1)));
}

// `orders` is an event stream, not a changelog: a null value there is a producer's bug, so it is
// dead-lettered like undecodable bytes (a null on `customer-addresses` deletes the customer).
TEST_F(CustomerAddressesTest, ANullOrderGoesToTheDeadLetterTopic) {
  auto nullable_orders = driver_.create_input_topic<std::string, std::optional<std::string>>(
      std::string(kOrdersTopic));
  nullable_orders.pipe_input("o-1", std::nullopt);
  place(order("o-2", "c-1", 100));
  EXPECT_THAT(counts_.read_key_values_to_list(), ElementsAre(count("c-1", 1)));
  auto dlq = driver_.create_output_topic<std::string, std::optional<std::string>>(
      std::string(kDeadLetterTopic));
  auto dead = dlq.read_record();
  EXPECT_EQ(dead.key, "o-1");
  EXPECT_EQ(dead.value, std::nullopt);  // the original null, untouched
}

TEST_F(CustomerAddressesTest, CountsAreWrittenAsLongs) {
  place(order("o-1", "c-1", 1));
  place(order("o-2", "c-1", 1));
  auto raw =
      driver_.create_output_topic<std::string, std::string>(std::string(kOrdersPerCustomerTopic));
  static_cast<void>(raw.read_value());
  // Kafka's LongSerializer: 8 bytes, big-endian.
  EXPECT_EQ(raw.read_value(), std::string("\0\0\0\0\0\0\0\x02", 8));
}

TEST_F(CustomerAddressesTest, UndecodableInputGoesToTheDeadLetterTopic) {
  constexpr char kGarbage[] = "\x0f\xff\xff not a protobuf";
  const std::string garbage(kGarbage, sizeof kGarbage - 1);
  auto raw_addresses =
      driver_.create_input_topic<std::string, std::string>(std::string(kAddressesTopic));
  auto raw_orders = driver_.create_input_topic<std::string, std::string>(std::string(kOrdersTopic));
  raw_addresses.pipe_input("c-1", garbage, 100);
  raw_orders.pipe_input("o-1", garbage, 101);
  put_address(address("c-1", "Street 1"));  // both inputs go on
  place(order("o-2", "c-1", 5));

  auto dlq = driver_.create_output_topic<std::string, std::string>(std::string(kDeadLetterTopic));
  auto records = dlq.read_records_to_list();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].key, "c-1");
  EXPECT_EQ(records[0].value, garbage);
  EXPECT_EQ(records[0].headers.last_value(kstreams::kDlqHeaderTopic), std::string(kAddressesTopic));
  EXPECT_THAT(records[0].headers.last_value(kstreams::kDlqHeaderMessage).value_or(""),
              HasSubstr("address_router.Address"));
  EXPECT_EQ(records[1].key, "o-1");
  EXPECT_EQ(records[1].headers.last_value(kstreams::kDlqHeaderTopic), std::string(kOrdersTopic));
  EXPECT_THAT(records[1].headers.last_value(kstreams::kDlqHeaderMessage).value_or(""),
              HasSubstr("customer_addresses.Order"));
  EXPECT_EQ(address_store().get("c-1")->street(), "Street 1");
  EXPECT_THAT(counts_.read_key_values_to_list(), ElementsAre(count("c-1", 1)));
  EXPECT_EQ(driver_.metrics().records_dead_lettered, 2U);
}

}  // namespace
}  // namespace customer_addresses
