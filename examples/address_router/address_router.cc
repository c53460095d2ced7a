#include "examples/address_router/address_router.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include <kstreams/serde/protobuf.h>

namespace address_router {

bool has_required_fields(const Address& address) {
  return !address.address_id().empty() && !address.customer_id().empty() &&
         !address.street().empty() && !address.city().empty() && !address.postal_code().empty();
}

void build(kstreams::StreamsBuilder& builder) {
  auto [shipping, billing, invalid] =
      builder.stream<std::string, Address>(std::string(kInputTopic))
          .split("route-")
          .branch([](const Address& a) { return a.type() == SHIPPING && has_required_fields(a); },
                  "shipping")
          .branch([](const Address& a) { return a.type() == BILLING && has_required_fields(a); },
                  "billing")
          .default_branch("invalid");
  shipping.to(std::string(kShippingTopic));
  billing.to(std::string(kBillingTopic));
  invalid.to(std::string(kInvalidTopic));
}

void configure(kstreams::StreamsConfig& config, const std::set<std::string>& user_set_properties) {
  const auto user_set = [&](std::initializer_list<std::string_view> names) {
    return std::ranges::any_of(names, [&](std::string_view name) {
      return user_set_properties.contains(std::string(name));
    });
  };
  if (!user_set(
          {"default.deserialization.exception.handler", "deserialization.exception.handler"})) {
    config.default_deserialization_exception_handler = kstreams::error_handlers::dead_letter();
  }
  if (!user_set({"errors.dead.letter.queue.topic.name"})) {
    config.errors_dead_letter_queue_topic_name = std::string(kDeadLetterTopic);
  }
  // Routing never changes an address: each output is written as the bytes that came in.
  if (!user_set({"sink.forwards.source.bytes"})) config.sink_forwards_source_bytes = true;
}

}  // namespace address_router
