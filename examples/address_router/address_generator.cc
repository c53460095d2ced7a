#include "examples/address_router/address_generator.h"

#include <array>
#include <string_view>

namespace address_router {
namespace {

constexpr std::array<std::string_view, 8> kStreets = {
    "Main St", "High St", "Station Rd", "Church Ln", "Park Ave", "Mill Rd", "Kingsway", "Elm St"};
constexpr std::array<std::string_view, 8> kCities = {"Springfield", "Rivertown", "Lakeside",
                                                     "Hillview",    "Oakdale",   "Fairport",
                                                     "Brookfield",  "Ashby"};
constexpr std::array<std::string_view, 5> kCountries = {"GB", "DE", "FR", "NL", "US"};

template <std::size_t N>
std::string pick(std::mt19937_64& rng, const std::array<std::string_view, N>& items) {
  return std::string(items[rng() % N]);
}

}  // namespace

AddressGenerator::AddressGenerator(std::uint64_t seed, double invalid_share)
    : rng_(seed), invalid_share_(invalid_share) {}

Address AddressGenerator::address(AddressType type) {
  ++count_;
  Address a;
  a.set_address_id("addr-" + std::to_string(count_));
  a.set_customer_id("cust-" + std::to_string(rng_() % 10'000));
  a.set_type(type);
  a.set_street(std::to_string(1 + rng_() % 200) + " " + pick(rng_, kStreets));
  a.set_city(pick(rng_, kCities));
  a.set_postal_code(std::to_string(10'000 + rng_() % 89'999));
  a.set_country(pick(rng_, kCountries));
  a.set_updated_at_ms(static_cast<std::int64_t>(1'700'000'000'000 + count_));
  return a;
}

GeneratedRecord AddressGenerator::next() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double draw = unit(rng_);
  const bool shipping = rng_() % 2 == 0;
  Address a = address(shipping ? SHIPPING : BILLING);
  GeneratedRecord record;
  record.key = a.customer_id();
  if (draw >= invalid_share_) {
    record.expected = shipping ? Route::kShipping : Route::kBilling;
    a.SerializeToString(&record.value);
  } else if (draw < invalid_share_ / 2) {
    record.expected = Route::kDeadLetter;
    // Bytes that are not a protobuf encoding: a field tag with an invalid wire type.
    record.value = std::string("\x0f\xff\xff garbage ", 12) + std::to_string(count_);
  } else {
    record.expected = Route::kInvalid;
    if (rng_() % 2 == 0) {
      a.clear_postal_code();
    } else {
      a.set_type(ADDRESS_TYPE_UNSPECIFIED);
    }
    a.SerializeToString(&record.value);
  }
  return record;
}

}  // namespace address_router
