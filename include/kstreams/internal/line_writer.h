// Internal: where `KStream::print` writes its lines (stdout or a file). Lines written from
// several threads never interleave. Implemented in operators/print_sink.cc. Not API.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <kstreams/status.h>

namespace kstreams::internal {

class LineWriter {
 public:
  LineWriter() = default;
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;
  virtual ~LineWriter() = default;

  /// Standard output when `path` is empty, else the file at `path` (appended to).
  static Result<std::shared_ptr<LineWriter>> open(const std::string& path);

  virtual void write_line(std::string_view line) = 0;
};

}  // namespace kstreams::internal
