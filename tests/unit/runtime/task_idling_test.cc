// max.task.idle.ms as Kafka Streams reads it (KIP-695): when a task whose inputs are not all
// buffered may process. Each input holds the task back on its own, with its own deadline.
#include "src/runtime/task_idling.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace kstreams::internal {
namespace {

constexpr InputState kBuffered = InputState::kBuffered;
constexpr InputState kLagging = InputState::kLagging;
constexpr InputState kCaughtUp = InputState::kCaughtUp;

// One round of the stream thread: every input's state at `now_ms`; whether the task may process.
bool ready(TaskIdling& idling, const std::vector<InputState>& inputs, std::int64_t now_ms) {
  bool held = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) held |= !idling.admits(i, inputs[i], now_ms);
  return !held;
}

TEST(TaskIdlingTest, ATaskWithEveryInputBufferedProcesses) {
  for (const std::int64_t idle : {-1, 0, 500}) {
    TaskIdling idling(idle);
    EXPECT_TRUE(ready(idling, {kBuffered, kBuffered}, 1000)) << idle;
  }
}

TEST(TaskIdlingTest, MinusOneNeverWaits) {
  TaskIdling idling(-1);
  EXPECT_TRUE(ready(idling, {kBuffered, kLagging}, 1000));
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 1000));
}

TEST(TaskIdlingTest, ZeroWaitsOnlyForRecordsThatMayBeOnTheBroker) {
  TaskIdling idling(0);
  EXPECT_FALSE(ready(idling, {kBuffered, kLagging}, 1000));
  EXPECT_FALSE(ready(idling, {kBuffered, kLagging, kCaughtUp}, 1000))
      << "one lagging input is enough to wait";
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 1000));
}

TEST(TaskIdlingTest, APositiveIdleTimeCountsFromWhenTheInputIsSeenCaughtUp) {
  TaskIdling idling(500);
  EXPECT_FALSE(ready(idling, {kBuffered, kLagging}, 1000));
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 2000)) << "the wait starts now";
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 2499));
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 2500));
}

TEST(TaskIdlingTest, RecordsOrLagOnTheWayStartTheInputsWaitAnew) {
  TaskIdling idling(500);
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 1000));
  EXPECT_TRUE(ready(idling, {kBuffered, kBuffered}, 1200));
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 1600)) << "buffered again: a new wait";
  EXPECT_FALSE(ready(idling, {kBuffered, kLagging}, 2200));
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 2300)) << "lagging meanwhile: a new wait";
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 2800));
}

// Input 0's wait does not count for input 1: it is owed a whole wait of its own.
TEST(TaskIdlingTest, EachEmptyInputIsOwedItsOwnWait) {
  TaskIdling idling(100);
  EXPECT_FALSE(ready(idling, {kCaughtUp, kBuffered}, 0));
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 30)) << "input 1 waits from 30";
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 100));
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 130));
}

// As in Kafka Streams, an input's wait runs while it is caught up and empty, whether or not the
// task has anything to process meanwhile. (Kafka Streams would not start input 1's wait while
// input 0, before it, lags: it stops looking at the first lagging input. kstreams looks at all.)
TEST(TaskIdlingTest, AnInputsWaitRunsWhileTheTaskHasNothingBuffered) {
  TaskIdling idling(100);
  EXPECT_FALSE(ready(idling, {kLagging, kCaughtUp}, 0));
  EXPECT_FALSE(ready(idling, {kLagging, kCaughtUp}, 50));
  EXPECT_TRUE(ready(idling, {kBuffered, kCaughtUp}, 100)) << "input 1 has waited since 0";
}

TEST(TaskIdlingTest, AHugeIdleTimeWaitsWithoutOverflowing) {
  TaskIdling idling(INT64_MAX);
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, 1000));
  EXPECT_FALSE(ready(idling, {kBuffered, kCaughtUp}, INT64_MAX - 1));
}

}  // namespace
}  // namespace kstreams::internal
