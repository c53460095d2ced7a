// File: kstreams/kafka_streams.h
//
// `KafkaStreams`: runs a Topology against Kafka. Each instance is one member of the consumer
// group `application.id`; start the same program several times to scale out: the instances
// split the input partitions (tasks) between them and take over each other's when one leaves.
//
//   kstreams::KafkaStreams app(topology, kstreams::StreamsConfig{
//       .application_id = "address-router",
//       .bootstrap_servers = "localhost:9092"});   // "" = an embedded cluster in this process
//   if (kstreams::Status s = app.start(); !s.ok()) { ... }
//   kstreams::ShutdownSignal::wait();              // SIGINT / SIGTERM
//   return app.close(std::chrono::seconds(30)).ok() ? 0 : 1;
//
// Thread-safety: every method may be called from any thread. Listeners and handlers run on
// kstreams' threads; keep them short and do not call close() from them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <kstreams/metrics.h>
#include <kstreams/status.h>
#include <kstreams/streams_config.h>
#include <kstreams/task_id.h>
#include <kstreams/topology.h>

namespace kstreams {

/// The life cycle of a KafkaStreams instance (Kafka Streams' KafkaStreams.State):
/// CREATED -> REBALANCING <-> RUNNING -> PENDING_SHUTDOWN -> NOT_RUNNING, or
/// -> PENDING_ERROR -> ERROR when a stream thread fails and the handler shuts the client down.
enum class StreamsState : std::uint8_t {
  kCreated,
  kRebalancing,
  kRunning,
  kPendingShutdown,
  kNotRunning,
  kPendingError,
  kError,
};
std::string_view to_string(StreamsState state);

/// What to do when a stream thread fails (Kafka Streams' StreamThreadExceptionResponse).
enum class UncaughtExceptionResponse : std::uint8_t {
  kReplaceThread,   ///< Start a fresh thread in its place (its tasks are rebalanced).
  kShutdownClient,  ///< Stop this instance; it ends in state ERROR (default).
};

using StateListener = std::function<void(StreamsState new_state, StreamsState old_state)>;
using UncaughtExceptionHandler = std::function<UncaughtExceptionResponse(const Status& error)>;

/// A snapshot of one active task.
struct TaskMetrics {
  TaskId id;
  ProcessingMetrics processing;
  std::uint64_t buffered_records = 0;  ///< Consumed, not yet processed.
};

/// A snapshot of one stream thread.
struct ThreadMetrics {
  std::string name;
  ProcessingMetrics processing;
  std::uint64_t records_consumed = 0;
  std::uint64_t commits = 0;
  std::uint64_t rebalances = 0;
  std::uint64_t active_tasks = 0;
  std::uint64_t assigned_partitions = 0;
  /// Records between the consumer's position and the partitions' high watermarks, as of the
  /// last commit (-1 when unknown).
  std::int64_t consumer_lag = -1;
  double commit_latency_avg_ms = 0;
  double end_to_end_latency_avg_ms = 0;  ///< now - record timestamp, at processing time.
  double end_to_end_latency_max_ms = 0;
  /// The thread's active tasks (closed tasks' counts stay in `processing`).
  std::vector<TaskMetrics> tasks;
};

class KafkaStreams {
 public:
  /// Nothing starts until start(). The config is validated by start().
  KafkaStreams(Topology topology, StreamsConfig config);
  KafkaStreams(const KafkaStreams&) = delete;
  KafkaStreams& operator=(const KafkaStreams&) = delete;
  /// Closes (without a timeout limit) if still running.
  ~KafkaStreams();

  /// Called on every state change. Set before start().
  void set_state_listener(StateListener listener);
  /// Decides what happens when a stream thread fails. Set before start(). Default: shut down
  /// the client.
  void set_uncaught_exception_handler(UncaughtExceptionHandler handler);

  /// Validates the config, starts the embedded cluster if asked for (creating the topology's
  /// topics on it), checks that source topics exist and are co-partitioned, and starts the stream
  /// threads. Errors: kInvalidArgument (config), kNotFound (missing source topic), kTopology
  /// (co-partitioning), kIllegalState (already started), kTimeout / kIo (cluster unreachable).
  Status start();

  /// Stops the stream threads (each commits what it processed and leaves the group) and waits up
  /// to `timeout`. kTimeout when threads are still running then (they keep stopping). Idempotent.
  Status close(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  [[nodiscard]] StreamsState state() const;
  /// The bootstrap servers in use: the embedded cluster's address once started with it.
  [[nodiscard]] std::string bootstrap_servers() const;
  /// Per-thread counters, and their sum.
  [[nodiscard]] std::vector<ThreadMetrics> thread_metrics() const;
  [[nodiscard]] ProcessingMetrics metrics() const;
  /// The error that stopped the client (state ERROR), else OK.
  [[nodiscard]] Status error() const;

  /// Waits until state() is `state` or `timeout` passes; true if reached.
  bool wait_for_state(StreamsState state, std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kstreams
