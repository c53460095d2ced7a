// File: src/config/properties_format.h (private)
//
// The text format of java.util.Properties, which kstreams' properties files use so that a file
// written for a Kafka Streams application reads the same here:
//
//   # a comment            ! also a comment
//   application.id = router
//   num.stream.threads: 2
//   client.id   caf\u00e9
//
// A key ends at the first unescaped '=', ':' or whitespace; whitespace around that separator is
// skipped; a line ending in an odd number of backslashes continues on the next one (whose leading
// whitespace is dropped); `\t \n \r \f \uXXXX` are escapes and `\x` is x for any other x. Errors
// name the source and the line, and the key when it is known, never a value (it may be a secret).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kstreams/status.h>

namespace kstreams::internal {

/// Key/value pairs in the order they appear in `text` (a later one for the same key overrides an
/// earlier one, as in Java). `text` is UTF-8; `\uXXXX` escapes (a surrogate pair as two escapes)
/// are encoded as UTF-8. A line holding only a key gives it the value "". kInvalidArgument
/// "<source>:<line>: ..." for a malformed or unpaired `\u` escape and for an empty key.
Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text,
                                                                          std::string_view source);

/// Where the key of a properties line ends and its value begins.
struct KeyValueSplit {
  std::size_t key_end = 0;      ///< The key is text[0, key_end).
  std::size_t value_begin = 0;  ///< The value is text[value_begin, end).
  bool has_separator = false;   ///< '=', ':' or whitespace followed the key.
};

/// Splits `text` (without leading whitespace) at the first '=', ':' or whitespace, skipping the
/// whitespace around it, as a properties line is split. With `escapes`, a separator preceded by
/// an odd number of backslashes is part of the key.
KeyValueSplit split_key_value(std::string_view text, bool escapes);

/// Whether `c` is whitespace in the properties format (space, tab, form feed).
constexpr bool is_properties_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

}  // namespace kstreams::internal
