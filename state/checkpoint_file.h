// File: state/checkpoint_file.h (private)
//
// The `.checkpoint` file of a task directory (Kafka Streams' OffsetCheckpoint): for each
// changelog partition of the task's persistent stores, the offset the local state reflects, so
// that restoration starts there instead of at the beginning of the changelog. Text, as Kafka's:
//
//   0                      format version
//   2                      number of entries
//   app-counts-changelog 3 1234
//   app-sums-changelog 3 99
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <kstreams/status.h>

namespace kstreams::internal {

/// One changelog partition and the offset the local store reflects.
struct CheckpointEntry {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;

  friend bool operator==(const CheckpointEntry&, const CheckpointEntry&) = default;
};

/// The entries of `task_dir`/.checkpoint. A missing file is an empty checkpoint (restore
/// everything). A file that does not parse (unknown version, truncated, wrong count, trailing
/// data) is kTaskCorrupted: the caller restores from scratch rather than trust it. kIo when the
/// file exists but cannot be read.
Result<std::vector<CheckpointEntry>> read_checkpoint(const std::filesystem::path& task_dir);

/// Replaces `task_dir`/.checkpoint atomically: a temporary file is written and fsynced, renamed
/// over the old one, and the directory is fsynced; a crash leaves the old or the new file, never
/// a mix. kInvalidArgument for a topic name that is empty or contains white space; kIo on a file
/// error.
Status write_checkpoint(const std::filesystem::path& task_dir,
                        std::span<const CheckpointEntry> entries);

}  // namespace kstreams::internal
