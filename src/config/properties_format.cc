#include "src/config/properties_format.h"

#include <cstdint>
#include <optional>

namespace kstreams::internal {
namespace {

// A natural line of the text and its 1-based number.
struct NaturalLine {
  std::string_view text;
  int number = 0;
};

// Natural lines end at "\n", "\r\n" or "\r" (as in Java).
std::vector<NaturalLine> natural_lines(std::string_view text) {
  std::vector<NaturalLine> lines;
  int number = 1;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back({text.substr(begin, i - begin), number++});
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    begin = i + 1;
  }
  if (begin < text.size()) lines.push_back({text.substr(begin), number});
  return lines;
}

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && is_properties_blank(s.front())) s.remove_prefix(1);
  return s;
}

bool ends_in_odd_backslashes(std::string_view s) {
  std::size_t count = 0;
  while (count < s.size() && s[s.size() - 1 - count] == '\\') ++count;
  return count % 2 == 1;
}

// Natural lines joined at their continuations, remembering where each piece came from so that
// an error points at the line that holds it.
struct LogicalLine {
  std::string text;
  std::vector<std::pair<std::size_t, int>> pieces;  // (offset in text, natural line number)

  int line_at(std::size_t offset) const {
    int line = pieces.front().second;
    for (const auto& [begin, number] : pieces) {
      if (begin <= offset) line = number;
    }
    return line;
  }
};

struct EscapeError {
  std::size_t offset = 0;  // of the backslash, in the logical line
  std::string_view what;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The UTF-16 code unit of the "\uXXXX" at text[at], if it is one.
std::optional<std::uint32_t> utf16_escape(std::string_view text, std::size_t at, std::size_t end) {
  if (at + 6 > end || text[at] != '\\' || text[at + 1] != 'u') return std::nullopt;
  std::uint32_t unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    const int digit = hex_digit(text[i]);
    if (digit < 0) return std::nullopt;
    unit = unit * 16 + static_cast<std::uint32_t>(digit);
  }
  return unit;
}

void append_utf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes the escapes of text[begin, end) into `out`.
std::optional<EscapeError> unescape(std::string_view text, std::size_t begin, std::size_t end,
                                    std::string& out) {
  for (std::size_t i = begin; i < end; ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    // A backslash that ended the last line of the text continued nothing; Java drops it.
    if (i + 1 == end) break;
    const char escaped = text[i + 1];
    if (escaped != 'u') {
      out += escaped == 't'   ? '\t'
             : escaped == 'n' ? '\n'
             : escaped == 'r' ? '\r'
             : escaped == 'f' ? '\f'
                              : escaped;
      ++i;
      continue;
    }
    const std::optional<std::uint32_t> unit = utf16_escape(text, i, end);
    if (!unit) return EscapeError{i, "malformed \\uXXXX escape"};
    std::uint32_t code_point = *unit;
    if (*unit >= 0xDC00 && *unit <= 0xDFFF) {
      return EscapeError{i, "unpaired UTF-16 surrogate in a \\uXXXX escape"};
    }
    if (*unit >= 0xD800 && *unit <= 0xDBFF) {
      const std::optional<std::uint32_t> low = utf16_escape(text, i + 6, end);
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {
        return EscapeError{i, "unpaired UTF-16 surrogate in a \\uXXXX escape"};
      }
      code_point = 0x10000 + ((*unit - 0xD800) << 10) + (*low - 0xDC00);
      i += 6;
    }
    append_utf8(code_point, out);
    i += 5;
  }
  return std::nullopt;
}

}  // namespace

KeyValueSplit split_key_value(std::string_view text, bool escapes) {
  KeyValueSplit split{.key_end = text.size(), .value_begin = text.size()};
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!escaped && (c == '=' || c == ':' || is_properties_blank(c))) {
      split.key_end = i;
      split.value_begin = i + 1;
      split.has_separator = true;
      break;
    }
    escaped = escapes && c == '\\' && !escaped;
  }
  if (!split.has_separator) return split;
  // Whitespace around the separator, and one '=' or ':' after whitespace ("key = value").
  bool separator_seen = text[split.key_end] == '=' || text[split.key_end] == ':';
  while (split.value_begin < text.size()) {
    const char c = text[split.value_begin];
    if (!is_properties_blank(c)) {
      if (separator_seen || (c != '=' && c != ':')) break;
      separator_seen = true;
    }
    ++split.value_begin;
  }
  return split;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text,
                                                                          std::string_view source) {
  const std::vector<NaturalLine> lines = natural_lines(text);
  std::vector<std::pair<std::string, std::string>> properties;
  for (std::size_t next = 0; next < lines.size();) {
    const NaturalLine& first = lines[next++];
    std::string_view piece = skip_blanks(first.text);
    // Only a line that starts a logical line can be a comment; a comment does not continue.
    if (piece.empty() || piece.front() == '#' || piece.front() == '!') continue;
    LogicalLine logical;
    logical.pieces.emplace_back(0, first.number);
    while (ends_in_odd_backslashes(piece)) {
      piece.remove_suffix(1);
      logical.text += piece;
      if (next == lines.size()) {
        piece = {};
        break;
      }
      const NaturalLine& continuation = lines[next++];
      piece = skip_blanks(continuation.text);
      logical.pieces.emplace_back(logical.text.size(), continuation.number);
    }
    logical.text += piece;

    auto error = [&](std::size_t offset, std::string_view what) {
      return invalid_argument(std::string(source) + ":" + std::to_string(logical.line_at(offset)) +
                              ": " + std::string(what));
    };
    const KeyValueSplit split = split_key_value(logical.text, /*escapes=*/true);
    if (split.key_end == 0) return error(0, "empty key (expected key=value)");
    std::string key;
    if (std::optional<EscapeError> e = unescape(logical.text, 0, split.key_end, key)) {
      return error(e->offset, std::string(e->what) + " in a key");
    }
    std::string value;
    if (std::optional<EscapeError> e =
            unescape(logical.text, split.value_begin, logical.text.size(), value)) {
      // The value may be a secret: name only its key.
      return error(e->offset, std::string(e->what) + " in the value of '" + key + "'");
    }
    properties.emplace_back(std::move(key), std::move(value));
  }
  return properties;
}

}  // namespace kstreams::internal
