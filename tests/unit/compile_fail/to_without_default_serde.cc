// Must not compile: to(topic) on a stream whose value type has no default serde, without a
// Produced. The error must say "no default Serde" and be reported as required from the to()
// call below.
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
  auto stream = builder.stream<std::string, Opaque>(
      "in", kstreams::Consumed<std::string, Opaque>::with(kstreams::StringSerde{}, OpaqueSerde{}));
  stream.to("out");  // EXPECT-ERROR
}
