#include "state/state_directory.h"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <sys/file.h>

#include <fcntl.h>
#include <unistd.h>

namespace kstreams::internal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLockFileName = ".lock";

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

bool is_plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

/// Opens the task's lock file and tries to lock it: the fd on success, -1 with `error` set.
int try_lock(const fs::path& lock_file, int& error) {
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = errno;
    return -1;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    error = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

TaskDirectoryLock::TaskDirectoryLock(TaskDirectoryLock&& other) noexcept
    : directory_(std::move(other.directory_)), fd_(std::exchange(other.fd_, -1)) {}

TaskDirectoryLock& TaskDirectoryLock::operator=(TaskDirectoryLock&& other) noexcept {
  if (this != &other) {
    release();
    directory_ = std::move(other.directory_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

TaskDirectoryLock::~TaskDirectoryLock() { release(); }

void TaskDirectoryLock::release() {
  if (fd_ < 0) return;
  // The lock file stays: deleting it would let two lockers hold locks on different inodes.
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

Result<StateDirectory> StateDirectory::open(fs::path state_dir, std::string application_id) {
  if (!is_plain_name(application_id)) {
    return invalid_argument("state directory: application.id '" + application_id +
                            "' cannot name a directory");
  }
  fs::path root = std::move(state_dir) / application_id;
  std::error_code error;
  fs::create_directories(root, error);
  if (error) {
    return Status(StatusCode::kIo,
                  "cannot create state directory " + root.string() + ": " + error.message());
  }
  return StateDirectory(std::move(root));
}

fs::path StateDirectory::task_directory(std::string_view task_id) const {
  return root_ / fs::path(task_id);
}

Result<TaskDirectoryLock> StateDirectory::lock_task(std::string_view task_id) {
  if (!is_plain_name(task_id)) {
    return invalid_argument("state directory: task id '" + std::string(task_id) + "' is invalid");
  }
  fs::path directory = task_directory(task_id);
  std::error_code create_error;
  fs::create_directories(directory, create_error);
  if (create_error) {
    return Status(StatusCode::kIo, "cannot create task directory " + directory.string() + ": " +
                                       create_error.message());
  }
  int error = 0;
  int fd = try_lock(directory / kLockFileName, error);
  if (fd < 0) {
    if (error == EWOULDBLOCK) {
      return Status(StatusCode::kRetriable, "task directory " + directory.string() +
                                                " is locked by another instance or thread");
    }
    return Status(StatusCode::kIo,
                  "cannot lock task directory " + directory.string() + ": " + errno_text(error));
  }
  return TaskDirectoryLock(std::move(directory), fd);
}

Status StateDirectory::wipe_task(std::string_view task_id) {
  if (!is_plain_name(task_id)) {
    return invalid_argument("state directory: task id '" + std::string(task_id) + "' is invalid");
  }
  fs::path directory = task_directory(task_id);
  std::error_code error;
  if (!fs::exists(directory, error)) return Status();
  // A lock we can take means nobody held it: wiping then would race with whoever locks next.
  int lock_error = 0;
  int fd = try_lock(directory / kLockFileName, lock_error);
  if (fd >= 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return illegal_state("wipe_task(" + std::string(task_id) + "): the task directory " +
                         directory.string() + " must be locked by the caller");
  }
  if (lock_error != EWOULDBLOCK) {
    return Status(StatusCode::kIo,
                  "cannot check the lock of " + directory.string() + ": " + errno_text(lock_error));
  }
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (it->path().filename() == kLockFileName) continue;
    std::error_code remove_error;
    fs::remove_all(it->path(), remove_error);
    if (remove_error) {
      return Status(StatusCode::kIo,
                    "cannot remove " + it->path().string() + ": " + remove_error.message());
    }
  }
  if (error) {
    return Status(StatusCode::kIo, "cannot list " + directory.string() + ": " + error.message());
  }
  return Status();
}

}  // namespace kstreams::internal
