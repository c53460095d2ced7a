// Serialize/deserialize cost of the built-in serdes (string, int64, double), the protobuf serde
// on the address router's Address, and the reflection serdes (JSON and binary) on a small struct.
// Every serde is called through the type-erased kstreams::Serde<T>, as source and sink nodes
// call it; serialization writes into a reused buffer, as a sink does.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <kstreams/serde.h>
#include <kstreams/serde/protobuf.h>
#include <kstreams/serde/reflect.h>
#include <kstreams/serdes.h>

#include "examples/address_router/address.pb.h"
#include "examples/address_router/address_generator.h"

namespace bench_types {

// A small order event: five members of the common kinds.
struct Order {
  BOOST_HANA_DEFINE_STRUCT(Order, (std::string, id), (std::int64_t, customer), (double, amount),
                           (std::optional<std::string>, note), (std::vector<std::int32_t>, items));
};

}  // namespace bench_types

namespace kstreams::bench {
namespace {

template <class T>
void serialize(benchmark::State& state, Serde<T> serde, T value) {
  NullableBytes out;
  for (auto _ : state) {
    Status s = serde.serialize(value, out);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(out ? out->size() : 0));
}

template <class T>
void deserialize(benchmark::State& state, Serde<T> serde, T value) {
  NullableBytes bytes;
  if (Status s = serde.serialize(value, bytes); !s.ok()) {
    state.SkipWithError(s.to_string().c_str());
    return;
  }
  const NullableByteView view = view_of(bytes);
  for (auto _ : state) {
    Result<T> r = serde.deserialize(view);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes ? bytes->size() : 0));
}

template <class T>
void register_pair(const std::string& name, Serde<T> serde, T value) {
  benchmark::RegisterBenchmark((name + "/serialize").c_str(), serialize<T>, serde, value);
  benchmark::RegisterBenchmark((name + "/deserialize").c_str(), deserialize<T>, serde, value);
}

void register_all() {
  register_pair<std::string>("Serde/string/13B", StringSerde{}, std::string("customer-1042"));
  register_pair<std::string>("Serde/string/100B", StringSerde{}, std::string(100, 'v'));
  register_pair<std::int64_t>("Serde/int64", LongSerde{}, std::int64_t{1'700'000'000'123});
  register_pair<double>("Serde/double", DoubleSerde{}, 12345.678);

  address_router::AddressGenerator generator;
  register_pair<address_router::Address>("Serde/protobuf_Address",
                                         ProtobufSerde<address_router::Address>{},
                                         generator.address(address_router::SHIPPING));

  bench_types::Order order;
  order.id = "order-000042";
  order.customer = 1042;
  order.amount = 99.95;
  order.note = "leave at the door";
  order.items = {3, 14, 15, 92};
  register_pair<bench_types::Order>("Serde/reflect_json_Order", JsonSerde<bench_types::Order>{},
                                    order);
  register_pair<bench_types::Order>("Serde/reflect_binary_Order", BinarySerde<bench_types::Order>{},
                                    order);
}

}  // namespace
}  // namespace kstreams::bench

int main(int argc, char** argv) {
  kstreams::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
