// libFuzzer entry point for ProtobufSerde (<kstreams/serde/protobuf.h>).
#include <cstddef>
#include <cstdint>

#include <kstreams/serde/protobuf.h>

#include "fuzz_check.h"
#include "test_messages.pb.h"
#include "test_required.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf logs each rejected UTF-8 string; keep the fuzzer's output readable.
  static google::protobuf::LogSilencer silence;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kstreams;  // NOLINT(google-build-using-namespace): a fuzzer's whole body
  std::size_t selector = 0;
  ByteView bytes;
  if (!fuzz::split(data, size, 2, selector, bytes)) return 0;
  if (selector == 0) {
    fuzz::check(default_serde<test::Order>(), bytes, false);
  } else {
    fuzz::check(default_serde<test::Ticket>(), bytes, false);
  }
  return 0;
}
