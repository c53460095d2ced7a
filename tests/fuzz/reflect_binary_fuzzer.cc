// libFuzzer entry point for BinarySerde (<kstreams/serde/reflect.h>).
#include <cstddef>
#include <cstdint>

#include <kstreams/serde/reflect.h>

#include "fuzz_check.h"
#include "reflect_test_types.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kstreams;  // NOLINT(google-build-using-namespace): a fuzzer's whole body
  std::size_t selector = 0;
  ByteView bytes;
  if (!fuzz::split(data, size, 3, selector, bytes)) return 0;
  switch (selector) {
    case 0:
      fuzz::check<kstreams_test::Order>(BinarySerde<kstreams_test::Order>(), bytes, true);
      break;
    case 1:
      fuzz::check<kstreams_test::OrderKey>(BinarySerde<kstreams_test::OrderKey>(), bytes, true);
      break;
    default:
      fuzz::check<kstreams_test::Node>(BinarySerde<kstreams_test::Node>(), bytes, true);
      break;
  }
  return 0;
}
