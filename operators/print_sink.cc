#include <fstream>
#include <iostream>
#include <mutex>

#include <kstreams/internal/line_writer.h>

namespace kstreams::internal {
namespace {

std::mutex& stdout_mutex() {
  static std::mutex mutex;
  return mutex;
}

class StdoutWriter final : public LineWriter {
 public:
  void write_line(std::string_view line) override {
    std::lock_guard lock(stdout_mutex());
    std::cout << line << '\n' << std::flush;
  }
};

class FileWriter final : public LineWriter {
 public:
  explicit FileWriter(std::ofstream file) : file_(std::move(file)) {}
  void write_line(std::string_view line) override {
    std::lock_guard lock(mutex_);
    file_ << line << '\n' << std::flush;
  }

 private:
  std::mutex mutex_;
  std::ofstream file_;
};

}  // namespace

Result<std::shared_ptr<LineWriter>> LineWriter::open(const std::string& path) {
  if (path.empty()) return std::shared_ptr<LineWriter>(std::make_shared<StdoutWriter>());
  std::ofstream file(path, std::ios::app);
  if (!file) return Status(StatusCode::kIo, "print: cannot open '" + path + "' for appending");
  return std::shared_ptr<LineWriter>(std::make_shared<FileWriter>(std::move(file)));
}

}  // namespace kstreams::internal
