// Generated-corpus test: every deserializer gets thousands of malformed inputs from a seeded PRNG
// (random bytes, truncations, bit flips, splices and token insertions into valid encodings) and
// must answer each with a value or a kSerialization error. Memory errors are caught by the
// ASan/UBSan CI build; tests/fuzz/ holds the coverage-guided (libFuzzer) version of this test.
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <kstreams/serde/protobuf.h>
#include <kstreams/serde/reflect.h>
#include <kstreams/serdes.h>

#include "reflect_test_types.h"
#include "test_messages.pb.h"
#include "test_required.pb.h"

namespace kstreams {
namespace {

using ::kstreams_test::Item;
using ::kstreams_test::Node;
using ::kstreams_test::Order;
using ::kstreams_test::OrderKey;

constexpr std::uint64_t kSeed = 20240601;
constexpr int kIterationsPerTarget = 20000;
// Keeps the whole suite at a few seconds, also under sanitizers on a busy 2-core machine. The
// minimum only catches a decoder that is pathologically slow (milliseconds per input).
constexpr auto kTimeBudgetPerTarget = std::chrono::seconds(1);
constexpr int kMinIterations = 200;

// What one deserialize call did: `problem` is empty when the outcome is acceptable.
struct Outcome {
  bool accepted = false;
  std::string problem;
};

// A deserializer under test.
struct Target {
  std::string name;
  std::vector<Bytes> seeds;
  std::vector<std::string> dictionary;
  std::function<Outcome(NullableByteView)> check;
};

std::string describe(const Status& status) { return status.to_string(); }

// Accepts a value or a kSerialization error. When `canonical`, an accepted input must also
// re-serialize to exactly the same bytes (the format has one encoding per value).
template <class T>
std::function<Outcome(NullableByteView)> checker(Serde<T> serde, bool canonical) {
  return [serde = std::move(serde), canonical](NullableByteView bytes) -> Outcome {
    Result<T> value = serde.deserialize(bytes);
    if (!value.ok()) {
      if (value.status().code() != StatusCode::kSerialization) {
        return {false, "unexpected error code: " + describe(value.status())};
      }
      if (value.status().message().empty()) return {false, "error without a message"};
      return {false, ""};
    }
    NullableBytes again;
    const Status written = serde.serialize(*value, again);
    if (!written.ok()) return {true, "accepted value does not serialize: " + describe(written)};
    if (canonical && bytes != view_of(again)) return {true, "accepted input is not canonical"};
    if (again) {
      // Whatever was accepted once must be accepted again after a write.
      Result<T> reread = serde.deserialize(view_of(again));
      if (!reread.ok()) {
        return {true, "re-read of accepted value failed: " + describe(reread.status())};
      }
    }
    return {true, ""};
  };
}

template <class T>
std::vector<Bytes> encode_all(const Serde<T>& serde, const std::vector<T>& values) {
  std::vector<Bytes> out;
  for (const T& value : values) {
    Result<Bytes> bytes = serde.to_bytes(value);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    if (bytes.ok()) out.push_back(*bytes);
  }
  return out;
}

template <class T>
Target make_target(std::string name, Serde<T> serde, const std::vector<T>& values, bool canonical,
                   std::vector<std::string> dictionary = {}) {
  std::vector<Bytes> seeds = encode_all(serde, values);
  return Target{std::move(name), std::move(seeds), std::move(dictionary),
                checker(std::move(serde), canonical)};
}

Node tree() { return Node{1, {Node{2, {}}, Node{-3, {Node{4, {}}}}}}; }

test::Order proto_order() {
  test::Order order;
  order.set_id("o-1");
  order.set_quantity(-7);
  order.add_tags("a");
  order.add_tags("bb");
  order.mutable_customer()->set_name("Ada");
  order.set_price(2.5);
  return order;
}

test::Ticket proto_ticket() {
  test::Ticket ticket;
  ticket.set_id(300);
  ticket.set_note("n");
  return ticket;
}

std::vector<Target> all_targets() {
  const std::vector<std::string> json_tokens = {
      "{",          "}",       "[",       "]",          ",",
      ":",          "\"",      "null",    "true",       "false",
      "-",          "0",       "1e400",   "-1",         "18446744073709551616",
      "2147483648", "\\u0000", "\\ud800", "\"extra\":", "1.5e-300",
      " "};
  Order order = kstreams_test::sample_order();
  Order sparse{};
  sparse.featured = Item{"", 0};
  std::vector<Target> targets;
  targets.push_back(make_target<std::string>("string", default_serde<std::string>(),
                                             {"", "hello", std::string("\0\xff", 2)}, true));
  targets.push_back(
      make_target<std::int16_t>("int16", default_serde<std::int16_t>(), {0, -2}, true));
  targets.push_back(
      make_target<std::int32_t>("int32", default_serde<std::int32_t>(), {1, -1}, true));
  targets.push_back(
      make_target<std::int64_t>("int64", default_serde<std::int64_t>(), {1, -1}, true));
  targets.push_back(make_target<float>("float", default_serde<float>(), {1.5F}, true));
  targets.push_back(make_target<double>("double", default_serde<double>(), {-0.1}, true));
  targets.push_back(make_target<std::vector<std::byte>>(
      "bytes", default_serde<std::vector<std::byte>>(), {{std::byte{1}, std::byte{255}}}, true));
  targets.push_back(
      Target{"void", {Bytes()}, {}, checker(default_serde<Void>(), /*canonical=*/false)});
  targets.push_back(make_target<std::optional<std::int32_t>>(
      "optional<int32>", default_serde<std::optional<std::int32_t>>(), {7}, true));
  targets.push_back(make_target<test::Order>("protobuf Order", default_serde<test::Order>(),
                                             {proto_order(), test::Order()}, false));
  targets.push_back(make_target<test::Ticket>("protobuf Ticket", default_serde<test::Ticket>(),
                                              {proto_ticket()}, false));
  targets.push_back(make_target<Order>("json Order", JsonSerde<Order>(), {order, sparse, Order()},
                                       false, json_tokens));
  targets.push_back(
      make_target<Node>("json Node", JsonSerde<Node>(), {tree()}, false, json_tokens));
  targets.push_back(
      make_target<Order>("binary Order", BinarySerde<Order>(), {order, sparse, Order()}, true));
  targets.push_back(make_target<Node>("binary Node", BinarySerde<Node>(), {tree()}, true));
  targets.push_back(make_target<OrderKey>("binary OrderKey", BinarySerde<OrderKey>(),
                                          {OrderKey{"tenant", -5}}, true));
  return targets;
}

// Produces malformed variations of the seeds.
class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  Bytes next(const Target& target) {
    Bytes bytes = target.seeds.empty() ? Bytes() : target.seeds[below(target.seeds.size())];
    if (below(8) == 0) bytes = random_bytes(below(65));
    const std::size_t rounds = 1 + below(3);
    for (std::size_t i = 0; i < rounds; ++i) mutate(bytes, target);
    return bytes;
  }

