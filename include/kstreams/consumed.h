// File: kstreams/consumed.h
//
// `Consumed<K, V>`: how a source reads its topic: serdes and a processor name.
//
//   builder.stream<std::string, Address>("addresses",
//       kstreams::Consumed<std::string, Address>::with(my_key_serde, my_value_serde).as("in"));
//
// A serde left empty falls back to the type's default serde; if there is none, build() fails
// naming the source.
#pragma once

#include <string>
#include <utility>

#include <kstreams/serde.h>

namespace kstreams {

template <class K, class V>
struct Consumed {
  Serde<K> key_serde = {};
  Serde<V> value_serde = {};
  std::string name = {};

  static Consumed with(Serde<K> key_serde, Serde<V> value_serde) {
    return Consumed{std::move(key_serde), std::move(value_serde), {}};
  }
  static Consumed as_name(std::string processor_name) {
    return Consumed{{}, {}, std::move(processor_name)};
  }
  Consumed with_key_serde(Serde<K> serde) const {
    Consumed c = *this;
    c.key_serde = std::move(serde);
    return c;
  }
  Consumed with_value_serde(Serde<V> serde) const {
    Consumed c = *this;
    c.value_serde = std::move(serde);
    return c;
  }
  Consumed as(std::string processor_name) const {
    Consumed c = *this;
    c.name = std::move(processor_name);
    return c;
  }
};

}  // namespace kstreams
