// File: kstreams/produced.h
//
// `Produced<K, V>`: how a sink writes its topic: serdes and a processor name.
//
//   stream.to("out", kstreams::Produced<std::string, int64_t>::with(string_serde, long_serde));
//
// A serde left empty falls back to the type's default serde; if there is none, build() fails
// naming the sink.
#pragma once

#include <string>
#include <utility>

#include <kstreams/serde.h>

namespace kstreams {

template <class K, class V>
struct Produced {
  Serde<K> key_serde = {};
  Serde<V> value_serde = {};
  std::string name = {};

  static Produced with(Serde<K> key_serde, Serde<V> value_serde) {
    return Produced{std::move(key_serde), std::move(value_serde), {}};
  }
  static Produced as_name(std::string processor_name) {
    return Produced{{}, {}, std::move(processor_name)};
  }
  Produced with_key_serde(Serde<K> serde) const {
    Produced p = *this;
    p.key_serde = std::move(serde);
    return p;
  }
  Produced with_value_serde(Serde<V> serde) const {
    Produced p = *this;
    p.value_serde = std::move(serde);
    return p;
  }
  Produced as(std::string processor_name) const {
    Produced p = *this;
    p.name = std::move(processor_name);
    return p;
  }
};

namespace internal {
/// The serde to use: the given one, else the type's default, else empty (a build error).
template <class T>
Serde<T> serde_or_default(Serde<T> given) {
  if (given.valid()) return given;
  if constexpr (HasDefaultSerde<T>) {
    return default_serde<T>();
  } else {
    return {};
  }
}
}  // namespace internal

}  // namespace kstreams
