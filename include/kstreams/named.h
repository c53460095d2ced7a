// File: kstreams/named.h
//
// `Named`: the optional user-given name of an operator. Naming operators keeps processor names
// (and, later, internal topic and store names) stable when the topology changes. Unnamed
// operators get Kafka Streams' generated names, e.g. "KSTREAM-FILTER-0000000001".
//
//   stream.filter(is_valid, "drop-invalid");          // a string converts to Named
//   stream.filter(is_valid, kstreams::Named::as("drop-invalid"));
//
// Valid names: 1 to 249 characters from [a-zA-Z0-9._-]. An invalid name is a topology error
// reported by StreamsBuilder::build(), naming the operator.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace kstreams {

struct Named {
  std::string name = {};

  Named() = default;
  Named(std::string n) : name(std::move(n)) {}  // NOLINT(google-explicit-constructor)
  Named(const char* n) : name(n) {}             // NOLINT(google-explicit-constructor)
  Named(std::string_view n) : name(n) {}        // NOLINT(google-explicit-constructor)
  static Named as(std::string n) { return Named(std::move(n)); }
  [[nodiscard]] bool empty() const { return name.empty(); }
};

}  // namespace kstreams
