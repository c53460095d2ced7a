// Must not compile: a stream of a type that has no default serde, without a Consumed. The error
// must say "no default Serde" and be reported as required from the stream() call below.
#include <string>

#include <kstreams/kstreams.h>

struct Opaque {
  int n = 0;
};

void build(kstreams::StreamsBuilder& builder) {
  builder.stream<std::string, Opaque>("in");  // EXPECT-ERROR
}
