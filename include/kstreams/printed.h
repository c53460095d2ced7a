// File: kstreams/printed.h
//
// `Printed`: where and how `KStream::print` writes records, one line each, formatted as Kafka
// Streams does: "[label]: key, value".
//
//   stream.print(kstreams::Printed<std::string, int64_t>::to_sys_out().with_label("counts"));
//
// The default line needs `operator<<` for K and V; otherwise give `with_key_value_mapper`.
#pragma once

#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

namespace kstreams {

namespace internal {
template <class T>
concept Streamable = requires(std::ostream& os, const T& v) {
  os << v;
};
}  // namespace internal

template <class K, class V>
class Printed {
 public:
  using Mapper = std::function<std::string(const K&, const V&)>;

  /// Print to standard output (lines from several threads never interleave).
  static Printed to_sys_out() { return Printed(""); }
  /// Append to a file.
  static Printed to_file(std::string path) { return Printed(std::move(path)); }

  /// The label in brackets; default: the print processor's name.
  Printed with_label(std::string label) const {
    Printed copy = *this;
    copy.label_ = std::move(label);
    return copy;
  }
  /// Formats "key, value" differently: `std::string f(const K&, const V&)`.
  template <class F>
  requires std::is_invocable_r_v<std::string, F&, const K&, const V&> Printed
  with_key_value_mapper(F mapper)
  const {
    Printed copy = *this;
    copy.mapper_ = std::move(mapper);
    return copy;
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& label() const { return label_; }
  [[nodiscard]] const Mapper& mapper() const { return mapper_; }

 private:
  explicit Printed(std::string path) : path_(std::move(path)) {
    if constexpr (internal::Streamable<K> && internal::Streamable<V>) {
      mapper_ = [](const K& k, const V& v) {
        std::ostringstream os;
        os << k << ", " << v;
        return os.str();
      };
    }
  }

  std::string path_;  // empty: stdout
  std::string label_;
  Mapper mapper_;
};

}  // namespace kstreams
