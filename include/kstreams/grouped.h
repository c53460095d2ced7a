// File: kstreams/grouped.h
//
// `Grouped<K, V>`: serdes and name for `group_by` / `group_by_key`. The name names the
// repartition topic, `<application.id>-<name>-repartition`, when grouping needs one. As Kafka
// Streams' Grouped.
#pragma once

#include <string>
#include <utility>

#include <kstreams/serde.h>

namespace kstreams {

template <class K, class V>
struct Grouped {
  std::string name;      ///< Empty: generated from the store name.
  Serde<K> key_serde;    ///< Empty: the default serde of K.
  Serde<V> value_serde;  ///< Empty: the default serde of V.

  static Grouped as(std::string name) {
    Grouped g;
    g.name = std::move(name);
    return g;
  }
  static Grouped with(Serde<K> key_serde, Serde<V> value_serde) {
    Grouped g;
    g.key_serde = std::move(key_serde);
    g.value_serde = std::move(value_serde);
    return g;
  }
};

/// `Repartitioned<K, V>`: serdes, name and partition count for `KStream::repartition`.
template <class K, class V>
struct Repartitioned {
  std::string name;      ///< Empty: generated. Topic: `<application.id>-<name>-repartition`.
  Serde<K> key_serde;    ///< Empty: the default serde of K.
  Serde<V> value_serde;  ///< Empty: the default serde of V.
  int number_of_partitions = 0;  ///< 0: as many as the upstream source topics.

  static Repartitioned as(std::string name) {
    Repartitioned r;
    r.name = std::move(name);
    return r;
  }
  Repartitioned with_number_of_partitions(int n) && {
    number_of_partitions = n;
    return std::move(*this);
  }
};

}  // namespace kstreams