 private:
  std::size_t below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  Bytes random_bytes(std::size_t size) {
    Bytes out(size, '\0');
    for (char& c : out) c = static_cast<char>(below(256));
    return out;
  }

  void mutate(Bytes& bytes, const Target& target) {
    static constexpr char kInteresting[] = {'\x00', '\x01', '\x02', '\x7f', '\x80', '\xff'};
    switch (below(7)) {
      case 0:  // truncate
        bytes.resize(below(bytes.size() + 1));
        break;
      case 1:  // flip bits
        for (std::size_t i = 0, n = 1 + below(4); i < n && !bytes.empty(); ++i) {
          bytes[below(bytes.size())] ^= static_cast<char>(1U << below(8));
        }
        break;
      case 2:  // overwrite with a boundary byte
        if (!bytes.empty()) bytes[below(bytes.size())] = kInteresting[below(sizeof kInteresting)];
        break;
      case 3:  // insert random bytes
        bytes.insert(below(bytes.size() + 1), random_bytes(1 + below(8)));
        break;
      case 4:  // delete a range
        if (!bytes.empty()) {
          const std::size_t at = below(bytes.size());
          bytes.erase(at, 1 + below(bytes.size() - at));
        }
        break;
      case 5:  // splice with another seed
        if (!target.seeds.empty()) {
          const Bytes& other = target.seeds[below(target.seeds.size())];
          bytes = bytes.substr(0, below(bytes.size() + 1)) + other.substr(below(other.size() + 1));
        }
        break;
      default:  // insert a format token
        if (!target.dictionary.empty()) {
          bytes.insert(below(bytes.size() + 1), target.dictionary[below(target.dictionary.size())]);
        } else {
          bytes.insert(below(bytes.size() + 1), 1, kInteresting[below(sizeof kInteresting)]);
        }
        break;
    }
  }

  std::mt19937_64 rng_;
};

std::string printable(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return bytes.size() > 64 ? out + "..." : out;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> kTargets = all_targets();
  return kTargets;
}

std::vector<std::size_t> target_indexes() {
  std::vector<std::size_t> indexes(targets().size());
  for (std::size_t i = 0; i < indexes.size(); ++i) indexes[i] = i;
  return indexes;
}

std::string test_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string name = targets()[info.param].name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class MalformedInputTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  // Protobuf logs every rejected UTF-8 string; thousands of lines would bury real failures.
  google::protobuf::LogSilencer silence_protobuf_;
};

TEST_P(MalformedInputTest, AnswersWithValueOrSerializationError) {
  const Target& target = targets()[GetParam()];
  ASSERT_FALSE(target.seeds.empty());
  // The seeds themselves, null, and nothing at all.
  for (const Bytes& seed : target.seeds) {
    ASSERT_EQ(target.check(NullableByteView(seed)).problem, "") << printable(seed);
  }
  ASSERT_EQ(target.check(std::nullopt).problem, "");
  ASSERT_EQ(target.check(NullableByteView(Bytes())).problem, "");

  Mutator mutator(kSeed + GetParam());
  const auto start = std::chrono::steady_clock::now();
  int iterations = 0;
  int failures = 0;
  int accepted = 0;
  for (; iterations < kIterationsPerTarget; ++iterations) {
    if (iterations % 256 == 0 && std::chrono::steady_clock::now() - start > kTimeBudgetPerTarget) {
      break;
    }
    const Bytes input = mutator.next(target);
    const Outcome outcome = target.check(NullableByteView(input));
    if (outcome.accepted) ++accepted;
    if (!outcome.problem.empty() && ++failures <= 5) {
      ADD_FAILURE() << outcome.problem << "\n  input: " << printable(input);
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GE(iterations, kMinIterations) << "too slow to be meaningful";
  // Both outcomes must occur, or the corpus is not exercising the decoder. Exceptions: Void
  // accepts only null; strings and byte arrays accept every input.
  if (target.name != "void") {
    EXPECT_GT(accepted, 0);
  }
  if (target.name != "string" && target.name != "bytes") {
    EXPECT_LT(accepted, iterations);
  }
  RecordProperty("iterations", iterations);
  RecordProperty("accepted", accepted);
}

INSTANTIATE_TEST_SUITE_P(Deserializers, MalformedInputTest, ::testing::ValuesIn(target_indexes()),
                         test_name);

TEST(MalformedInputCoverageTest, EveryDeserializerIsATarget) { EXPECT_EQ(targets().size(), 16U); }

}  // namespace
}  // namespace kstreams
