// Topology: describe() in Kafka Streams' format, generated and user-given names, DOT/Mermaid
// renderings, sub-topologies, source/sink topics, and every build error StreamsBuilder reports.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>

#include "kstreams/test_matchers.h"

namespace kstreams {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::IsOk;
using ::testing::Not;
using testing::StatusIs;

/// A type with no default serde and no operator<<.
struct Opaque {
  std::string text;
};
struct OpaqueSerde {
  Status serialize(const Opaque& value, Bytes& out) const {
    out = value.text;
    return {};
  }
  Result<Opaque> deserialize(ByteView bytes) const { return Opaque{std::string(bytes)}; }
};
static_assert(!HasDefaultSerde<Opaque>);

std::vector<std::string> node_names(const TopologyDescription::Subtopology& sub) {
  std::vector<std::string> names;
  for (const auto& node : sub.nodes) names.push_back(node.name);
  return names;
}

bool starts_with(const std::string& value, const char* prefix) {
  return value.rfind(prefix, 0) == 0;
}

// The address router's shape: source -> split -> 3 branches -> 3 sinks.
void build_address_router(StreamsBuilder& builder) {
  auto [shipping, billing, invalid] =
      builder.stream<std::string, std::string>("addresses")
          .split("route-")
          .branch([](const std::string& v) { return starts_with(v, "ship"); }, "shipping")
          .branch([](const std::string& v) { return starts_with(v, "bill"); }, "billing")
          .default_branch("invalid");
  shipping.to("addresses.shipping");
  billing.to("addresses.billing");
  invalid.to("addresses.invalid");
}

TEST(TopologyTest, DescribeMatchesKafkaStreamsFormatForTheAddressRouter) {
  StreamsBuilder builder;
  build_address_router(builder);
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());

  // Nodes ordered by sub-tree size, then name; successors likewise (Kafka's NodeComparator).
  const std::string expected =
      "Topologies:\n"
      "   Sub-topology: 0\n"
      "    Source: KSTREAM-SOURCE-0000000000 (topics: [addresses])\n"
      "      --> route-\n"
      "    Processor: route- (stores: [])\n"
      "      --> route-billing, route-invalid, route-shipping\n"
      "      <-- KSTREAM-SOURCE-0000000000\n"
      "    Processor: route-billing (stores: [])\n"
      "      --> KSTREAM-SINK-0000000002\n"
      "      <-- route-\n"
      "    Processor: route-invalid (stores: [])\n"
      "      --> KSTREAM-SINK-0000000003\n"
      "      <-- route-\n"
      "    Processor: route-shipping (stores: [])\n"
      "      --> KSTREAM-SINK-0000000001\n"
      "      <-- route-\n"
      "    Sink: KSTREAM-SINK-0000000001 (topic: addresses.shipping)\n"
      "      <-- route-shipping\n"
      "    Sink: KSTREAM-SINK-0000000002 (topic: addresses.billing)\n"
      "      <-- route-billing\n"
      "    Sink: KSTREAM-SINK-0000000003 (topic: addresses.invalid)\n"
      "      <-- route-invalid\n"
      "\n";
  EXPECT_EQ(topology.describe().to_string(), expected);

  std::ostringstream os;
  os << topology.describe();
  EXPECT_EQ(os.str(), expected);
}

TEST(TopologyTest, DescribeStructureMatchesTheText) {
  StreamsBuilder builder;
  build_address_router(builder);
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const TopologyDescription description = topology.describe();
  ASSERT_EQ(description.subtopologies().size(), 1u);
  const auto& nodes = description.subtopologies()[0].nodes;
  ASSERT_EQ(nodes.size(), 8u);
  EXPECT_EQ(nodes[0].kind, TopologyDescription::NodeKind::kSource);
  EXPECT_THAT(nodes[0].topics, ElementsAre("addresses"));
  EXPECT_THAT(nodes[0].predecessors, IsEmpty());
  EXPECT_EQ(nodes[1].kind, TopologyDescription::NodeKind::kProcessor);
  EXPECT_THAT(nodes[1].successors, ElementsAre("route-billing", "route-invalid", "route-shipping"));
  EXPECT_EQ(nodes[7].kind, TopologyDescription::NodeKind::kSink);
  EXPECT_THAT(nodes[7].topics, ElementsAre("addresses.invalid"));
  EXPECT_THAT(nodes[7].successors, IsEmpty());
}

