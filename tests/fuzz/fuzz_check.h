// The contract every fuzzer checks: a deserializer answers any input with a value or a
// kSerialization error, and an accepted value can be written and read back (byte-identical for
// canonical formats). A violation aborts, which libFuzzer reports with the input that caused it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <kstreams/serde.h>

namespace kstreams::fuzz {

[[noreturn]] inline void fail(const char* what, const Status& status) {
  std::fprintf(stderr, "contract violated: %s: %s\n", what, status.to_string().c_str());
  std::abort();
}

template <class T>
void check(const Serde<T>& serde, ByteView bytes, bool canonical) {
  Result<T> value = serde.deserialize(NullableByteView(bytes));
  if (!value.ok()) {
    if (value.status().code() != StatusCode::kSerialization)
      fail("wrong error code", value.status());
    return;
  }
  NullableBytes again;
  const Status written = serde.serialize(*value, again);
  if (!written.ok()) fail("accepted value does not serialize", written);
  if (canonical && (!again || *again != bytes)) fail("accepted input is not canonical", {});
  if (again) {
    Result<T> reread = serde.deserialize(view_of(again));
    if (!reread.ok()) fail("re-read of an accepted value failed", reread.status());
  }
}

/// The first byte picks one of `count` deserializers; the rest is the input.
inline bool split(const std::uint8_t* data, std::size_t size, std::size_t count,
                  std::size_t& selector, ByteView& rest) {
  if (size == 0) return false;
  selector = data[0] % count;
  rest = ByteView(reinterpret_cast<const char*>(data + 1), size - 1);
  return true;
}

}  // namespace kstreams::fuzz
