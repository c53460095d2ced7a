// StreamsConfig from strings: command-line style assignments (the examples' and apps' --property
// flags), properties files in the java.util.Properties format, and what from_properties and
// validate() reject (application.id, prefixed client properties, secrets kept out of errors).
#include <fstream>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/streams_config.h>

#include "kstreams/test_matchers.h"
#include "tests/unit/state/temp_dir.h"

namespace kstreams {
namespace {

using kstreams::testing::IsOk;
using kstreams::testing::IsOkAndHolds;
using kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Props = std::map<std::string, std::string>;

// A properties file with `content`, in a directory removed with it.
class PropertiesFile {
 public:
  explicit PropertiesFile(const std::string& content) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] Result<Props> read() const { return StreamsConfig::read_properties_file(path_); }

 private:
  testing::TempDir dir_;
  std::string path_ = (dir_.path() / "app.properties").string();
};

Props read_or_die(const std::string& content) {
  Result<Props> props = PropertiesFile(content).read();
  if (!props.ok()) ADD_FAILURE() << props.status();
  return props.ok() ? *props : Props{};
}

// --- command-line assignments ---

TEST(StreamsConfigTest, AssignmentsOverrideInOrderAndKeepEqualsSignsInValues) {
  std::map<std::string, std::string> props{{"commit.interval.ms", "30000"}};
  ASSERT_TRUE(
      StreamsConfig::parse_assignments(
          {"commit.interval.ms=100", "sasl.jaas.config=a=b", "commit.interval.ms=200"}, props)
          .ok());
  EXPECT_EQ(props["commit.interval.ms"], "200");
  EXPECT_EQ(props["sasl.jaas.config"], "a=b") << "split at the first '=' only";
}

TEST(StreamsConfigTest, AnAssignmentWithoutEqualsSignIsRejectedByName) {
  std::map<std::string, std::string> props;
  const Status s = StreamsConfig::parse_assignments({"a=1", "num.stream.threads"}, props);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'num.stream.threads': expected key=value"));
}

// --config FILE and --property flags: the file first, the assignments over it.
TEST(StreamsConfigTest, CommandLinePropertiesAreTheFileWithTheAssignmentsOverIt) {
  const PropertiesFile file("application.id=from-file\ncommit.interval.ms=100\n");
  EXPECT_THAT(StreamsConfig::read_command_line_properties(file.path(), {"commit.interval.ms=5"}),
              IsOkAndHolds(Props{{"application.id", "from-file"}, {"commit.interval.ms", "5"}}));
  EXPECT_THAT(StreamsConfig::read_command_line_properties("", {"a=1"}),
              IsOkAndHolds(Props{{"a", "1"}}))
      << "no file";
  EXPECT_THAT(StreamsConfig::read_command_line_properties(file.path(), {"nokey"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--property 'nokey'")));
  EXPECT_THAT(StreamsConfig::read_command_line_properties("/nonexistent/app.properties", {}),
              StatusIs(StatusCode::kIo, HasSubstr("/nonexistent/app.properties")));
}

TEST(StreamsConfigTest, AssignmentsAcceptTheSeparatorsOfAPropertiesFile) {
  Props props;
  ASSERT_THAT(
      StreamsConfig::parse_assignments(
          {"a:1", "b 2", "c = 3", " d\t:\t4", "e=host:9092", "f=C:\\dir\\x", "g=", "h  x "}, props),
      IsOk());
  EXPECT_EQ(props, (Props{{"a", "1"},
                          {"b", "2"},
                          {"c", "3"},
                          {"d", "4"},
                          {"e", "host:9092"},
                          {"f", "C:\\dir\\x"},  // no escapes: the shell has quoted already
                          {"g", ""},
                          {"h", "x "}}));
}

TEST(StreamsConfigTest, AnAssignmentWithAnEmptyKeyIsRejectedWithoutItsValue) {
  Props props;
  const Status s = StreamsConfig::parse_assignments({"a=1", "=hunter2"}, props);
  EXPECT_THAT(s,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("assignment 2 has an empty key")));
  EXPECT_THAT(s.message(), Not(HasSubstr("hunter2")));
}

// --- secrets stay out of error messages ---

TEST(StreamsConfigTest, ASecretOnTheCommandLineIsSplitAtAnySeparatorAndNeverShown) {
  Props props{{"application.id", "app"}};
  ASSERT_THAT(StreamsConfig::parse_assignments({"sasl.password:cli-secret-1"}, props), IsOk());
  EXPECT_EQ(props["sasl.password"], "cli-secret-1");
  ASSERT_THAT(StreamsConfig::parse_assignments({"sasl.password cli-secret-2"}, props), IsOk());
  EXPECT_EQ(props["sasl.password"], "cli-secret-2");
  ASSERT_THAT(StreamsConfig::parse_assignments({"kafka.sasl.password=cli-secret-3"}, props),
              IsOk());
  const Status s = StreamsConfig::from_properties(props).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument,
                          HasSubstr("'sasl.password' and 'kafka.sasl.password'")));
  EXPECT_THAT(s.message(), AllOf(Not(HasSubstr("cli-secret")), Not(HasSubstr("[hidden]"))));
}

TEST(StreamsConfigTest, ASecretInAPropertiesFileIsNeverShown) {
  const PropertiesFile file("application.id=app\nssl.key.password=file-secret\\u00zz\n");
  const Status s = file.read().status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr(file.path() + ":2: malformed \\uXXXX escape"),
                                HasSubstr("'ssl.key.password'"))));
  EXPECT_THAT(s.message(), Not(HasSubstr("file-secret")));

  const Result<Props> props =
      PropertiesFile(
          "ssl.keystore.password file-secret\nkafka.ssl.keystore.password=file-secret-2\n")
          .read();
  ASSERT_THAT(props.status(), IsOk());
  Props with_id = *props;
  with_id["application.id"] = "app";
  const Status conflict = StreamsConfig::from_properties(with_id).status();
  EXPECT_THAT(conflict,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'ssl.keystore.password' and "
                                                               "'kafka.ssl.keystore.password'")));
  EXPECT_THAT(conflict.message(),
              AllOf(Not(HasSubstr("file-secret")), Not(HasSubstr("file-secret-2"))));
}