TEST(TopologyTest, UnnamedOperatorsGetKafkaStreamsGeneratedNames) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .filter([](const std::string& v) { return !v.empty(); })
      .map_values([](const std::string& v) { return v + "!"; })
      .select_key([](const std::string& v) { return v; })
      .peek([](const std::string&) {})
      .to("out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const TopologyDescription description = topology.describe();
  const auto& subs = description.subtopologies();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_THAT(node_names(subs[0]),
              ElementsAre("KSTREAM-SOURCE-0000000000", "KSTREAM-FILTER-0000000001",
                          "KSTREAM-MAPVALUES-0000000002", "KSTREAM-KEY-SELECT-0000000003",
                          "KSTREAM-PEEK-0000000004", "KSTREAM-SINK-0000000005"));
}

TEST(TopologyTest, MoreGeneratedNamePrefixes) {
  StreamsBuilder builder;
  auto a = builder.stream<std::string, std::string>("a");
  auto b = builder.stream<std::string, std::string>("b");
  a.merge(b)
      .map([](const std::string& k, const std::string& v) {
        return KeyValue<std::string, std::string>{v, k};
      })
      .flat_map_values([](const std::string& v) { return std::vector<std::string>{v}; })
      .flat_map([](const std::string& k, const std::string& v) {
        return std::vector<KeyValue<std::string, std::string>>{{k, v}};
      })
      .foreach ([](const std::string&) {});
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const std::string text = topology.describe().to_string();
  for (const char* name :
       {"KSTREAM-SOURCE-0000000000", "KSTREAM-SOURCE-0000000001", "KSTREAM-MERGE-0000000002",
        "KSTREAM-MAP-0000000003", "KSTREAM-FLATMAPVALUES-0000000004", "KSTREAM-FLATMAP-0000000005",
        "KSTREAM-FOREACH-0000000006"}) {
    EXPECT_THAT(text, HasSubstr(name));
  }
  EXPECT_THAT(text, HasSubstr("    Processor: KSTREAM-MERGE-0000000002 (stores: [])\n"
                              "      --> KSTREAM-MAP-0000000003\n"
                              "      <-- KSTREAM-SOURCE-0000000000, KSTREAM-SOURCE-0000000001\n"));
  EXPECT_THAT(text, HasSubstr("    Processor: KSTREAM-FOREACH-0000000006 (stores: [])\n"
                              "      --> none\n"));
}

TEST(TopologyTest, UserNamesComeFromNamedConsumedAndProduced) {
  StreamsBuilder builder;
  builder
      .stream<std::string, std::string>("in",
                                        Consumed<std::string, std::string>::as_name("read-in"))
      .filter([](const std::string& v) { return !v.empty(); }, "drop-empty")
      .map_values([](const std::string& v) { return v; }, Named::as("copy"))
      .to("out", Produced<std::string, std::string>::as_name("write-out"));
  builder
      .stream<std::string, std::string>(
          "in2",
          Consumed<std::string, std::string>::with(StringSerde{}, StringSerde{}).as("read-in2"))
      .to("out2",
          Produced<std::string, std::string>::with(StringSerde{}, StringSerde{}).as("write-out2"));
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const TopologyDescription description = topology.describe();
  const auto& subs = description.subtopologies();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_THAT(node_names(subs[0]), ElementsAre("read-in", "drop-empty", "copy", "write-out"));
  EXPECT_THAT(node_names(subs[1]), ElementsAre("read-in2", "write-out2"));
}

