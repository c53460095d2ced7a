// Task directory locks and checkpoint files.
#include "state/state_directory.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/test_matchers.h>

#include "state/checkpoint_file.h"
#include "tests/unit/state/temp_dir.h"

namespace kstreams::internal {
namespace {

namespace fs = std::filesystem;
using ::kstreams::testing::IsOk;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::kstreams::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

TEST(StateDirectoryTest, LayoutIsStateDirApplicationIdTask) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(StateDirectory state, StateDirectory::open(dir.path() / "state", "app"));
  EXPECT_TRUE(fs::is_directory(dir.path() / "state" / "app"));
  EXPECT_EQ(state.task_directory("0_3"), dir.path() / "state" / "app" / "0_3");
  EXPECT_THAT(StateDirectory::open(dir.path(), "../evil"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(StateDirectory::open(dir.path(), ""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(StateDirectoryTest, ATaskCanBeLockedOnlyOnceEvenWithinOneProcess) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(StateDirectory state, StateDirectory::open(dir.path(), "app"));
  ASSERT_OK_AND_ASSIGN(StateDirectory other_instance, StateDirectory::open(dir.path(), "app"));
  {
    ASSERT_OK_AND_ASSIGN(TaskDirectoryLock lock, state.lock_task("0_1"));
    EXPECT_TRUE(fs::is_directory(lock.directory()));
    EXPECT_THAT(
        other_instance.lock_task("0_1"),
        StatusIs(StatusCode::kRetriable, HasSubstr("locked by another instance or thread")));
    EXPECT_THAT(state.lock_task("0_1"), StatusIs(StatusCode::kRetriable));
    EXPECT_THAT(state.lock_task("0_2"), IsOk());  // Other tasks are independent.

    TaskDirectoryLock moved = std::move(lock);  // Still held after a move.
    EXPECT_THAT(state.lock_task("0_1"), StatusIs(StatusCode::kRetriable));
  }
  EXPECT_THAT(other_instance.lock_task("0_1"), IsOk());
}

TEST(StateDirectoryTest, ReleaseFreesTheLockAtOnce) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(StateDirectory state, StateDirectory::open(dir.path(), "app"));
  ASSERT_OK_AND_ASSIGN(TaskDirectoryLock lock, state.lock_task("1_0"));
  lock.release();
  lock.release();
  EXPECT_THAT(state.lock_task("1_0"), IsOk());
}

TEST(StateDirectoryTest, WipeRemovesStoresAndCheckpointButNeedsTheLock) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(StateDirectory state, StateDirectory::open(dir.path(), "app"));
  const fs::path task = state.task_directory("0_0");
  fs::create_directories(task / "store");
  write_file(task / "store" / "data", "x");
  const std::vector<CheckpointEntry> entries = {{"app-store-changelog", 0, 42}};
  ASSERT_OK(write_checkpoint(task, entries));

  EXPECT_THAT(state.wipe_task("0_0"), StatusIs(StatusCode::kIllegalState, HasSubstr("locked")));
  EXPECT_TRUE(fs::exists(task / "store"));

  ASSERT_OK_AND_ASSIGN(TaskDirectoryLock lock, state.lock_task("0_0"));
  ASSERT_OK(state.wipe_task("0_0"));
  EXPECT_FALSE(fs::exists(task / "store"));
  EXPECT_THAT(read_checkpoint(task), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(state.lock_task("0_0"), StatusIs(StatusCode::kRetriable));  // Lock survived.
}

TEST(CheckpointFileTest, RoundTrip) {
  TempDir dir;
  const std::vector<CheckpointEntry> entries = {
      {"app-counts-changelog", 3, 1234}, {"app-sums-changelog", 0, -1}, {"t.x_y-z", 2147483647, 0}};
  ASSERT_OK(write_checkpoint(dir.path(), entries));
  EXPECT_THAT(read_checkpoint(dir.path()), IsOkAndHolds(entries));

  const std::vector<CheckpointEntry> replaced = {{"app-counts-changelog", 3, 2000}};
  ASSERT_OK(write_checkpoint(dir.path(), replaced));
  EXPECT_THAT(read_checkpoint(dir.path()), IsOkAndHolds(replaced));
  ASSERT_OK(write_checkpoint(dir.path(), {}));
  EXPECT_THAT(read_checkpoint(dir.path()), IsOkAndHolds(IsEmpty()));
}

TEST(CheckpointFileTest, TheFormatIsKafkasText) {
  TempDir dir;
  const std::vector<CheckpointEntry> entries = {{"a", 1, 2}, {"b", 3, 4}};
  ASSERT_OK(write_checkpoint(dir.path(), entries));
  std::ifstream in(dir.path() / ".checkpoint");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "0\n2\na 1 2\nb 3 4\n");
}

TEST(CheckpointFileTest, MissingFileIsAnEmptyCheckpoint) {
  TempDir dir;
  EXPECT_THAT(read_checkpoint(dir.path()), IsOkAndHolds(IsEmpty()));
}

TEST(CheckpointFileTest, AtomicWriteLeavesNoTemporaryFile) {
  TempDir dir;
  const std::vector<CheckpointEntry> entries = {{"a", 0, 1}};
  ASSERT_OK(write_checkpoint(dir.path(), entries));
  std::vector<std::string> names;
  for (const auto& file : fs::directory_iterator(dir.path())) {
    names.push_back(file.path().filename().string());
  }
  EXPECT_THAT(names, ElementsAre(".checkpoint"));
}

TEST(CheckpointFileTest, UnwritableTopicNameIsRejected) {
  TempDir dir;
  const std::vector<CheckpointEntry> entries = {{"has space", 0, 1}};
  EXPECT_THAT(write_checkpoint(dir.path(), entries), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(dir.path() / ".checkpoint"));
}

TEST(CheckpointFileTest, MissingDirectoryIsAnIoError) {
  TempDir dir;
  const std::vector<CheckpointEntry> entries = {{"a", 0, 1}};
  EXPECT_THAT(write_checkpoint(dir.path() / "nope", entries), StatusIs(StatusCode::kIo));
}

class CorruptCheckpointTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptCheckpointTest, IsTaskCorruptedNeverWrongOffsets) {
  TempDir dir;
  write_file(dir.path() / ".checkpoint", GetParam());
  EXPECT_THAT(read_checkpoint(dir.path()),
              StatusIs(StatusCode::kTaskCorrupted, HasSubstr(".checkpoint")));
}

INSTANTIATE_TEST_SUITE_P(Files, CorruptCheckpointTest,
                         ::testing::Values("",                // empty
                                           "1\n1\na 0 5\n",   // unknown version
                                           "0\n",             // no count
                                           "0\n2\na 0 5\n",   // truncated: one entry missing
                                           "0\n1\na 0 5",     // truncated: no final newline
                                           "0\n1\na 0\n",     // missing offset
                                           "0\n1\na x 5\n",   // partition not a number
                                           "0\n1\na 0 5x\n",  // offset with junk
                                           "0\n1\na 0 99999999999999999999\n",  // offset overflows
                                           "0\n1\na 0 5\nb 0 6\n",  // more lines than counted
                                           "0\n-1\n"));             // negative count

}  // namespace
}  // namespace kstreams::internal
