#include "state/checkpoint_file.h"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace kstreams::internal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCheckpointFileName = ".checkpoint";
constexpr const char* kTemporaryFileName = ".checkpoint.tmp";
constexpr std::string_view kVersion = "0";

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

template <class Int>
bool parse_int(std::string_view text, Int& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

/// Splits off the next '\n'-terminated line; false when there is none (a truncated file).
bool next_line(std::string_view& rest, std::string_view& line) {
  std::size_t end = rest.find('\n');
  if (end == std::string_view::npos) return false;
  line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return true;
}

bool valid_topic(std::string_view topic) {
  return !topic.empty() && topic.find_first_of(" \t\r\n") == std::string_view::npos;
}

Status write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kIo, "cannot write " + path.string() + ": " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status();
}

Status fsync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    return Status(StatusCode::kIo, "cannot open " + path.string() + ": " + errno_text(errno));
  }
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) {
    return Status(StatusCode::kIo, "cannot fsync " + path.string() + ": " + errno_text(error));
  }
  return Status();
}

}  // namespace

Result<std::vector<CheckpointEntry>> read_checkpoint(const fs::path& task_dir) {
  const fs::path path = task_dir / kCheckpointFileName;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code error;
    if (!fs::exists(path, error) && !error) return std::vector<CheckpointEntry>();
    return Status(StatusCode::kIo, "cannot open checkpoint " + path.string());
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status(StatusCode::kIo, "cannot read checkpoint " + path.string());
  const std::string content = buffer.str();

  auto corrupt = [&path](const std::string& why) {
    return Status(StatusCode::kTaskCorrupted, "checkpoint " + path.string() + " is corrupt (" +
                                                  why + "); restore from scratch");
  };
  std::string_view rest = content;
  std::string_view line;
  if (!next_line(rest, line)) return corrupt("no version line");
  if (line != kVersion) return corrupt("unknown version '" + std::string(line) + "'");
  std::size_t count = 0;
  if (!next_line(rest, line) || !parse_int(line, count)) return corrupt("bad entry count");

  std::vector<CheckpointEntry> entries;
  for (std::size_t i = 0; i < count; ++i) {
    if (!next_line(rest, line))
      return corrupt("truncated: expected " + std::to_string(count) + " entries");
    std::size_t first_space = line.find(' ');
    std::size_t second_space =
        first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
    if (second_space == std::string_view::npos) return corrupt("bad entry line");
    CheckpointEntry entry;
    entry.topic = std::string(line.substr(0, first_space));
    if (!valid_topic(entry.topic) ||
        !parse_int(line.substr(first_space + 1, second_space - first_space - 1), entry.partition) ||
        !parse_int(line.substr(second_space + 1), entry.offset)) {
      return corrupt("bad entry line");
    }
    entries.push_back(std::move(entry));
  }
  if (!rest.empty()) return corrupt("data after the last entry");
  return entries;
}

Status write_checkpoint(const fs::path& task_dir, std::span<const CheckpointEntry> entries) {
  std::string content;
  content.append(kVersion).append("\n").append(std::to_string(entries.size())).append("\n");
  for (const CheckpointEntry& entry : entries) {
    if (!valid_topic(entry.topic)) {
      return invalid_argument("checkpoint: topic name '" + entry.topic + "' is not writable");
    }
    content.append(entry.topic)
        .append(" ")
        .append(std::to_string(entry.partition))
        .append(" ")
        .append(std::to_string(entry.offset))
        .append("\n");
  }

  const fs::path temporary = task_dir / kTemporaryFileName;
  const fs::path target = task_dir / kCheckpointFileName;
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(StatusCode::kIo,
                  "cannot create " + temporary.string() + ": " + errno_text(errno));
  }
  Status status = write_all(fd, content, temporary);
  if (status.ok() && ::fsync(fd) != 0) {
    status =
        Status(StatusCode::kIo, "cannot fsync " + temporary.string() + ": " + errno_text(errno));
  }
  if (::close(fd) != 0 && status.ok()) {
    status =
        Status(StatusCode::kIo, "cannot close " + temporary.string() + ": " + errno_text(errno));
  }
  if (status.ok() && ::rename(temporary.c_str(), target.c_str()) != 0) {
    status = Status(StatusCode::kIo, "cannot rename " + temporary.string() + " to " +
                                         target.string() + ": " + errno_text(errno));
  }
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return status;
  }
  // The rename is durable only once the directory entry is.
  return fsync_path(task_dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace kstreams::internal
