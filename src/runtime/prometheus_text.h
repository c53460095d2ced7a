// File: src/runtime/prometheus_text.h (private)
//
// A client's metrics in Prometheus' text exposition format (version 0.0.4), the page served on
// `metrics.port` (docs/observability.md). One family per counter or gauge, each with its HELP and
// TYPE lines, its samples labelled by application, stream thread and task:
//
//   kstreams_task_records_processed_total{application_id="router",thread="router-StreamThread-1",task="0_2"}
//   2500
//
//   std::string page = prometheus_text({.application_id = id, .state = app.state(),
//                                       .client = app.metrics(), .threads = app.thread_metrics()});
//
// A lag that is not known yet (-1) has no sample. Latencies are in seconds, as Prometheus names
// want. Families and samples come in a fixed order: threads and tasks as the snapshot lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <kstreams/kafka_streams.h>
#include <kstreams/metrics.h>

namespace kstreams::internal {

struct MetricsSnapshot {
  std::string application_id;
  StreamsState state = StreamsState::kCreated;
  ProcessingMetrics client;  ///< KafkaStreams::metrics(): every thread's, stopped ones included.
  std::vector<ThreadMetrics> threads;
};

/// The exposition page for `snapshot`.
std::string prometheus_text(const MetricsSnapshot& snapshot);

/// `value` as a label value: backslash, double quote and newline escaped.
std::string prometheus_label_value(std::string_view value);

}  // namespace kstreams::internal
