// File: kstreams/task_id.h
//
// `TaskId`: a task is one sub-topology applied to one partition of its input topics.
#pragma once

#include <cstdint>
#include <string>

namespace kstreams {

/// Identifies a task: (sub-topology, partition). Printed as "<subtopology>_<partition>".
struct TaskId {
  std::int32_t subtopology = 0;
  std::int32_t partition = 0;

  [[nodiscard]] std::string to_string() const {
    return std::to_string(subtopology) + "_" + std::to_string(partition);
  }
  friend auto operator<=>(const TaskId&, const TaskId&) = default;
};

}  // namespace kstreams
