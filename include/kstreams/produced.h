// File: kstreams/produced.h
//
// `Produced<K, V>`: how a sink writes its topic: serdes and a processor name.
//
//   stream.to("out", kstreams::Produced<std::string, int64_t>::with(string_serde, long_serde));
//
// A serde left empty falls back to the type's default serde; if there is none, build() fails
// naming the sink.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <kstreams/serde.h>

namespace kstreams {

/// Chooses the partition of an output record: `partition(topic, key, value, num_partitions)`
/// returns a partition in [0, num_partitions), or nullopt for the default (murmur2 of the key
/// bytes, as Java's producer). Kafka Streams' StreamPartitioner.
template <class K, class V>
using StreamPartitioner = std::function<std::optional<std::int32_t>(
    const std::string& topic, const K& key, const V& value, std::int32_t num_partitions)>;

template <class K, class V>
struct Produced {
  Serde<K> key_serde = {};
  Serde<V> value_serde = {};
  std::string name = {};
  /// Default: none (the producer's murmur2 partitioner).
  StreamPartitioner<K, V> partitioner = {};

  static Produced with(Serde<K> key_serde, Serde<V> value_serde) {
    return Produced{std::move(key_serde), std::move(value_serde), {}, {}};
  }
  static Produced as_name(std::string processor_name) {
    return Produced{{}, {}, std::move(processor_name), {}};
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
  Produced with_stream_partitioner(StreamPartitioner<K, V> p) const {
    Produced copy = *this;
    copy.partitioner = std::move(p);
    return copy;
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