// librdkafka rejects some secret properties outright (sasl.oauthbearer.client.secret when it was
// built without OAuth/OIDC, as Debian's 2.0.2 is) and its reason may quote the value.
TEST(StreamsConfigTest, LibrdkafkasRejectionOfASecretNamesTheKeyOnly) {
  for (const std::string key :
       {"sasl.oauthbearer.client.secret", "consumer.sasl.oauthbearer.client.secret"}) {
    const Result<StreamsConfig> config =
        StreamsConfig::from_properties({{"application.id", "app"}, {key, "oidc-secret"}});
    if (config.ok()) continue;  // a librdkafka with OAuth/OIDC takes any string
    EXPECT_THAT(config.status(),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("'" + key + "'")));
    EXPECT_THAT(config.status().message(), Not(HasSubstr("oidc-secret")));
  }
}

// --- prefixed client properties are named as given ---

TEST(StreamsConfigTest, ErrorsNamePrefixedClientPropertiesAsGiven) {
  for (const std::string key :
       {"consumer.no.such.property", "producer.no.such.property", "kafka.no.such.property"}) {
    EXPECT_THAT(
        StreamsConfig::from_properties({{"application.id", "app"}, {key, "1"}}).status(),
        StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown property '" + key + "'")));
  }
  EXPECT_THAT(
      StreamsConfig::from_properties({{"application.id", "app"}, {"producer.linger.ms", "soon"}})
          .status(),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("invalid value for client property 'producer.linger.ms': soon")));
  StreamsConfig config;
  config.client_properties["consumer.no.such.property"] = "1";
  EXPECT_THAT(config.validate(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("unknown property 'consumer.no.such.property'")));
}

// --- application.id ---

TEST(StreamsConfigTest, FromPropertiesRequiresAnApplicationId) {
  EXPECT_THAT(StreamsConfig::from_properties({{"num.stream.threads", "2"}}).status(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("Missing required configuration \"application.id\" which has no "
                                 "default value")));
  EXPECT_THAT(
      StreamsConfig::from_properties({{"application.id", ""}}).status(),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("application.id must not be empty")));
}

