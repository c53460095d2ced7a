// Must not compile: a filter predicate that cannot take the stream's value type. The error must
// name the RecordPredicate concept and point at the filter() call below.
#include <string>

#include <kstreams/kstreams.h>

void build(kstreams::StreamsBuilder& builder) {
  auto stream = builder.stream<std::string, std::string>("in");
  stream.filter([](const int& value) { return value > 0; });  // EXPECT-ERROR
}
