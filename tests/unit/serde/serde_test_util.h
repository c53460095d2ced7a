// Helpers shared by the serde tests: hex literals for expected wire bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <kstreams/bytes.h>

namespace kstreams::serde_test {

/// Bytes from hex pairs, spaces ignored: hex("00 00 00 01").
inline Bytes hex(std::string_view text) {
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (c == ' ') continue;
    if (high < 0) {
      high = nibble(c);
    } else {
      out.push_back(static_cast<char>(high * 16 + nibble(c)));
      high = -1;
    }
  }
  return out;
}

/// Lower-case hex pairs separated by spaces, for readable failure messages.
inline std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out.push_back(' ');
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xF]);
  }
  return out;
}

}  // namespace kstreams::serde_test