TEST(StreamsConfigTest, AnApplicationIdOutsideTopicNameCharactersIsRejected) {
  const std::map<std::string, std::string> rejected = {
      {"my app", "' ' at position 2"},
      {"a/b", "'/' at position 1"},
      {"../etc", "'/' at position 2"},
      {"r\xc3\xa9seau", "byte 0xc3 at position 1"},
      {"tab\there", "byte 0x09 at"},
      {"a*", "'*' at position 1"},
      {std::string("nul\0", 4), "byte 0x00 at position 3"}};
  for (const auto& [id, why] : rejected) {
    StreamsConfig config;
    config.application_id = id;
    EXPECT_THAT(config.validate(),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("application.id: " + why)))
        << id;
    EXPECT_THAT(StreamsConfig::from_properties({{"application.id", id}}).status(),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("application.id: " + why)))
        << id;
  }
  StreamsConfig legal;
  legal.application_id = "Router_1.v-2";
  EXPECT_THAT(legal.validate(), IsOk());
}

TEST(StreamsConfigTest, DotAndDotDotAreNotApplicationIds) {
  for (const std::string id : {".", ".."}) {
    StreamsConfig config;
    config.application_id = id;
    EXPECT_THAT(config.validate(), StatusIs(StatusCode::kInvalidArgument,
                                            HasSubstr("application.id must not be '" + id + "'")));
    EXPECT_THAT(StreamsConfig::from_properties({{"application.id", id}}).status(),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("application.id must not be '" + id + "'")));
  }
  StreamsConfig dots;
  dots.application_id = "...";
  EXPECT_THAT(dots.validate(), IsOk()) << "only '.' and '..' name other directories";
}

// --- properties files (java.util.Properties) ---

TEST(PropertiesFileTest, CommentsAndBlankLinesAreSkipped) {
  EXPECT_EQ(read_or_die("# comment\n"
                        "! also a comment\n"
                        "   # indented comment\n"
                        "\t! indented too\n"
                        "\n"
                        "  \t \f\n"
                        "a=1\n"
                        "# comment ending in a backslash does not continue \\\n"
                        "b=2\n"),
            (Props{{"a", "1"}, {"b", "2"}}));
}

TEST(PropertiesFileTest, TheKeyEndsAtTheFirstEqualsColonOrWhitespace) {
  EXPECT_EQ(read_or_die("a=1\n"
                        "b:2\n"
                        "c 3\n"
                        "  d = 4\n"
                        "e\t:\t5\n"
                        "f \f 6\n"
                        "g = = 7\n"
                        "h  : x:y=z\n"
                        "i\n"
                        "j=\n"
                        "k=trailing whitespace is kept  \n"
                        "bootstrap.servers=host:9092\n"),
            (Props{{"a", "1"},
                   {"b", "2"},
                   {"c", "3"},
                   {"d", "4"},
                   {"e", "5"},
                   {"f", "6"},
                   {"g", "= 7"},
                   {"h", "x:y=z"},
                   {"i", ""},
                   {"j", ""},
                   {"k", "trailing whitespace is kept  "},
                   {"bootstrap.servers", "host:9092"}}));
}

TEST(PropertiesFileTest, ALineEndingInAnOddNumberOfBackslashesContinues) {
  EXPECT_EQ(read_or_die("a=one,\\\n"
                        "     two,\\\n"
                        "\t\tthree\n"
                        "b=even\\\\\n"
                        "c=odd\\\\\\\n"
                        "  more\n"
                        "d=x\\\n"
                        "# not a comment: continues d\n"
                        "e=\\\n"
                        "\n"
                        "f=last\\"),
            (Props{{"a", "one,two,three"},
                   {"b", "even\\"},
                   {"c", "odd\\more"},
                   {"d", "x# not a comment: continues d"},
                   {"e", ""},
                   {"f", "last"}}));
}

