// File: kstreams/branched.h
//
// `Branched`: the name of one branch of a `split()`. The branch's stream is named
// split-name + branch-name, as in Kafka Streams:
//
//   stream.split("route-")
//       .branch(is_shipping, "shipping")      // "route-shipping"
//       .default_branch("invalid");           // "route-invalid"
//
// Unnamed branches are numbered from 1 in order ("route-1", "route-2"); an unnamed default
// branch is "route-0".
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace kstreams {

struct Branched {
  std::string name = {};

  Branched() = default;
  Branched(std::string n) : name(std::move(n)) {}  // NOLINT(google-explicit-constructor)
  Branched(const char* n) : name(n) {}             // NOLINT(google-explicit-constructor)
  Branched(std::string_view n) : name(n) {}        // NOLINT(google-explicit-constructor)
  static Branched as(std::string n) { return Branched(std::move(n)); }
};

}  // namespace kstreams
