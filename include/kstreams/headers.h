// File: kstreams/headers.h
//
// Kafka record headers: an ordered list of (key, nullable bytes) pairs in which keys may repeat.
// kstreams carries the headers of an input record through every operator to every output, as
// Kafka Streams does.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kstreams/bytes.h>

namespace kstreams {

/// One record header.
struct Header {
  std::string key;
  NullableBytes value;

  friend bool operator==(const Header&, const Header&) = default;
};

/// The headers of one record, in order. Thread-compatible value type.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<Header> headers) : headers_(headers) {}

  /// Appends a header (existing headers with the same key are kept, as Kafka does).
  Headers& add(std::string key, NullableBytes value) {
    headers_.push_back(Header{std::move(key), std::move(value)});
    return *this;
  }
  /// Makes room for `count` headers in all, so that adding up to that many allocates no more.
  void reserve(std::size_t count) { headers_.reserve(count); }
  /// Removes every header with `key`.
  Headers& remove(std::string_view key);
  /// The last header with `key`, or nullptr.
  [[nodiscard]] const Header* last_header(std::string_view key) const;
  /// The value of the last header with `key` as a string; nullopt when absent or null.
  [[nodiscard]] std::optional<std::string> last_value(std::string_view key) const;

  [[nodiscard]] bool empty() const { return headers_.empty(); }
  [[nodiscard]] std::size_t size() const { return headers_.size(); }
  [[nodiscard]] auto begin() const { return headers_.begin(); }
  [[nodiscard]] auto end() const { return headers_.end(); }

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  std::vector<Header> headers_;
};

}  // namespace kstreams
