// Unit tests of src/kafka/error.h: the one table that turns librdkafka errors into Status codes.
#include "src/kafka/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/test_matchers.h>

namespace kstreams::kafka {
namespace {

using kstreams::testing::IsOk;
using kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

struct Case {
  rd_kafka_resp_err_t err;
  StatusCode expected;
};

class ErrorCodeTable : public ::testing::TestWithParam<Case> {};

TEST_P(ErrorCodeTable, MapsCodeToStatus) {
  const Case c = GetParam();
  EXPECT_EQ(status_code_for(c.err), c.expected) << rd_kafka_err2name(c.err);
  EXPECT_THAT(to_status(c.err, "ctx"),
              StatusIs(c.expected, AllOf(HasSubstr("ctx: "), HasSubstr(rd_kafka_err2name(c.err)),
                                         HasSubstr(rd_kafka_err2str(c.err)))));
}

INSTANTIATE_TEST_SUITE_P(
    Kafka, ErrorCodeTable,
    ::testing::Values(
        // Fenced or kicked out of the group.
        Case{RD_KAFKA_RESP_ERR__FENCED, StatusCode::kTaskMigrated},
        Case{RD_KAFKA_RESP_ERR_PRODUCER_FENCED, StatusCode::kTaskMigrated},
        Case{RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, StatusCode::kTaskMigrated},
        Case{RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, StatusCode::kTaskMigrated},
        Case{RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, StatusCode::kTaskMigrated},
        Case{RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED, StatusCode::kTaskMigrated},
        // Fatal.
        Case{RD_KAFKA_RESP_ERR__FATAL, StatusCode::kFatal},
        Case{RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, StatusCode::kFatal},
        Case{RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, StatusCode::kFatal},
        // Transient.
        Case{RD_KAFKA_RESP_ERR__TRANSPORT, StatusCode::kRetriable},
        Case{RD_KAFKA_RESP_ERR__QUEUE_FULL, StatusCode::kRetriable},
        Case{RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, StatusCode::kRetriable},
        Case{RD_KAFKA_RESP_ERR_NOT_COORDINATOR, StatusCode::kRetriable},
        Case{RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, StatusCode::kRetriable},
        Case{RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, StatusCode::kRetriable},
        // Timeouts.
        Case{RD_KAFKA_RESP_ERR__TIMED_OUT, StatusCode::kTimeout},
        Case{RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, StatusCode::kTimeout},
        Case{RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, StatusCode::kTimeout},
        // The rest.
        Case{RD_KAFKA_RESP_ERR__INVALID_ARG, StatusCode::kInvalidArgument},
        Case{RD_KAFKA_RESP_ERR__STATE, StatusCode::kIllegalState},
        Case{RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, StatusCode::kIo},
        Case{RD_KAFKA_RESP_ERR__BAD_MSG, StatusCode::kIo}));

TEST(KafkaErrorTest, NoErrorIsOk) {
  EXPECT_THAT(to_status(RD_KAFKA_RESP_ERR_NO_ERROR, "ctx"), IsOk());
  EXPECT_THAT(to_status(ErrorPtr()), IsOk());
  EXPECT_THAT(to_status(ErrorPtr()), IsOk());
  EXPECT_EQ(status_code_for(RD_KAFKA_RESP_ERR_NO_ERROR), StatusCode::kOk);
}

TEST(KafkaErrorTest, MessageWithoutContextStartsWithText) {
  const Status status = to_status(RD_KAFKA_RESP_ERR__TIMED_OUT);
  EXPECT_EQ(status.message(), "Local: Timed out (_TIMED_OUT)");
}

ErrorPtr make_error(rd_kafka_resp_err_t err, const char* text) {
  return ErrorPtr(rd_kafka_error_new(err, "%s", text));
}

TEST(KafkaErrorTest, ErrorObjectUsesItsOwnText) {
  EXPECT_THAT(to_status(make_error(RD_KAFKA_RESP_ERR__STATE, "no transaction"), "commit"),
              StatusIs(StatusCode::kIllegalState, "commit: no transaction (_STATE)"));
}

// rd_kafka_error_new gives plain errors; the flags are set by librdkafka's transactional API.
// The flag rules are covered through the codes' own classes here and by integration tests.
TEST(KafkaErrorTest, ErrorObjectCodesFollowTheTable) {
  EXPECT_THAT(to_status(make_error(RD_KAFKA_RESP_ERR__FENCED, "fenced")),
              StatusIs(StatusCode::kTaskMigrated, HasSubstr("_FENCED")));
  EXPECT_THAT(to_status(make_error(RD_KAFKA_RESP_ERR_NOT_COORDINATOR, "moved")),
              StatusIs(StatusCode::kRetriable));
  EXPECT_THAT(to_status(make_error(RD_KAFKA_RESP_ERR__TIMED_OUT, "slow")),
              StatusIs(StatusCode::kTimeout));
  EXPECT_THAT(to_status(make_error(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, "big")),
              StatusIs(StatusCode::kIo));
}

TEST(KafkaErrorTest, ParsesErrorCodesByNameOrNumber) {
  EXPECT_THAT(parse_error_code("NOT_LEADER_FOR_PARTITION"),
              kstreams::testing::IsOkAndHolds(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
  EXPECT_THAT(parse_error_code("RD_KAFKA_RESP_ERR__TRANSPORT"),
              kstreams::testing::IsOkAndHolds(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_THAT(parse_error_code("-195"),
              kstreams::testing::IsOkAndHolds(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_THAT(parse_error_code("6"),
              kstreams::testing::IsOkAndHolds(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
  EXPECT_THAT(parse_error_code("NO_SUCH_ERROR"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("NO_SUCH_ERROR")));
  EXPECT_THAT(parse_error_code(""), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kstreams::kafka
