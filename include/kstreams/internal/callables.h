// Internal: the shapes of user functions the DSL accepts. Where Kafka Streams offers both, a
// function may take `(value)` or `(key, value)`; `(key, value)` wins when both would work.
// The concepts are named so that a wrong lambda fails at the caller's line with a readable
// "constraints not satisfied: RecordPredicate<...>" message.
#pragma once

#include <concepts>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>

#include <kstreams/record.h>

namespace kstreams::internal {

template <class F, class K, class V>
concept TakesKeyValue = std::invocable<F&, const K&, const V&>;

template <class F, class V>
concept TakesValue = std::invocable<F&, const V&>;

template <class F, class K, class V>
concept TakesRecord = TakesKeyValue<F, K, V> || TakesValue<F, V>;

/// Calls f(key, value) or f(value).
template <class F, class K, class V>
requires TakesRecord<F, K, V>
decltype(auto) invoke_on(F& f, const K& key, const V& value) {
  if constexpr (TakesKeyValue<F, K, V>) {
    return f(key, value);
  } else {
    return f(value);
  }
}

template <class F, class K, class V>
using record_result_t =
    decltype(invoke_on(std::declval<F&>(), std::declval<const K&>(), std::declval<const V&>()));

template <class F, class K, class V, class VO>
concept TakesKeyAndValues = std::invocable<F&, const K&, const V&, const VO&>;

template <class F, class V, class VO>
concept TakesValues = std::invocable<F&, const V&, const VO&>;

template <class F, class K, class V, class VO>
concept TakesJoinedRecord = TakesKeyAndValues<F, K, V, VO> || TakesValues<F, V, VO>;

/// Calls f(key, value, other) or f(value, other): a joiner.
template <class F, class K, class V, class VO>
requires TakesJoinedRecord<F, K, V, VO>
decltype(auto) invoke_joiner(F& f, const K& key, const V& value, const VO& other) {
  if constexpr (TakesKeyAndValues<F, K, V, VO>) {
    return f(key, value, other);
  } else {
    return f(value, other);
  }
}

template <class F, class K, class V, class VO>
using joiner_result_t =
    decltype(invoke_joiner(std::declval<F&>(), std::declval<const K&>(), std::declval<const V&>(),
                           std::declval<const VO&>()));

template <class T>
struct KeyValueTraits {
  static constexpr bool kIsKeyValue = false;
};
template <class K2, class V2>
struct KeyValueTraits<KeyValue<K2, V2>> {
  static constexpr bool kIsKeyValue = true;
  using Key = K2;
  using Value = V2;
};
template <class K2, class V2>
struct KeyValueTraits<std::pair<K2, V2>> {
  static constexpr bool kIsKeyValue = true;
  using Key = K2;
  using Value = V2;
};

template <class T>
concept KeyValueLike = KeyValueTraits<std::remove_cvref_t<T>>::kIsKeyValue;

template <class T>
decltype(auto) kv_key(T&& kv) {
  if constexpr (requires { kv.key; }) {
    return (std::forward<T>(kv).key);
  } else {
    return (std::forward<T>(kv).first);
  }
}
template <class T>
decltype(auto) kv_value(T&& kv) {
  if constexpr (requires { kv.value; }) {
    return (std::forward<T>(kv).value);
  } else {
    return (std::forward<T>(kv).second);
  }
}

}  // namespace kstreams::internal

namespace kstreams {

/// `bool f(const K&, const V&)` or `bool f(const V&)`.
template <class F, class K, class V>
concept RecordPredicate =
    internal::TakesRecord<F, K, V> && std::convertible_to < internal::record_result_t<F, K, V>,
bool > ;

/// `V2 f(const K&, const V&)` or `V2 f(const V&)`, V2 not void.
template <class F, class K, class V>
concept ValueMapper =
    internal::TakesRecord<F, K, V> && !std::is_void_v<internal::record_result_t<F, K, V>>;

/// `KeyValue<K2, V2> f(const K&, const V&)` (or std::pair<K2, V2>); `(value)` also accepted.
template <class F, class K, class V>
concept KeyValueMapper =
    internal::TakesRecord<F, K, V> && internal::KeyValueLike<internal::record_result_t<F, K, V>>;

/// Returns a range of values: `f(const K&, const V&)` or `f(const V&)`.
template <class F, class K, class V>
concept ValuesMapper =
    internal::TakesRecord<F, K, V> && std::ranges::input_range<internal::record_result_t<F, K, V>>;

/// Returns a range of KeyValue<K2, V2> (or std::pair<K2, V2>).
template <class F, class K, class V>
concept KeyValuesMapper = ValuesMapper<F, K, V> &&
    internal::KeyValueLike<std::ranges::range_value_t<internal::record_result_t<F, K, V>>>;

/// `void f(const K&, const V&)` or `void f(const V&)` (the result, if any, is ignored).
template <class F, class K, class V>
concept RecordAction = internal::TakesRecord<F, K, V>;

/// `VR f(const V&, const VO&)` or `VR f(const K&, const V&, const VO&)`, VR not void: Kafka
/// Streams' ValueJoiner and ValueJoinerWithKey, joining a record's value with another one.
template <class F, class K, class V, class VO>
concept ValueJoiner = internal::TakesJoinedRecord<F, K, V, VO> &&
    !std::is_void_v<internal::joiner_result_t<F, K, V, VO>>;

/// `std::string f(const K&, const V&)` or `f(const V&)`: the topic to write a record to.
template <class F, class K, class V>
concept TopicNameExtractor = internal::TakesRecord<F, K, V> &&
    std::convertible_to<internal::record_result_t<F, K, V>, std::string>;

}  // namespace kstreams
