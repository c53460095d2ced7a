// File: src/core/thread_name.h (private)
//
// Names a thread as `top -H`, `ps -L`, `perf` and debuggers show it, as librdkafka names its own
// ("rdk:broker1"). kstreams' threads are "ks:stream-<n>", "ks:global", "ks:supervisor" and
// "ks:metrics". Named by the thread that starts them, so the name is there when start() returns.
//
//   global_thread_ = std::thread([this] { run_global(); });
//   name_thread(global_thread_, "ks:global");
#pragma once

#include <string_view>
#include <thread>

namespace kstreams::internal {

/// Linux keeps 15 characters: a longer name is cut there. Failing to set it changes nothing else.
void name_thread(std::thread& thread, std::string_view name);

}  // namespace kstreams::internal
