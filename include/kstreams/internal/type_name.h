// Internal: a readable name of a type for error messages. Not API.
#pragma once

#include <string_view>

namespace kstreams::internal {

template <class T>
constexpr std::string_view type_name() {
  std::string_view name = __PRETTY_FUNCTION__;
  // "... type_name() [with T = Foo; std::string_view = ...]" (gcc) or "[T = Foo]" (clang).
  const auto start = name.find("T = ");
  if (start == std::string_view::npos) return name;
  name.remove_prefix(start + 4);
  const auto end = name.find_first_of(";]");
  return name.substr(0, end);
}

}  // namespace kstreams::internal
