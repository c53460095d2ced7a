// File: kstreams/kafka_streams.h
//
// `KafkaStreams`: runs a Topology against Kafka. Each instance is one member of the consumer
// group `application.id`; start the same program several times to scale out: the instances
// split the input partitions (tasks) between them and take over each other's when one leaves.
//
//   kstreams::ShutdownSignal signals;  // first: SIGINT / SIGTERM blocked (shutdown_signal.h)
//   kstreams::KafkaStreams app(topology, kstreams::StreamsConfig{
//       .application_id = "address-router",
//       .bootstrap_servers = "localhost:9092"});   // "" = an embedded cluster in this process
//   if (kstreams::Status s = app.start(); !s.ok()) { ... }
//   signals.wait(); return app.close(std::chrono::seconds(30)).ok() ? 0 : 1;
//
// Thread-safety: every method may be called from any thread. Listeners and handlers run on
// kstreams' threads; keep them short and do not call close() from them.
#pragma once

#include <algorithm>
#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kstreams/close_options.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/metrics.h>
#include <kstreams/record.h>
#include <kstreams/restore_listener.h>
#include <kstreams/serde.h>
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
  std::uint64_t records_consumed = 0;  ///< Polled for this task since it was created.
  std::uint64_t buffered_records = 0;  ///< Consumed, not yet processed.
  /// Records between the task's input positions and their high watermarks, over the partitions
  /// whose position is known, as of the last commit interval (-1 while none is); see
  /// ThreadMetrics::consumer_lag.
  std::int64_t consumer_lag = -1;
  /// Records processed while another input of the task was empty, once `max.task.idle.ms` had
  /// run out for it (so perhaps out of timestamp order): Kafka Streams' enforced-processing-total.
  std::uint64_t enforced_processing = 0;
};

/// A snapshot of one stream thread.
struct ThreadMetrics {
  std::string name;
  ProcessingMetrics processing;
  std::uint64_t records_consumed = 0;
  std::uint64_t commits = 0;
  std::uint64_t aborts = 0;  ///< exactly_once_v2: transactions aborted (and their input redone).
  std::uint64_t rebalances = 0;
  std::uint64_t active_tasks = 0;
  std::uint64_t assigned_partitions = 0;
  /// Records between the positions of the thread's partitions (the committed offset, else the
  /// processed one, else the first record buffered) and their high watermarks, as of the last
  /// commit interval (-1 while no partition's is known). A partition whose position is not
  /// known yet is left out; one caught up with nothing buffered or uncommitted counts 0.
  std::int64_t consumer_lag = -1;
  /// How long the stream thread spends in a commit, averaged over its commits, and the longest.
  /// A commit flushes the caches; under exactly_once_v2 it also flushes the producer and commits
  /// the transaction; under at_least_once it hands the offsets over to be committed once their
  /// outputs are acknowledged, without waiting (a commit before revocation or close waits).
  double commit_latency_avg_ms = 0;
  double commit_latency_max_ms = 0;
  double end_to_end_latency_avg_ms = 0;  ///< now - record timestamp, at processing time.
  double end_to_end_latency_max_ms = 0;
  /// The thread's active tasks (closed tasks' counts stay in `processing`).
  std::vector<TaskMetrics> tasks;
};

template <class K, class V>
class QueryableKeyValueStore;

class KafkaStreams {
 public:
  /// Nothing starts until start(). An invalid config: state ERROR, error() and start() say why.
  KafkaStreams(Topology topology, StreamsConfig config);
  KafkaStreams(const KafkaStreams&) = delete;
  KafkaStreams& operator=(const KafkaStreams&) = delete;
  /// Closes (without a timeout limit) if still running.
  ~KafkaStreams();

  /// Called on every state change. Set before start().
  void set_state_listener(StateListener listener);
  /// Told about every restoration of a store from its changelog. Set before start().
  void set_global_state_restore_listener(StateRestoreListener listener);
  /// Decides what happens when a stream thread fails. Set before start(). Default: shut down
  /// the client.
  void set_uncaught_exception_handler(UncaughtExceptionHandler handler);

