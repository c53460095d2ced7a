// split(): first-match routing, default branch, branch names (given and generated), structured
// bindings and name-keyed access, predicates that throw, and the build error for a branch added
// after the split was finished.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "kstreams/test_matchers.h"
#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using dsl_testing::StringOutput;
using dsl_testing::strings;
using dsl_testing::thrown_status;

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::StatusIs;
using testing::TopologyTestDriver;
using StringStream = KStream<std::string, std::string>;

bool starts_with(const std::string& value, const char* prefix) {
  return value.rfind(prefix, 0) == 0;
}

auto is_shipping = [](const std::string& v) { return starts_with(v, "ship"); };
auto is_billing = [](const std::string& v) { return starts_with(v, "bill"); };

TEST(SplitTest, EachRecordGoesToTheFirstMatchingBranchThenToTheDefault) {
  StreamsBuilder builder;
  auto [shipping, billing, invalid] =
      builder.stream<std::string, std::string>("addresses")
          .split("route-")
          .branch(is_shipping, "shipping")
          // Overlaps the first predicate: "ship-and-bill" must still go to shipping only.
          .branch([](const std::string& v) { return v.find("bill") != std::string::npos; },
                  "billing")
          .default_branch("invalid");
  shipping.to("addresses.shipping");
  billing.to("addresses.billing");
  invalid.to("addresses.invalid");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("addresses");

  in.pipe_input("c1", "ship-1");
  in.pipe_input("c2", "bill-1");
  in.pipe_input("c3", "ship-and-bill");
  in.pipe_input("c4", "unknown");
  in.pipe_input("c5", "a-bill");

  EXPECT_THAT(strings(driver, "addresses.shipping").read_values_to_list(),
              ElementsAre("ship-1", "ship-and-bill"));
  EXPECT_THAT(strings(driver, "addresses.billing").read_values_to_list(),
              ElementsAre("bill-1", "a-bill"));
  EXPECT_THAT(strings(driver, "addresses.invalid").read_values_to_list(), ElementsAre("unknown"));
}

TEST(SplitTest, PredicatesMayTakeKeyAndValue) {
  StreamsBuilder builder;
  auto result = builder.stream<std::string, std::string>("in")
                    .split("s-")
                    .branch([](const std::string& k, const std::string&) { return k == "a"; }, "a")
                    .default_branch("rest");
  result.at("s-a").to("out-a");
  result.at("s-rest").to("out-rest");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("a", "1");
  in.pipe_input("b", "2");

  EXPECT_THAT(strings(driver, "out-a").read_values_to_list(), ElementsAre("1"));
  EXPECT_THAT(strings(driver, "out-rest").read_values_to_list(), ElementsAre("2"));
}

TEST(SplitTest, NoDefaultBranchDropsRecordsThatMatchNoBranch) {
  StreamsBuilder builder;
  auto result = builder.stream<std::string, std::string>("in")
                    .split("route-")
                    .branch(is_shipping, "shipping")
                    .branch(is_billing, "billing")
                    .no_default_branch();
  static_assert(decltype(result)::size() == 2);
  result.at("route-shipping").to("shipping");
  result.at("route-billing").to("billing");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "unknown");
  in.pipe_input("k", "bill-1");
  in.pipe_input("k", "other");

  EXPECT_THAT(strings(driver, "billing").read_values_to_list(), ElementsAre("bill-1"));
  EXPECT_THROW(strings(driver, "shipping").read_value(), StreamsException);  // never written
  EXPECT_EQ(driver.metrics().records_processed, 3u);
  EXPECT_EQ(driver.metrics().records_produced, 1u);
  EXPECT_EQ(driver.metrics().records_skipped, 0u);  // dropped by routing, not by a handler
}

TEST(SplitTest, StructuredBindingsFollowBranchOrderWithTheDefaultLast) {
  StreamsBuilder builder;
  auto result = builder.stream<std::string, std::string>("in")
                    .split("route-")
                    .branch(is_shipping, "shipping")
                    .branch(is_billing, "billing")
                    .default_branch("invalid");
  static_assert(std::tuple_size_v<decltype(result)> == 3);
  static_assert(std::is_same_v<std::tuple_element_t<2, decltype(result)>, const StringStream>);
  EXPECT_THAT(result.names(), ElementsAre("route-shipping", "route-billing", "route-invalid"));
  const auto& [a, b, c] = result;
  a.to("first");
  b.to("second");
  c.to("third");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "x");
  in.pipe_input("k", "bill");
  in.pipe_input("k", "ship");

  EXPECT_THAT(strings(driver, "first").read_values_to_list(), ElementsAre("ship"));
  EXPECT_THAT(strings(driver, "second").read_values_to_list(), ElementsAre("bill"));
  EXPECT_THAT(strings(driver, "third").read_values_to_list(), ElementsAre("x"));
}

