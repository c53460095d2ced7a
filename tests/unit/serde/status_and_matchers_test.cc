// Status/Headers helpers (src/core) and the gMock matchers of <kstreams/test_matchers.h>.
// TODO(lead): move the Status and Headers cases to tests/unit/core once that folder has a target.
#include <optional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/headers.h>
#include <kstreams/status.h>
#include <kstreams/test_matchers.h>

namespace kstreams {
namespace {

using ::kstreams::testing::IsOk;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::testing::Eq;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusTest, CodeNames) {
  EXPECT_EQ(to_string(StatusCode::kOk), "ok");
  EXPECT_EQ(to_string(StatusCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(to_string(StatusCode::kTopology), "topology");
  EXPECT_EQ(to_string(StatusCode::kSerialization), "serialization");
  EXPECT_EQ(to_string(StatusCode::kProcessing), "processing");
  EXPECT_EQ(to_string(StatusCode::kNotFound), "not_found");
  EXPECT_EQ(to_string(StatusCode::kRetriable), "retriable");
  EXPECT_EQ(to_string(StatusCode::kTaskMigrated), "task_migrated");
  EXPECT_EQ(to_string(StatusCode::kTaskCorrupted), "task_corrupted");
  EXPECT_EQ(to_string(StatusCode::kTransactionAbortable), "transaction_abortable");
  EXPECT_EQ(to_string(StatusCode::kFatal), "fatal");
  EXPECT_EQ(to_string(StatusCode::kIo), "io");
  EXPECT_EQ(to_string(StatusCode::kTimeout), "timeout");
  EXPECT_EQ(to_string(StatusCode::kIllegalState), "illegal_state");
}

TEST(StatusTest, ToStringAndStream) {
  EXPECT_EQ(Status().to_string(), "ok");
  const Status error = serialization_error("int32: expected 4 bytes, got 3");
  EXPECT_EQ(error.to_string(), "serialization: int32: expected 4 bytes, got 3");
  std::ostringstream os;
  os << error << '|' << StatusCode::kTopology;
  EXPECT_EQ(os.str(), "serialization: int32: expected 4 bytes, got 3|topology");
}

TEST(StatusTest, WithContextPrefixesTheMessage) {
  const Status error = not_found("store 'counts'").with_context("task 0_1");
  EXPECT_EQ(error.code(), StatusCode::kNotFound);
  EXPECT_EQ(error.message(), "task 0_1: store 'counts'");
  EXPECT_TRUE(Status().with_context("ignored").ok());
}

TEST(StatusTest, ShorthandsSetTheirCode) {
  EXPECT_EQ(invalid_argument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(topology_error("x").code(), StatusCode::kTopology);
  EXPECT_EQ(serialization_error("x").code(), StatusCode::kSerialization);
  EXPECT_EQ(not_found("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(illegal_state("x").code(), StatusCode::kIllegalState);
  EXPECT_EQ(illegal_state("x").message(), "x");
}

TEST(HeadersTest, LastHeaderAndValue) {
  Headers headers{{"a", Bytes("1")}, {"b", std::nullopt}, {"a", Bytes("2")}};
  ASSERT_NE(headers.last_header("a"), nullptr);
  EXPECT_EQ(headers.last_header("a")->value, NullableBytes("2"));
  EXPECT_EQ(headers.last_value("a"), std::optional<std::string>("2"));
  EXPECT_EQ(headers.last_value("b"), std::nullopt);  // present but null
  EXPECT_EQ(headers.last_header("c"), nullptr);
  EXPECT_EQ(headers.last_value("c"), std::nullopt);
}

TEST(HeadersTest, RemoveDropsEveryHeaderWithTheKey) {
  Headers headers{{"a", Bytes("1")}, {"b", Bytes("x")}, {"a", Bytes("2")}};
  headers.remove("a").remove("missing");
  EXPECT_EQ(headers, (Headers{{"b", Bytes("x")}}));
}

Result<int> half(int value) {
  if (value % 2 != 0) return invalid_argument("odd: " + std::to_string(value));
  return value / 2;
}

TEST(TestMatchersTest, IsOkMatchesStatusAndResult) {
  EXPECT_THAT(Status(), IsOk());
  EXPECT_THAT(half(4), IsOk());
  EXPECT_THAT(half(3), Not(IsOk()));
  EXPECT_THAT(topology_error("x"), Not(IsOk()));
  EXPECT_OK(half(2));
}

TEST(TestMatchersTest, StatusIsComparesCodeAndMessage) {
  EXPECT_THAT(half(3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(half(3), StatusIs(StatusCode::kInvalidArgument, "odd: 3"));
  EXPECT_THAT(half(3), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_THAT(half(3), Not(StatusIs(StatusCode::kSerialization)));
  EXPECT_THAT(half(2), StatusIs(StatusCode::kOk));
  EXPECT_THAT(serialization_error("x"), StatusIs(StatusCode::kSerialization, Not(HasSubstr("y"))));
}

TEST(TestMatchersTest, IsOkAndHoldsAppliesTheInnerMatcher) {
  EXPECT_THAT(half(4), IsOkAndHolds(2));
  EXPECT_THAT(half(4), IsOkAndHolds(Gt(1)));
  EXPECT_THAT(half(4), Not(IsOkAndHolds(Eq(3))));
  EXPECT_THAT(half(3), Not(IsOkAndHolds(::testing::_)));
}

TEST(TestMatchersTest, FailureMessagesShowTheError) {
  ::testing::StringMatchResultListener listener;
  const ::testing::Matcher<const Result<int>&> matcher = IsOkAndHolds(1);
  EXPECT_FALSE(matcher.MatchAndExplain(half(3), &listener));
  EXPECT_THAT(listener.str(), HasSubstr("invalid_argument: odd: 3"));
  EXPECT_THAT(::testing::DescribeMatcher<Result<int>>(IsOkAndHolds(1)),
              HasSubstr("is OK and holds a value that is equal to 1"));
}

TEST(TestMatchersTest, AssertOkAndAssignBindsTheValue) {
  ASSERT_OK_AND_ASSIGN(int value, half(10));
  EXPECT_EQ(value, 5);
  ASSERT_OK_AND_ASSIGN(value, half(8));
  EXPECT_EQ(value, 4);
  ASSERT_OK(Status());
}

}  // namespace
}  // namespace kstreams