TEST(PropertiesFileTest, LinesEndWithLfCrLfOrCr) {
  EXPECT_EQ(read_or_die("a=1\r\nb=2\rc=3\nd=x\\\r\n  y\r"),
            (Props{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "xy"}}));
}

TEST(PropertiesFileTest, EscapesAreDecoded) {
  EXPECT_EQ(read_or_die("a=\\t\\n\\r\\f|\\\\|\\=|\\:|\\#|\\!|\\ |\\q\\z\n"
                        "key\\=with\\:separators\\ and\\ spaces = v\n"
                        "\\#not-a-comment=1\n"
                        "latin=\\u00e9\\u00E9\n"
                        "euro=\\u20ac\n"
                        "emoji=\\uD83D\\uDE00\n"
                        "ascii=\\u0041\\u0062\n"
                        "utf8=caf\xc3\xa9\n"),
            (Props{{"a", "\t\n\r\f|\\|=|:|#|!| |qz"},
                   {"key=with:separators and spaces", "v"},
                   {"#not-a-comment", "1"},
                   {"latin", "\xc3\xa9\xc3\xa9"},
                   {"euro", "\xe2\x82\xac"},
                   {"emoji", "\xf0\x9f\x98\x80"},
                   {"ascii", "Ab"},
                   {"utf8", "caf\xc3\xa9"}}));
}

TEST(PropertiesFileTest, MalformedEscapesNameTheFileAndLine) {
  struct Case {
    std::string content;
    std::string error;
  };
  const Case cases[] = {
      {"a=1\nb=\\u12\n", ":2: malformed \\uXXXX escape in the value of 'b'"},
      {"a=1\n\nb=\\u12g4\n", ":3: malformed \\uXXXX escape in the value of 'b'"},
      {"a=x,\\\n  y,\\\n  \\uZZZZ\n", ":3: malformed \\uXXXX escape in the value of 'a'"},
      {"k\\u00=v\n", ":1: malformed \\uXXXX escape in a key"},
      {"a=\\uD83D\n", ":1: unpaired UTF-16 surrogate in a \\uXXXX escape in the value of 'a'"},
      {"a=\\uDE00\\uD83D\n", ":1: unpaired UTF-16 surrogate"},
      {"a=1\n=v\n", ":2: empty key"},
      {"a=1\n  : v\n", ":2: empty key"},
  };
  for (const Case& c : cases) {
    const PropertiesFile file(c.content);
    EXPECT_THAT(file.read().status(),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(file.path() + c.error)))
        << c.content;
  }
}

TEST(PropertiesFileTest, ALaterLineOverridesAnEarlierOne) {
  EXPECT_THAT(read_or_die("a=1\nb=2\na=3\n"), UnorderedElementsAre(Pair("a", "3"), Pair("b", "2")));
}

TEST(PropertiesFileTest, AFileThatCannotBeReadIsAnIoError) {
  testing::TempDir dir;
  EXPECT_THAT(StreamsConfig::read_properties_file((dir.path() / "missing.properties").string()),
              StatusIs(StatusCode::kIo, HasSubstr("missing.properties")));
  EXPECT_THAT(StreamsConfig::read_properties_file(dir.path().string()),
              StatusIs(StatusCode::kIo, HasSubstr(dir.path().string())))
      << "a directory";
}

TEST(PropertiesFileTest, AFileReadsIntoAConfig) {
  const Result<Props> props = PropertiesFile(
                                  "# router\n"
                                  "application.id = router\n"
                                  "num.stream.threads: 2\n"
                                  "consumer.fetch.wait.max.ms 250\n"
                                  "bootstrap.servers = broker-1:9092,\\\n"
                                  "                    broker-2:9092\n")
                                  .read();
  ASSERT_THAT(props.status(), IsOk());
  const Result<StreamsConfig> config = StreamsConfig::from_properties(*props);
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->application_id, "router");
  EXPECT_EQ(config->num_stream_threads, 2);
  EXPECT_EQ(config->bootstrap_servers, "broker-1:9092,broker-2:9092");
  EXPECT_EQ(config->client_properties.at("consumer.fetch.wait.max.ms"), "250");
}

}  // namespace
}  // namespace kstreams
