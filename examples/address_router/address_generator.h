// Realistic sample input for the address router: generated addresses keyed by customer id, a
// configurable share of them invalid (unknown type, missing fields) or undecodable bytes.
// Deterministic for a given seed. Used by the demo, the tests and the benchmarks.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "examples/address_router/address.pb.h"

namespace address_router {

/// Where a generated record should end up.
enum class Route : std::uint8_t { kShipping, kBilling, kInvalid, kDeadLetter };

struct GeneratedRecord {
  std::string key;    ///< Customer id.
  std::string value;  ///< Serialized Address, or garbage for kDeadLetter.
  Route expected = Route::kShipping;
};

class AddressGenerator {
 public:
  /// `invalid_share` of the records (0..1) are invalid: half of those have a missing field or an
  /// unknown type (-> invalid topic), half are undecodable bytes (-> dead-letter topic).
  explicit AddressGenerator(std::uint64_t seed = 42, double invalid_share = 0.1);

  GeneratedRecord next();
  /// A valid address of the given type (for tests).
  Address address(AddressType type);

 private:
  std::mt19937_64 rng_;
  double invalid_share_;
  std::uint64_t count_ = 0;
};

}  // namespace address_router
