#include "examples/customer_addresses/customer_addresses.h"

#include <cstdint>
#include <string>

#include <kstreams/serde/protobuf.h>

#include "examples/address_router/address_router.h"

namespace customer_addresses {

using address_router::SHIPPING;

bool is_shippable(const Address& address) {
  return address.type() == SHIPPING && address_router::has_required_fields(address);
}

void build(kstreams::StreamsBuilder& builder) {
  // The local projection: every instance holds the latest address of the customers of its
  // partitions, so looking one up is a local read, not a call to the service that owns addresses.
  kstreams::KTable<std::string, Address> latest = builder.table<std::string, Address>(
      std::string(kAddressesTopic),
      kstreams::Materialized<std::string, Address>::as(std::string(kLatestAddressStore)));
  // Where to ship a customer's orders now: when a customer's latest address stops being
  // shippable (a billing address, an incomplete one) or is deleted, the topic gets a tombstone,
  // so that a compacting consumer never ships to an address the customer has replaced.
  latest.filter(is_shippable, kstreams::Named("shippable-addresses"))
      .to_stream(kstreams::Named("latest-shippable-address"))
      .to(std::string(kLatestAddressTopic));

  // Orders without a customer cannot be attributed; counting them under "" would only mislead.
  // `group_by(customer id)` is `select_key(customer id).group_by_key()`; with two aggregations
  // over the regrouped orders, repartitioning once by hand lets both read one repartition topic
  // (calling count and aggregate on one KGroupedStream from group_by would register its
  // repartition topic twice, a topology error, as in Kafka Streams).
  auto by_customer = builder.stream<std::string, Order>(std::string(kOrdersTopic))
                         .filter([](const Order& order) { return !order.customer_id().empty(); },
                                 kstreams::Named("orders-with-customer"))
                         .select_key([](const Order& order) { return order.customer_id(); },
                                     kstreams::Named("key-by-customer"))
                         .repartition(kstreams::Repartitioned<std::string, Order>::as(
                             std::string(kOrdersByCustomerRepartition)))
                         .group_by_key();
  by_customer
      .count(kstreams::Named("count-orders"), kstreams::Materialized<std::string, std::int64_t>::as(
                                                  std::string(kOrdersPerCustomerStore)))
      .to_stream(kstreams::Named("order-count-updates"))
      .to(std::string(kOrdersPerCustomerTopic));
  by_customer
      .aggregate([] { return std::int64_t{0}; },
                 [](const std::string& /*customer*/, const Order& order, std::int64_t total) {
                   return total + order.amount_cents();
                 },
                 kstreams::Materialized<std::string, std::int64_t>::as(
                     std::string(kOrderTotalPerCustomerStore)),
                 kstreams::Named("sum-order-amounts"))
      .to_stream(kstreams::Named("order-total-updates"))
      .to(std::string(kOrderTotalPerCustomerTopic));
}

void configure(kstreams::StreamsConfig& config) {
  config.default_deserialization_exception_handler = kstreams::error_handlers::dead_letter();
  config.errors_dead_letter_queue_topic_name = std::string(kDeadLetterTopic);
}

}  // namespace customer_addresses