TEST(TopologyTest, NamedOperatorsDoNotConsumeGeneratedIndexes) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in", Consumed<std::string, std::string>::as_name("src"))
      .filter([](const std::string&) { return true; })
      .to("out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  EXPECT_THAT(node_names(topology.describe().subtopologies()[0]),
              ElementsAre("src", "KSTREAM-FILTER-0000000000", "KSTREAM-SINK-0000000001"));
}

TEST(TopologyTest, DotAndMermaidNameEveryNodeAndTopic) {
  StreamsBuilder builder;
  build_address_router(builder);
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const TopologyDescription description = topology.describe();
  const std::string dot = description.to_dot();
  const std::string mermaid = description.to_mermaid();
  EXPECT_THAT(dot, HasSubstr("digraph"));
  EXPECT_THAT(mermaid, HasSubstr("flowchart"));
  for (const auto& node : description.subtopologies()[0].nodes) {
    EXPECT_THAT(dot, HasSubstr("\"" + node.name + "\"")) << node.name;
    EXPECT_THAT(mermaid, HasSubstr("[\"" + node.name + "\"]")) << node.name;
  }
  for (const char* topic :
       {"addresses", "addresses.shipping", "addresses.billing", "addresses.invalid"}) {
    EXPECT_THAT(dot, HasSubstr("label=\"" + std::string(topic) + "\"")) << topic;
    EXPECT_THAT(mermaid, HasSubstr("([\"" + std::string(topic) + "\"])")) << topic;
  }
  EXPECT_THAT(dot, HasSubstr("\"route-\" -> \"route-shipping\""));
  EXPECT_THAT(dot, HasSubstr("\"topic:addresses\" -> \"KSTREAM-SOURCE-0000000000\""));
  EXPECT_THAT(dot, HasSubstr("\"KSTREAM-SINK-0000000001\" -> \"topic:addresses.shipping\""));
  // Mermaid ids may not contain '-' or '.', so nodes are referred to by generated ids.
  EXPECT_THAT(mermaid, Not(HasSubstr("route- -->")));
}

TEST(TopologyTest, DisconnectedGraphsBecomeSeparateSubtopologies) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("a").to("a-out");
  builder.stream<std::string, std::string>("b").to("b-out");
  auto c = builder.stream<std::string, std::string>("c");
  auto d = builder.stream<std::string, std::string>("d");
  c.merge(d).to("cd-out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  const TopologyDescription description = topology.describe();
  ASSERT_EQ(description.subtopologies().size(), 3u);
  EXPECT_EQ(description.subtopologies()[0].id, 0);
  EXPECT_EQ(description.subtopologies()[2].id, 2);
  EXPECT_THAT(node_names(description.subtopologies()[0]),
              ElementsAre("KSTREAM-SOURCE-0000000000", "KSTREAM-SINK-0000000001"));
  EXPECT_THAT(node_names(description.subtopologies()[1]),
              ElementsAre("KSTREAM-SOURCE-0000000002", "KSTREAM-SINK-0000000003"));
  EXPECT_EQ(description.subtopologies()[2].nodes.size(), 4u);

  const std::string text = description.to_string();
  EXPECT_THAT(text, HasSubstr("   Sub-topology: 0\n"));
  EXPECT_THAT(text, HasSubstr("      <-- KSTREAM-SOURCE-0000000000\n\n   Sub-topology: 1\n"));
  EXPECT_THAT(text, HasSubstr("   Sub-topology: 2\n"));
  EXPECT_THAT(description.to_dot(), HasSubstr("cluster_2"));
  EXPECT_THAT(description.to_mermaid(), HasSubstr("Sub-topology 2"));
}

