// The address router: content-based routing of customer addresses.
//
//   addresses ──split──▶ addresses.shipping   type SHIPPING, all required fields present
//                    ├─▶ addresses.billing    type BILLING, all required fields present
//                    └─▶ addresses.invalid    any other type, or a required field missing
//   undecodable bytes ─▶ addresses.dlq        with __streams.errors.* headers (dead letter)
//
// `build()` is shared by main() and the tests, so the tests exercise exactly what runs.
#pragma once

#include <set>
#include <string>
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

/// The router's settings: undecodable records go to the dead-letter topic
/// (`default.deserialization.exception.handler` = DeadLetter, `errors.dead.letter.queue.topic.name`
/// = addresses.dlq), and routed addresses keep their bytes (`sink.forwards.source.bytes` = true).
/// A setting whose property name (or alias) is in `user_set_properties` stays as the user set it.
void configure(kstreams::StreamsConfig& config,
               const std::set<std::string>& user_set_properties = {});

}  // namespace address_router