TEST(SplitTest, BranchesAreFoundByNameAndUnknownNamesThrowOutOfRange) {
  StreamsBuilder builder;
  auto result = builder.stream<std::string, std::string>("in")
                    .split("route-")
                    .branch(is_shipping, "shipping")
                    .branch(is_billing, Branched::as("billing"))
                    .default_branch("invalid");
  EXPECT_TRUE(result.contains("route-shipping"));
  EXPECT_TRUE(result.contains("route-billing"));
  EXPECT_TRUE(result.contains("route-invalid"));
  EXPECT_FALSE(result.contains("shipping"));  // the split's name is part of the branch's name
  EXPECT_FALSE(result.contains("route-0"));
  EXPECT_THROW(static_cast<void>(result.at("route-nope")), std::out_of_range);
  try {
    static_cast<void>(result.at("route-nope"));
  } catch (const std::out_of_range& e) {
    EXPECT_THAT(e.what(), HasSubstr("route-nope"));
  }
  EXPECT_THROW(static_cast<void>(result[3]), std::out_of_range);

  // at() and the positional view refer to the same stream.
  result.at("route-billing").to("billing");
  TopologyTestDriver driver(build_or_die(builder));
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "bill-9");
  EXPECT_EQ(strings(driver, "billing").read_value(), "bill-9");
}

TEST(SplitTest, UnnamedBranchesAreNumberedFromOneAndTheDefaultIsZero) {
  StreamsBuilder builder;
  auto result = builder.stream<std::string, std::string>("in")
                    .split("route-")
                    .branch(is_shipping)
                    .branch(is_billing)
                    .default_branch();
  EXPECT_THAT(result.names(), ElementsAre("route-1", "route-2", "route-0"));
  result.at("route-1").to("one");
  result.at("route-0").to("zero");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "ship");
  in.pipe_input("k", "other");
  EXPECT_THAT(strings(driver, "one").read_values_to_list(), ElementsAre("ship"));
  EXPECT_THAT(strings(driver, "zero").read_values_to_list(), ElementsAre("other"));
}

TEST(SplitTest, UnnamedSplitUsesAGeneratedBranchProcessorNameAsPrefix) {
  StreamsBuilder builder;
  // Source is index 0, the split index 1 (Kafka's KSTREAM-BRANCH-0000000001).
  auto result = builder.stream<std::string, std::string>("in")
                    .split()
                    .branch(is_shipping, "shipping")
                    .branch(is_billing)
                    .default_branch();
  EXPECT_THAT(result.names(),
              ElementsAre("KSTREAM-BRANCH-0000000001shipping", "KSTREAM-BRANCH-00000000012",
                          "KSTREAM-BRANCH-00000000010"));
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const std::string text = topology.describe().to_string();
  EXPECT_THAT(text, HasSubstr("Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n"
                              "      --> KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000012, "
                              "KSTREAM-BRANCH-0000000001shipping\n"));
}

TEST(SplitTest, APredicateThatThrowsGoesToTheProcessingHandler) {
  auto build = [](StreamsBuilder& builder) {
    auto result = builder.stream<std::string, std::string>("in")
                      .split("route-")
                      .branch(
                          [](const std::string& v) -> bool {
                            if (v == "boom") throw std::runtime_error("predicate exploded");
                            return starts_with(v, "ship");
                          },
                          "shipping")
                      .default_branch("other");
    result.at("route-shipping").to("shipping");
    result.at("route-other").to("other");
  };

  {  // Default handler: fail, naming the split and the cause.
    StreamsBuilder builder;
    build(builder);
    TopologyTestDriver driver(build_or_die(builder));
    auto in = driver.create_input_topic<std::string, std::string>("in");
    try {
      in.pipe_input("k", "boom");
      FAIL() << "expected a StreamsException";
    } catch (const StreamsException& e) {
      EXPECT_THAT(e.status(), StatusIs(StatusCode::kProcessing,
                                       AllOf(HasSubstr("'route-'"), HasSubstr("in-0@0"),
                                             HasSubstr("predicate exploded"))));
    }
  }
  {  // A handler that continues: the record goes nowhere, the next one is routed normally.
    StreamsBuilder builder;
    build(builder);
    auto seen = std::make_shared<std::vector<std::string>>();
    StreamsConfig config;
    config.processing_exception_handler = [seen](const ErrorContext& ctx) {
      seen->emplace_back(ctx.node);
      return ErrorAction::kContinue;
    };
    TopologyTestDriver driver(build_or_die(builder), config);
    auto in = driver.create_input_topic<std::string, std::string>("in");
    in.pipe_input("k", "boom");
    in.pipe_input("k", "ship-1");
    EXPECT_THAT(*seen, ElementsAre("route-"));
    EXPECT_THAT(strings(driver, "shipping").read_values_to_list(), ElementsAre("ship-1"));
    EXPECT_TRUE(strings(driver, "other").is_empty());
    EXPECT_EQ(driver.metrics().records_skipped, 1u);
  }
}

