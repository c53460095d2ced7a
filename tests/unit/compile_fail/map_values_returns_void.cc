// Must not compile: map_values with a function that returns nothing. The error must name the
// ValueMapper concept and point at the map_values() call below.
#include <string>

#include <kstreams/kstreams.h>

void build(kstreams::StreamsBuilder& builder) {
  auto stream = builder.stream<std::string, std::string>("in");
  stream.map_values([](const std::string&) {});  // EXPECT-ERROR
}