TEST(TopologyTest, SourceAndSinkTopicsAreSortedAndExcludeDynamicSinks) {
  StreamsBuilder builder;
  build_address_router(builder);
  builder.stream<std::string, std::string>(std::vector<std::string>{"z-in", "b-in"})
      .to([](const std::string& k, const std::string&) { return "dyn." + k; });
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  EXPECT_THAT(topology.source_topics(), ElementsAre("addresses", "b-in", "z-in"));
  EXPECT_THAT(topology.sink_topics(),
              ElementsAre("addresses.billing", "addresses.invalid", "addresses.shipping"));
}

TEST(TopologyTest, TheTopologyIsASnapshotOfTheBuilder) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.to("out");
  ASSERT_OK_AND_ASSIGN(Topology first, builder.build());
  in.to("out2");
  ASSERT_OK_AND_ASSIGN(Topology second, builder.build());
  EXPECT_THAT(first.sink_topics(), ElementsAre("out"));
  EXPECT_THAT(second.sink_topics(), ElementsAre("out", "out2"));
}

// ---- build errors ----------------------------------------------------------------------------

TEST(TopologyBuildErrorTest, DuplicateProcessorNames) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.filter([](const std::string&) { return true; }, "same").to("a");
  in.filter([](const std::string&) { return false; }, "same").to("b");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology, HasSubstr("duplicate processor name 'same'")));
}

TEST(TopologyBuildErrorTest, DuplicateNameBetweenSourceAndSink) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in", Consumed<std::string, std::string>::as_name("x"))
      .to("out", Produced<std::string, std::string>::as_name("x"));
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology, HasSubstr("duplicate processor name 'x'")));
}

TEST(TopologyBuildErrorTest, InvalidNameCharacters) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .filter([](const std::string&) { return true; }, "bad name")
      .to("out");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       AllOf(HasSubstr("processor name 'bad name'"), HasSubstr("contains ' '"))));

  StreamsBuilder slash;
  slash.stream<std::string, std::string>("in").to(
      "out", Produced<std::string, std::string>::as_name("a/b"));
  EXPECT_THAT(slash.build(), StatusIs(StatusCode::kTopology, HasSubstr("'a/b' contains '/'")));
}

TEST(TopologyBuildErrorTest, InvalidTopicCharacters) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in put").to("out");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       AllOf(HasSubstr("KSTREAM-SOURCE-0000000000"), HasSubstr("'in put'"))));
}

TEST(TopologyBuildErrorTest, NamesLongerThan249Characters) {
  const std::string ok_name(249, 'a');
  StreamsBuilder fine;
  fine.stream<std::string, std::string>("in").filter([](const std::string&) { return true; },
                                                     ok_name);
  EXPECT_THAT(fine.build(), IsOk());

  const std::string long_name(250, 'b');
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").filter([](const std::string&) { return true; },
                                                        long_name);
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology, AllOf(HasSubstr("longer than 249 characters"),
                                                    HasSubstr(std::string(40, 'b')))));

  StreamsBuilder long_topic;
  long_topic.stream<std::string, std::string>(std::string(250, 't'));
  EXPECT_THAT(long_topic.build(),
              StatusIs(StatusCode::kTopology, AllOf(HasSubstr("KSTREAM-SOURCE-0000000000"),
                                                    HasSubstr("longer than 249 characters"))));
}

TEST(TopologyBuildErrorTest, EmptySourceTopic) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("").to("out");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       HasSubstr("'KSTREAM-SOURCE-0000000000' has an empty topic name")));
}

TEST(TopologyBuildErrorTest, SourceWithNoTopics) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(std::vector<std::string>{});
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       HasSubstr("source 'KSTREAM-SOURCE-0000000000' has no topics")));
}

TEST(TopologyBuildErrorTest, EmptySinkTopic) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      "", Produced<std::string, std::string>::as_name("sink"));
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology, HasSubstr("'sink' has an empty topic name")));
}

TEST(TopologyBuildErrorTest, TopicReadByTwoSources) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("a");
  builder.stream<std::string, std::string>("in").to("b");
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       HasSubstr("topic 'in' is read by two sources: 'KSTREAM-SOURCE-0000000000' "
                                 "and 'KSTREAM-SOURCE-0000000002'")));
}