  /// Kafka Streams' addStreamThread(): starts one more stream thread and returns its name. It
  /// takes the smallest thread number not in use (its name and a static member's
  /// group.instance.id end in it), the group rebalances to give it tasks, and the threads share
  /// statestore.cache.max.bytes anew. kIllegalState unless the client is RUNNING or REBALANCING
  /// (and not closing). Not from a listener or handler: they run on kstreams' threads.
  Result<std::string> add_stream_thread();
  /// Kafka Streams' removeStreamThread(timeout): stops the running stream thread with the
  /// highest number and returns its name once it has stopped. It commits, closes its tasks and
  /// leaves the group (a static member too), so that the other members take its partitions at
  /// once; the remaining threads share the record cache anew. The last thread may go too (the
  /// client then processes nothing until one is added). kIllegalState unless RUNNING or
  /// REBALANCING, or when close() began while the thread was stopping (the close stops it);
  /// kNotFound when no stream thread runs; kTimeout when the thread is still stopping after
  /// `timeout` (it goes on stopping). Not from a listener or handler: they run on kstreams'
  /// threads.
  Result<std::string> remove_stream_thread(
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Validates the config, starts the embedded cluster if asked for (creating the topology's
  /// topics on it), checks that source topics exist and are co-partitioned, and starts the stream
  /// threads. Errors: kInvalidArgument (config), kNotFound (missing source topic), kTopology
  /// (co-partitioning), kIllegalState (already started), kTimeout / kIo (cluster unreachable).
  Status start();

  /// Stops the stream threads (each commits what it processed and leaves the group, unless it
  /// is a static member: see CloseOptions) and waits up to `timeout`. kTimeout when threads are
  /// still running then (they keep stopping). Idempotent.
  Status close(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// close() as `options` say. Name the type (`close(CloseOptions{...})`): a bare `close({})`
  /// is ambiguous with the overload above.
  Status close(const CloseOptions& options);

  /// Deletes this application's local state (`state.dir/<application.id>`), as Kafka Streams'
  /// cleanUp(): only before start() or after close() (else kIllegalState); a task directory
  /// locked by another instance on this host is kept and reported (kRetriable).
  Status cleanup();

  [[nodiscard]] StreamsState state() const;
  /// The bootstrap servers in use: the embedded cluster's address once started with it.
  [[nodiscard]] std::string bootstrap_servers() const;
  /// The port of the Prometheus endpoint (`metrics.port`) once start() opened it, until close();
  /// -1 when there is none.
  [[nodiscard]] int metrics_port() const;
  /// Per-thread counters, and their sum.
  [[nodiscard]] std::vector<ThreadMetrics> thread_metrics() const;
  [[nodiscard]] ProcessingMetrics metrics() const;
  /// The error that stopped the client (state ERROR), else OK.
  [[nodiscard]] Status error() const;

  /// Waits until state() is `state` or `timeout` passes; true if reached.
  bool wait_for_state(StreamsState state, std::chrono::milliseconds timeout) const;

  /// Read-only queries of this instance's copies of the key-value store `name` (a table's or
  /// an aggregation's store, or a Processor API store), from any thread. kNotFound for an unknown
  /// store, kInvalidArgument when K and V are not its types.
  template <class K, class V>
  Result<QueryableKeyValueStore<K, V>> store(const std::string& name) const;

  // Non-template plumbing of store(); not for direct use.
  struct StoreInfo {
    bool timestamped = false;
    std::any serdes;  ///< std::pair<Serde<K>, Serde<V>>
  };
  [[nodiscard]] Result<StoreInfo> store_info(const std::string& name) const;
  /// Calls `visit` on every local task's copy of `name` that is not restoring, each while its
  /// stream thread is between records.
  Status visit_store(const std::string& name,
                     const std::function<Status(internal::BytesKeyValueStore&)>& visit) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// Read-only queries of one store across the tasks of one KafkaStreams instance (this
/// instance's partitions only; keys owned by other instances are not found here). Thread-safe;
/// results are copies. Valid while the KafkaStreams object lives.
template <class K, class V>
class QueryableKeyValueStore {
 public:
  QueryableKeyValueStore(const KafkaStreams& streams, std::string name, bool timestamped,
                         Serde<K> key_serde, Serde<V> value_serde)
      : streams_(&streams),
        name_(std::move(name)),
        timestamped_(timestamped),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  /// The value of `key`, or nullopt.
  Result<std::optional<V>> get(const K& key) const {
    NullableBytes key_bytes;
    KSTREAMS_RETURN_IF_ERROR(key_serde_.serialize(key, key_bytes));
    if (!key_bytes) return invalid_argument("a store key cannot be null");
    NullableBytes found;
    KSTREAMS_RETURN_IF_ERROR(
        streams_->visit_store(name_, [&](internal::BytesKeyValueStore& store) -> Status {
          if (found) return {};
          KSTREAMS_ASSIGN_OR_RETURN(found, store.get(*key_bytes));
          return {};
        }));
    if (!found) return std::optional<V>();
    KSTREAMS_ASSIGN_OR_RETURN(V value, value_serde_.deserialize(strip(*found)));
    return std::optional<V>(std::move(value));
  }
  /// Entries with from <= key <= to (serialized byte order), sorted by key.
  Result<std::vector<KeyValue<K, V>>> range(const K& from, const K& to) const {
    NullableBytes f;
    NullableBytes t;
    KSTREAMS_RETURN_IF_ERROR(key_serde_.serialize(from, f));
    KSTREAMS_RETURN_IF_ERROR(key_serde_.serialize(to, t));
    if (!f || !t) return invalid_argument("a store key cannot be null");
    return collect(ByteView(*f), ByteView(*t));
  }
  /// Every entry, sorted by key.
  Result<std::vector<KeyValue<K, V>>> all() const { return collect(std::nullopt, std::nullopt); }
  /// An estimate of the number of entries.
  Result<std::uint64_t> approximate_num_entries() const {
    std::uint64_t total = 0;
    KSTREAMS_RETURN_IF_ERROR(
        streams_->visit_store(name_, [&](internal::BytesKeyValueStore& store) -> Status {
          KSTREAMS_ASSIGN_OR_RETURN(std::uint64_t n, store.approximate_num_entries());
          total += n;
          return {};
        }));
    return total;
  }

 private:
  ByteView strip(ByteView value) const {
    return timestamped_ && value.size() >= 8 ? value.substr(8) : value;
  }
  Result<std::vector<KeyValue<K, V>>> collect(NullableByteView from, NullableByteView to) const {
    std::vector<std::pair<Bytes, Bytes>> entries;
    KSTREAMS_RETURN_IF_ERROR(
        streams_->visit_store(name_, [&](internal::BytesKeyValueStore& store) -> Status {
          KSTREAMS_ASSIGN_OR_RETURN(auto it, store.range(from, to));
          for (; it->valid(); it->next()) {
            entries.emplace_back(Bytes(it->key()), Bytes(strip(it->value())));
          }
          return it->status();
        }));
    std::sort(entries.begin(), entries.end());
    std::vector<KeyValue<K, V>> out;
    out.reserve(entries.size());
    for (const auto& [k, v] : entries) {
      KSTREAMS_ASSIGN_OR_RETURN(K key, key_serde_.deserialize(k));
      KSTREAMS_ASSIGN_OR_RETURN(V value, value_serde_.deserialize(v));
      out.push_back(KeyValue<K, V>{std::move(key), std::move(value)});
    }
    return out;
  }

  const KafkaStreams* streams_;
  std::string name_;
  bool timestamped_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
};

template <class K, class V>
Result<QueryableKeyValueStore<K, V>> KafkaStreams::store(const std::string& name) const {
  KSTREAMS_ASSIGN_OR_RETURN(StoreInfo info, store_info(name));
  const auto* serdes = std::any_cast<std::pair<Serde<K>, Serde<V>>>(&info.serdes);
  if (serdes == nullptr) {
    return invalid_argument("state store '" + name + "' holds other key or value types");
  }
  return QueryableKeyValueStore<K, V>(*this, name, info.timestamped, serdes->first, serdes->second);
}

}  // namespace kstreams
