// Reflected structs used by the reflect serde tests, the malformed-input corpus test and the
// fuzzers. They cover every supported member type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kstreams/serde/reflect.h>

namespace kstreams_test {

enum class Color : std::uint8_t { kRed, kGreen, kBlue };
enum class Trend : std::int32_t { kDown = -1, kFlat = 0, kUp = 1 };

struct Item {
  BOOST_HANA_DEFINE_STRUCT(Item, (std::string, sku), (std::int32_t, quantity));
  friend bool operator==(const Item&, const Item&) = default;
};

/// Every supported member type at least once. JSON is its default serde.
struct Order {
  BOOST_HANA_DEFINE_STRUCT(Order,                               //
                           (std::string, id),                   //
                           (std::int64_t, total_cents),         //
                           (double, weight),                    //
                           (float, ratio),                      //
                           (bool, gift),                        //
                           (Color, color),                      //
                           (Trend, trend),                      //
                           (std::uint16_t, priority),           //
                           (std::int8_t, small),                //
                           (std::uint64_t, big),                //
                           (std::optional<std::string>, note),  //
                           (std::optional<Item>, featured),     //
                           (std::vector<Item>, items),          //
                           (std::vector<std::int64_t>, ids),    //
                           (std::vector<bool>, flags),          //
                           (std::vector<std::vector<std::string>>, matrix));
  friend bool operator==(const Order&, const Order&) = default;
};
KSTREAMS_REFLECT_SERDE(Order)

/// A typical key: binary is its default serde.
struct OrderKey {
  BOOST_HANA_DEFINE_STRUCT(OrderKey, (std::string, tenant), (std::int64_t, order_number));
  friend bool operator==(const OrderKey&, const OrderKey&) = default;
};
KSTREAMS_REFLECT_BINARY_SERDE(OrderKey);  // a trailing ';' is allowed

/// A recursive type: only the depth limit stops hostile input from exhausting the stack.
struct Node {
  BOOST_HANA_DEFINE_STRUCT(Node, (std::int32_t, value), (std::vector<Node>, children));
  friend bool operator==(const Node&, const Node&) = default;
};

inline Order sample_order() {
  Order order;
  order.id = "o-1";
  order.total_cents = -12345;
  order.weight = 1.5;
  order.ratio = 0.25F;
  order.gift = true;
  order.color = Color::kBlue;
  order.trend = Trend::kDown;
  order.priority = 65535;
  order.small = -128;
  order.big = 18446744073709551615ULL;
  order.note = "leave at the door";
  order.featured = Item{"sku-0", 1};
  order.items = {Item{"sku-1", 2}, Item{"sk\xc3\xbc-2", -3}};
  order.ids = {0, -1, 1LL << 40};
  order.flags = {true, false, true};
  order.matrix = {{"a", "b"}, {}, {""}};
  return order;
}

}  // namespace kstreams_test
