// File: state/state_directory.h (private)
//
// The on-disk layout of one application's state (Kafka Streams' StateDirectory):
//
//   <state.dir>/<application.id>/<task id>/.lock          held while a thread owns the task
//   <state.dir>/<application.id>/<task id>/.checkpoint    changelog offsets (checkpoint_file.h)
//   <state.dir>/<application.id>/<task id>/<store name>/  one RocksDB store
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <kstreams/status.h>

namespace kstreams::internal {

/// Exclusive ownership of one task directory: an flock(LOCK_EX) on its `.lock` file, released
/// when this object is destroyed. flock locks belong to an open file description, so a second
/// lock of the same task fails even within one process (another stream thread) as well as from
/// another instance on the host. Movable, not copyable; not thread-safe.
class TaskDirectoryLock {
 public:
  TaskDirectoryLock(TaskDirectoryLock&& other) noexcept;
  TaskDirectoryLock& operator=(TaskDirectoryLock&& other) noexcept;
  TaskDirectoryLock(const TaskDirectoryLock&) = delete;
  TaskDirectoryLock& operator=(const TaskDirectoryLock&) = delete;
  ~TaskDirectoryLock();

  [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }
  /// Releases the lock now (idempotent).
  void release();

 private:
  friend class StateDirectory;
  TaskDirectoryLock(std::filesystem::path directory, int fd)
      : directory_(std::move(directory)), fd_(fd) {}

  std::filesystem::path directory_;
  int fd_ = -1;
};

/// `state.dir/<application.id>/`, created on open. Cheap to copy; thread-safe (it holds only a
/// path; the locks it hands out are the synchronisation).
class StateDirectory {
 public:
  /// Creates `state_dir/application_id/` if needed. kInvalidArgument for an empty or
  /// path-like application id, kIo when the directories cannot be created.
  static Result<StateDirectory> open(std::filesystem::path state_dir, std::string application_id);

  /// `state.dir/<application.id>`.
  [[nodiscard]] const std::filesystem::path& application_directory() const { return root_; }
  /// The directory of task `task_id` ("0_3"); not created here.
  [[nodiscard]] std::filesystem::path task_directory(std::string_view task_id) const;

  /// Creates the task directory if needed and locks it. kRetriable with a message saying the
  /// directory is locked by another instance or thread when it is held; kIo on a file error.
  Result<TaskDirectoryLock> lock_task(std::string_view task_id);

  /// Removes everything in the task directory (stores, checkpoint) except its lock file, which
  /// the caller must hold: kIllegalState when nobody holds it.
  Status wipe_task(std::string_view task_id);

 private:
  explicit StateDirectory(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace kstreams::internal
