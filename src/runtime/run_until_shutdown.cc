#include <ostream>
#include <string>

#include <kstreams/kafka_streams.h>
#include <kstreams/run_until_shutdown.h>
#include <kstreams/shutdown_signal.h>

namespace kstreams {

int run_until_shutdown(KafkaStreams& app, ShutdownSignal& signals, std::string_view name,
                       std::ostream& log, std::chrono::milliseconds close_timeout) {
  return run_until_shutdown(app, signals, name, log, CloseOptions{.timeout = close_timeout});
}

int run_until_shutdown(KafkaStreams& app, ShutdownSignal& signals, std::string_view name,
                       std::ostream& log, const CloseOptions& close) {
  bool failed = false;
  for (;;) {
    if (auto signal = signals.wait_for(std::chrono::milliseconds(200)); signal) {
      log << name << ": signal " << *signal << ", closing" << std::endl;
      break;
    }
    if (app.state() == StreamsState::kError) {
      log << name << ": stopped: " << app.error() << std::endl;
      failed = true;
      break;
    }
  }
  const Status closed = app.close(close);
  const ProcessingMetrics m = app.metrics();
  log << name << ": closed (" << (closed.ok() ? std::string("clean") : closed.to_string())
      << "); processed " << m.records_processed << ", produced " << m.records_produced
      << ", dead-lettered " << m.records_dead_lettered << std::endl;
  return !failed && closed.ok() ? 0 : 1;
}

}  // namespace kstreams
