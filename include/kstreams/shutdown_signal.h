// File: kstreams/shutdown_signal.h
//
// Waiting for SIGINT / SIGTERM in a kstreams application's main(), the safe way: the signals are
// blocked in every thread and received synchronously, so no handler runs at an arbitrary point.
//
//   int main() {
//     kstreams::ShutdownSignal signals;   // first thing: blocks SIGINT/SIGTERM process-wide
//     kstreams::KafkaStreams app(...);
//     app.start();
//     signals.wait();                     // returns on SIGINT or SIGTERM
//     return app.close().ok() ? 0 : 1;
//   }
//
// Construct it before starting any thread (threads inherit the blocked mask). Not copyable.
#pragma once

#include <chrono>
#include <optional>

namespace kstreams {

class ShutdownSignal {
 public:
  /// Blocks SIGINT and SIGTERM in the calling thread (and threads it starts later).
  ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;
  /// Restores the previous signal mask.
  ~ShutdownSignal();

  /// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
  int wait();
  /// Waits at most `timeout`; the signal number, or nullopt on timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  unsigned char old_mask_[128];  // sigset_t, kept opaque so <signal.h> stays out of this header.
};

}  // namespace kstreams
