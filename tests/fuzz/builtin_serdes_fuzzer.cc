// libFuzzer entry point for the built-in serdes of <kstreams/serdes.h>.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kstreams/serdes.h>

#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kstreams;  // NOLINT(google-build-using-namespace): a fuzzer's whole body
  std::size_t selector = 0;
  ByteView bytes;
  if (!fuzz::split(data, size, 9, selector, bytes)) return 0;
  switch (selector) {
    case 0:
      fuzz::check(default_serde<std::string>(), bytes, true);
      break;
    case 1:
      fuzz::check(default_serde<std::int16_t>(), bytes, true);
      break;
    case 2:
      fuzz::check(default_serde<std::int32_t>(), bytes, true);
      break;
    case 3:
      fuzz::check(default_serde<std::int64_t>(), bytes, true);
      break;
    case 4:
      fuzz::check(default_serde<float>(), bytes, true);
      break;
    case 5:
      fuzz::check(default_serde<double>(), bytes, true);
      break;
    case 6:
      fuzz::check(default_serde<std::vector<std::byte>>(), bytes, true);
      break;
    case 7:
      fuzz::check(default_serde<Void>(), bytes, false);
      break;
    default:
      fuzz::check(default_serde<std::optional<std::int64_t>>(), bytes, true);
      break;
  }
  return 0;
}
