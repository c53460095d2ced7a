// Customer addresses and orders as tables: the latest address per customer (the local
// projection a service queries instead of asking the address owner), and order counts and
// totals per customer.
//
//   customer-addresses ──table──▶ store latest-address-by-customer   (latest Address per customer;
//     (Address, key customer id)   │                                   a tombstone deletes it)
//                                  └─filter: shippable─▶ customer-addresses.latest
//   orders ──filter: has customer─▶ repartition by customer id ─┬─count─────▶ orders-per-customer
//     (Order, key order id)                                     └─sum amount─▶
//     order-total-per-customer
//   undecodable bytes on either input ─▶ customer-addresses.dlq (dead letter)
//
// `build()` is shared by main() and the tests, so the tests exercise exactly what runs.
#pragma once

#include <string_view>

#include <kstreams/kstreams.h>

#include "examples/address_router/address.pb.h"
#include "examples/customer_addresses/order.pb.h"

namespace customer_addresses {

using address_router::Address;

inline constexpr std::string_view kAddressesTopic = "customer-addresses";
inline constexpr std::string_view kOrdersTopic = "orders";
inline constexpr std::string_view kLatestAddressTopic = "customer-addresses.latest";
inline constexpr std::string_view kOrdersPerCustomerTopic = "orders-per-customer";
inline constexpr std::string_view kOrderTotalPerCustomerTopic = "order-total-per-customer";
inline constexpr std::string_view kDeadLetterTopic = "customer-addresses.dlq";

/// The latest Address of each customer (key: customer id).
inline constexpr std::string_view kLatestAddressStore = "latest-address-by-customer";
/// The number of orders of each customer (key: customer id).
inline constexpr std::string_view kOrdersPerCustomerStore = "orders-per-customer";
/// The sum of `amount_cents` of each customer's orders (key: customer id).
inline constexpr std::string_view kOrderTotalPerCustomerStore = "order-total-per-customer";
/// Names the repartition topic `<application.id>-orders-by-customer-repartition`.
inline constexpr std::string_view kOrdersByCustomerRepartition = "orders-by-customer";

/// True when goods can be sent to `address`: a SHIPPING address with every required field.
bool is_shippable(const Address& address);

/// Adds the tables and aggregations to `builder`.
void build(kstreams::StreamsBuilder& builder);

/// The error handling: undecodable records go to the dead-letter topic.
void configure(kstreams::StreamsConfig& config);

}  // namespace customer_addresses
