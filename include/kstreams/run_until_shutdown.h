// File: kstreams/run_until_shutdown.h
//
// The last lines of a kstreams service's main(): run a started application until SIGINT/SIGTERM
// or until it fails, then close it, and turn the outcome into the process's exit code.
//
//   int main(int argc, char** argv) {
//     kstreams::ShutdownSignal signals;  // first, before any thread exists
//     kstreams::KafkaStreams app(topology, config);
//     if (!app.start().ok()) return 1;
//     return kstreams::run_until_shutdown(app, signals, "my-app", std::cerr);
//   }
//
// It reports on `log`, one line each, prefixed "<name>: ": "signal N, closing" or "stopped:
// <error>", then "closed (clean); processed P, produced Q, dead-lettered D" (or the close's error).
#pragma once

#include <chrono>
#include <iosfwd>
#include <string_view>

#include <kstreams/close_options.h>

namespace kstreams {

class KafkaStreams;
class ShutdownSignal;

/// Waits for SIGINT/SIGTERM (through `signals`) while `app` runs, then closes it within
/// `close_timeout`. Returns 0 after a signal and a clean close; 1 if the application failed
/// (state ERROR) or its close did not complete cleanly.
int run_until_shutdown(KafkaStreams& app, ShutdownSignal& signals, std::string_view name,
                       std::ostream& log,
                       std::chrono::milliseconds close_timeout = std::chrono::seconds(30));
/// The same, closing as `close` says.
int run_until_shutdown(KafkaStreams& app, ShutdownSignal& signals, std::string_view name,
                       std::ostream& log, const CloseOptions& close);

}  // namespace kstreams