TEST(SplitTest, BranchAfterDefaultBranchIsABuildErrorNamingTheSplit) {
  StreamsBuilder builder;
  auto split = builder.stream<std::string, std::string>("in").split("route-").branch(is_shipping,
                                                                                     "shipping");
  auto copy = split;
  auto finished = split.default_branch("invalid");
  finished.at("route-shipping").to("shipping");
  copy.branch(is_billing, "late");

  Result<Topology> topology = builder.build();
  EXPECT_THAT(topology, StatusIs(StatusCode::kTopology,
                                 AllOf(HasSubstr("split 'route-'"), HasSubstr("route-late"),
                                       HasSubstr("after default_branch"))));
}

TEST(SplitTest, BranchAfterNoDefaultBranchIsABuildErrorToo) {
  StreamsBuilder builder;
  auto split = builder.stream<std::string, std::string>("in").split("route-").branch(is_shipping);
  split.no_default_branch().at("route-1").to("out");
  split.default_branch("late-default");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       AllOf(HasSubstr("split 'route-'"), HasSubstr("route-late-default"))));
}

// A Topology is a snapshot: finishing a split in the builder after build() must not change how
// the already-built topology routes (StreamsBuilder::build's contract).
TEST(SplitTest, ATopologyBuiltBeforeTheSplitWasFinishedKeepsItsBranches) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.to("all");
  auto split = in.split("route-").branch(is_shipping, "shipping");
  ASSERT_OK_AND_ASSIGN(Topology before, builder.build());

  auto finished = split.branch(is_billing, "billing").default_branch("other");
  finished.at("route-billing").to("billing");
  finished.at("route-other").to("other");
  ASSERT_OK_AND_ASSIGN(Topology after, builder.build());

  TopologyTestDriver old_driver(before);
  auto old_in = old_driver.create_input_topic<std::string, std::string>("in");
  old_in.pipe_input("k", "bill-1");  // matches no branch of `before`: dropped
  old_in.pipe_input("k", "other");
  old_in.pipe_input("k", "ship-1");
  EXPECT_EQ(strings(old_driver, "all").queue_size(), 3u);
  EXPECT_THAT(old_driver.produced_topic_names(), ElementsAre("all"));

  TopologyTestDriver new_driver(after);
  auto new_in = new_driver.create_input_topic<std::string, std::string>("in");
  new_in.pipe_input("k", "bill-1");
  new_in.pipe_input("k", "other");
  EXPECT_THAT(strings(new_driver, "billing").read_values_to_list(), ElementsAre("bill-1"));
  EXPECT_THAT(strings(new_driver, "other").read_values_to_list(), ElementsAre("other"));
}

TEST(SplitTest, BranchStreamsCanBeTransformedFurther) {
  StreamsBuilder builder;
  auto [shipping, rest] = builder.stream<std::string, std::string>("in")
                              .split("route-")
                              .branch(is_shipping, "shipping")
                              .default_branch("rest");
  shipping.map_values([](const std::string& v) { return static_cast<std::int64_t>(v.size()); })
      .to("lengths");
  rest.filter([](const std::string& v) { return !v.empty(); }).to("rest");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "ship-123");
  in.pipe_input("k", "");
  in.pipe_input("k", "x");
  auto lengths = driver.create_output_topic<std::string, std::int64_t>("lengths");
  EXPECT_THAT(lengths.read_values_to_list(), ElementsAre(8));
  EXPECT_THAT(strings(driver, "rest").read_values_to_list(), ElementsAre("x"));
}

}  // namespace
}  // namespace kstreams
