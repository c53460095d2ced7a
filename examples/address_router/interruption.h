// Stopping the demo and --generate on SIGINT/SIGTERM: their loops poll an `Interruption` between
// steps instead of blocking in `ShutdownSignal::wait()` as a service does.
//
//   kstreams::ShutdownSignal signals;           // first in main(): blocks SIGINT/SIGTERM
//   address_router::Interruption interruption(signals);
//   while (more_work() && !interruption.requested()) do_a_step();
//   if (interruption.signal()) return interruption.exit_code();   // 130 after SIGINT
//
// Not thread-safe: poll it from the thread that constructed the ShutdownSignal.
#pragma once

#include <chrono>
#include <optional>

#include <kstreams/shutdown_signal.h>

namespace address_router {

class Interruption {
 public:
  explicit Interruption(kstreams::ShutdownSignal& signals) : signals_(signals) {}

  /// True once SIGINT or SIGTERM has arrived; does not wait.
  bool requested() { return wait_for(std::chrono::milliseconds(0)); }
  /// Waits at most `timeout` for SIGINT or SIGTERM (not at all once one arrived); true once one
  /// has arrived.
  bool wait_for(std::chrono::milliseconds timeout);
  /// The signal that arrived, if any.
  [[nodiscard]] std::optional<int> signal() const { return signal_; }
  /// The exit status of a run the signal stopped: 128 + its number, as a shell reports it (130
  /// for SIGINT, 143 for SIGTERM); 0 when no signal arrived.
  [[nodiscard]] int exit_code() const { return signal_ ? 128 + *signal_ : 0; }

 private:
  kstreams::ShutdownSignal& signals_;
  std::optional<int> signal_;
};

/// Sets SIGINT and SIGTERM to be ignored, which also discards one that is pending: call it at the
/// end of main(), before the ShutdownSignal unblocks them, so that a signal arriving after the
/// run's last check cannot kill the process after it reported its outcome.
void discard_late_shutdown_signals();

}  // namespace address_router
