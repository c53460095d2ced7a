// PendingCommits: at-least-once offsets become committable only once every output sent before
// them is acknowledged, in epoch order.
#include "src/runtime/pending_commits.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kstreams::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

kafka::TopicPartition tp(const char* topic, std::int32_t partition, std::int64_t offset) {
  return kafka::TopicPartition{topic, partition, offset};
}

TEST(PendingCommitsTest, OffsetsWaitForTheOutputsSentBeforeThem) {
  PendingCommits pending;
  void* a = pending.tag_for_send();
  void* b = pending.tag_for_send();
  pending.close_epoch({tp("in", 0, 10)});
  EXPECT_TRUE(pending.has_closed());
  EXPECT_THAT(pending.take_committable(), IsEmpty()) << "two outputs in flight";
  pending.on_delivery(a);
  EXPECT_THAT(pending.take_committable(), IsEmpty()) << "one output in flight";
  pending.on_delivery(b);
  EXPECT_THAT(pending.take_committable(), ElementsAre(tp("in", 0, 10)));
  EXPECT_FALSE(pending.has_closed());
  EXPECT_THAT(pending.take_committable(), IsEmpty()) << "taken once";
}

TEST(PendingCommitsTest, AnEpochWithoutOutputsIsCommittableAtOnce) {
  PendingCommits pending;
  pending.close_epoch({tp("in", 0, 3), tp("in", 1, 7)});
  EXPECT_THAT(pending.take_committable(), UnorderedElementsAre(tp("in", 0, 3), tp("in", 1, 7)));
}

TEST(PendingCommitsTest, OutputsSentAfterACommitPointDoNotHoldItBack) {
  PendingCommits pending;
  pending.close_epoch({tp("in", 0, 5)});
  void* later = pending.tag_for_send();
  EXPECT_THAT(pending.take_committable(), ElementsAre(tp("in", 0, 5)));
  EXPECT_EQ(pending.in_flight(), 1);
  pending.on_delivery(later);
  EXPECT_EQ(pending.in_flight(), 0);
}

TEST(PendingCommitsTest, ALaterEpochWaitsForAnEarlierOneAndTheLatestOffsetWins) {
  PendingCommits pending;
  void* first = pending.tag_for_send();
  pending.close_epoch({tp("in", 0, 10), tp("in", 1, 4)});
  void* second = pending.tag_for_send();
  pending.close_epoch({tp("in", 0, 20)});
  pending.on_delivery(second);
  EXPECT_THAT(pending.take_committable(), IsEmpty())
      << "the second epoch's outputs are acknowledged, the first one's are not";
  pending.on_delivery(first);
  EXPECT_THAT(pending.take_committable(), UnorderedElementsAre(tp("in", 0, 20), tp("in", 1, 4)));
}

TEST(PendingCommitsTest, DroppedOffsetsAreNeverReturnedAndLateReportsAreHarmless) {
  PendingCommits pending;
  void* in_flight = pending.tag_for_send();
  pending.close_epoch({tp("in", 0, 10)});
  pending.drop_closed_offsets();   // e.g. partitions lost, or a flushing commit superseded them
  pending.on_delivery(in_flight);  // its epoch still exists: the tag is valid
  EXPECT_THAT(pending.take_committable(), IsEmpty());
  EXPECT_FALSE(pending.has_closed());
  pending.close_epoch({tp("in", 0, 12)});
  EXPECT_THAT(pending.take_committable(), ElementsAre(tp("in", 0, 12)));
}

TEST(PendingCommitsTest, UntaggedReportsAreIgnored) {
  PendingCommits pending;
  pending.tag_for_send();
  pending.on_delivery(nullptr);
  EXPECT_EQ(pending.in_flight(), 1);
}

}  // namespace
}  // namespace kstreams::internal
