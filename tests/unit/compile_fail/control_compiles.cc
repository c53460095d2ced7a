// Must compile: the correct counterpart of every compile-fail case in this folder, with the same
// flags and include path. If this fails, the compile-fail tests prove nothing.
#include <string>

#include <kstreams/kstreams.h>

struct Opaque {
  int n = 0;
};

struct OpaqueSerde {
  kstreams::Status serialize(const Opaque&, kstreams::Bytes&) const { return {}; }
  kstreams::Result<Opaque> deserialize(kstreams::ByteView) const { return Opaque{}; }
};

void build(kstreams::StreamsBuilder& builder) {
  auto stream = builder.stream<std::string, std::string>("in");
  stream.filter([](const std::string& value) { return !value.empty(); });
  stream.map_values([](const std::string& value) { return value.size(); });
  auto opaque = builder.stream<std::string, Opaque>(
      "opaque",
      kstreams::Consumed<std::string, Opaque>::with(kstreams::StringSerde{}, OpaqueSerde{}));
  opaque.to("out",
            kstreams::Produced<std::string, Opaque>::with(kstreams::StringSerde{}, OpaqueSerde{}));
}