TEST(TopologyBuildErrorTest, NoSourceAtAll) {
  StreamsBuilder builder;
  EXPECT_THAT(builder.build(), StatusIs(StatusCode::kTopology, HasSubstr("no source")));
}

TEST(TopologyBuildErrorTest, SinkWithAnEmptySerde) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, Opaque>(
      "in", Consumed<std::string, Opaque>::with(StringSerde{}, OpaqueSerde{}));
  in.to("out", Produced<std::string, Opaque>::with(StringSerde{}, Serde<Opaque>{}));
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology,
                       AllOf(HasSubstr("sink 'KSTREAM-SINK-0000000001'"), HasSubstr("(topic out)"),
                             HasSubstr("no value serde"), HasSubstr("Opaque"))));

  StreamsBuilder key_builder;
  key_builder
      .stream<Opaque, std::string>("in", Consumed<Opaque, std::string>::with(OpaqueSerde{}, {}))
      .to("out", Produced<Opaque, std::string>::as_name("the-sink"));
  EXPECT_THAT(key_builder.build(), StatusIs(StatusCode::kTopology,
                                            AllOf(HasSubstr("sink 'the-sink'"),
                                                  HasSubstr("no key serde"), HasSubstr("Opaque"))));
}

TEST(TopologyBuildErrorTest, SourceWithAnEmptySerde) {
  StreamsBuilder builder;
  builder.stream<std::string, Opaque>("in", Consumed<std::string, Opaque>::as_name("src"));
  EXPECT_THAT(builder.build(), StatusIs(StatusCode::kTopology,
                                        AllOf(HasSubstr("source 'src'"),
                                              HasSubstr("no value serde"), HasSubstr("Opaque"))));
}

TEST(TopologyBuildErrorTest, PrintWithoutOperatorStreamOrMapper) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, Opaque>(
      "in", Consumed<std::string, Opaque>::with(StringSerde{}, OpaqueSerde{}));
  in.print();
  EXPECT_THAT(builder.build(),
              StatusIs(StatusCode::kTopology, AllOf(HasSubstr("print 'KSTREAM-PRINTER-0000000001'"),
                                                    HasSubstr("no operator<<"), HasSubstr("Opaque"),
                                                    HasSubstr("with_key_value_mapper"))));

  // With a mapper it builds.
  StreamsBuilder mapped;
  mapped
      .stream<std::string, Opaque>(
          "in", Consumed<std::string, Opaque>::with(StringSerde{}, OpaqueSerde{}))
      .print(Printed<std::string, Opaque>::to_sys_out().with_key_value_mapper(
          [](const std::string& k, const Opaque& v) { return k + "=" + v.text; }));
  EXPECT_THAT(mapped.build(), IsOk());
}

TEST(TopologyBuildErrorTest, SeveralProblemsAreReportedTogether) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  builder.stream<std::string, std::string>("in");                          // read twice
  in.filter([](const std::string&) { return true; }, "bad name!").to("");  // 2 problems
  in.to("out", Produced<std::string, std::string>::as_name("dup"));
  in.to("out2", Produced<std::string, std::string>::as_name("dup"));  // duplicate
  Result<Topology> topology = builder.build();
  EXPECT_THAT(topology,
              StatusIs(StatusCode::kTopology, AllOf(HasSubstr("invalid topology (4 problems)"),
                                                    HasSubstr("'bad name!' contains ' '"),
                                                    HasSubstr("has an empty topic name"),
                                                    HasSubstr("topic 'in' is read by two sources"),
                                                    HasSubstr("duplicate processor name 'dup'"))));
}

TEST(TopologyBuildErrorTest, ASingleProblemSaysSo) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("");
  EXPECT_THAT(builder.build(), StatusIs(StatusCode::kTopology, HasSubstr("invalid topology: ")));
}

}  // namespace
}  // namespace kstreams
