#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kstreams/headers.h>

namespace kstreams {

Headers& Headers::remove(std::string_view key) {
  std::erase_if(headers_, [key](const Header& header) { return header.key == key; });
  return *this;
}

const Header* Headers::last_header(std::string_view key) const {
  auto it = std::find_if(headers_.rbegin(), headers_.rend(),
                         [key](const Header& header) { return header.key == key; });
  return it == headers_.rend() ? nullptr : &*it;
}

std::optional<std::string> Headers::last_value(std::string_view key) const {
  const Header* header = last_header(key);
  if (header == nullptr || !header->value) return std::nullopt;
  return *header->value;
}

}  // namespace kstreams
