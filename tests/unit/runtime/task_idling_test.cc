// max.task.idle.ms as Kafka Streams reads it (KIP-695): when a task whose inputs are not all
// buffered may process.
#include "src/runtime/task_idling.h"

#include <gtest/gtest.h>

namespace kstreams::internal {
namespace {

constexpr EmptyInputs kAllBuffered{};
constexpr EmptyInputs kOneLagging{.lagging = 1, .caught_up = 0};
constexpr EmptyInputs kOneCaughtUp{.lagging = 0, .caught_up = 1};
constexpr EmptyInputs kOneOfEach{.lagging = 1, .caught_up = 1};

TEST(TaskIdlingTest, ATaskWithEveryInputBufferedProcesses) {
  for (const std::int64_t idle : {-1, 0, 500}) {
    TaskIdling idling(idle);
    EXPECT_TRUE(idling.ready(kAllBuffered, 1000)) << idle;
  }
}

TEST(TaskIdlingTest, MinusOneNeverWaits) {
  TaskIdling idling(-1);
  EXPECT_TRUE(idling.ready(kOneLagging, 1000));
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 1000));
}

TEST(TaskIdlingTest, ZeroWaitsOnlyForRecordsThatMayBeOnTheBroker) {
  TaskIdling idling(0);
  EXPECT_FALSE(idling.ready(kOneLagging, 1000));
  EXPECT_FALSE(idling.ready(kOneOfEach, 1000)) << "one lagging input is enough to wait";
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 1000));
}

TEST(TaskIdlingTest, APositiveIdleTimeCountsFromWhenTheEmptyInputsAreCaughtUp) {
  TaskIdling idling(500);
  EXPECT_FALSE(idling.ready(kOneLagging, 1000));
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 2000)) << "the wait starts now";
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 2499));
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 2500));
}

TEST(TaskIdlingTest, RecordsOrLagOnTheWayStartTheWaitAnew) {
  TaskIdling idling(500);
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 1000));
  EXPECT_TRUE(idling.ready(kAllBuffered, 1200));
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 1600)) << "buffered again: a new wait";
  EXPECT_FALSE(idling.ready(kOneLagging, 2200));
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 2300)) << "lagging meanwhile: a new wait";
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 2800));
}

// The wait is owed per empty input: after one expired, a task that ran dry and then has another
// input empty waits anew (Kafka Streams keeps a deadline per partition).
TEST(TaskIdlingTest, ATaskThatRanDryOwesTheNextEmptyInputAWholeWait) {
  TaskIdling idling(500);
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 1000));
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 1500));
  idling.restart();  // nothing buffered any more
  EXPECT_FALSE(idling.ready(kOneCaughtUp, 1600));
  EXPECT_TRUE(idling.ready(kOneCaughtUp, 2100));
}

}  // namespace
}  // namespace kstreams::internal
