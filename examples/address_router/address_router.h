// The address router: content-based routing of customer addresses.
//
//   addresses ──split──▶ addresses.shipping   type SHIPPING, all required fields present
//                    ├─▶ addresses.billing    type BILLING, all required fields present
//                    └─▶ addresses.invalid    any other type, or a required field missing
//   undecodable bytes ─▶ addresses.dlq        with __streams.errors.* headers (dead letter)
//
// `build()` is shared by main() and the tests, so the tests exercise exactly what runs.
#pragma once

#include <string_view>

#include <kstreams/kstreams.h>

#include "examples/address_router/address.pb.h"

namespace address_router {

inline constexpr std::string_view kInputTopic = "addresses";
inline constexpr std::string_view kShippingTopic = "addresses.shipping";
inline constexpr std::string_view kBillingTopic = "addresses.billing";
inline constexpr std::string_view kInvalidTopic = "addresses.invalid";
inline constexpr std::string_view kDeadLetterTopic = "addresses.dlq";

/// True when every required field of `address` is set (type aside).
bool has_required_fields(const Address& address);

/// Adds the router to `builder`.
void build(kstreams::StreamsBuilder& builder);

/// The router's error handling: undecodable records go to the dead-letter topic.
void configure(kstreams::StreamsConfig& config);

}  // namespace address_router
