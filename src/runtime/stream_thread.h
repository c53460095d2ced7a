// A stream thread: one consumer (a member of the application's group), one producer, and the
// tasks for the partitions the group gave it. It polls records into per-partition buffers,
// processes each task's records in timestamp order, and commits every commit.interval.ms: first
// the producer is flushed (outputs durable), then the consumed offsets are committed. No task is
// ever touched by another thread.
//
// Thread-safety: start/request_shutdown/join/state/error/metrics may be called from any thread;
// everything else runs on the stream thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <kstreams/kafka_streams.h>
#include <kstreams/streams_config.h>
#include <kstreams/topology.h>

#include "src/kafka/consumer.h"
#include "src/kafka/producer.h"
#include "src/runtime/client_configs.h"
#include "src/runtime/kafka_record_collector.h"
#include "src/runtime/pending_commits.h"
#include "src/runtime/restore_notification.h"
#include "src/runtime/task.h"
#include "src/runtime/task_idling.h"

namespace kstreams::internal {

class StreamThread {
 public:
  enum class State : std::uint8_t {
    kCreated,
    kStarting,
    kPartitionsRevoked,
    kPartitionsAssigned,
    kRunning,
    kPendingShutdown,
    kDead,
  };
  /// Called on the stream thread after every state change.
  using StateCallback = std::function<void(StreamThread& thread, State state)>;

  StreamThread(int index, const Topology& topology, const StreamsConfig& config,
               ClientIdentity identity, StoreEnvironment stores, StateCallback on_state);
  StreamThread(const StreamThread&) = delete;
  StreamThread& operator=(const StreamThread&) = delete;
  ~StreamThread();

  /// Creates the clients, subscribes and starts the thread.
  Status start();
  /// Asks the thread to commit, leave the group and stop. Returns at once. A static member
  /// (group.instance.id) leaves only with `leave_group`; see Consumer::close. The producer's
  /// flushes and transaction calls on the way out end by `deadline` (the earliest one asked for):
  /// what is not acknowledged by then is not committed, and is processed again after a restart.
  void request_shutdown(bool leave_group = false, std::chrono::steady_clock::time_point deadline =
                                                      std::chrono::steady_clock::time_point::max());
  /// Waits for the thread to end (up to `timeout`); true when it has.
  bool join(std::chrono::milliseconds timeout);

  /// True once request_shutdown() was called.
  [[nodiscard]] bool shutdown_requested() const { return shutdown_requested_.load(); }
  /// Sets the thread's share of the record cache; its stores evict down to it as they write.
  void resize_cache(std::size_t max_bytes);

  [[nodiscard]] int index() const { return index_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] State state() const { return state_.load(); }
  /// Why the thread died (OK after a requested shutdown).
  [[nodiscard]] Status error() const;
  [[nodiscard]] ThreadMetrics metrics() const;
  /// Calls `visit` with the store `name` of each of this thread's tasks that has it and is not
  /// restoring, while the thread is between records. Thread-safe (interactive queries).
  Status visit_store(const std::string& name,
                     const std::function<Status(BytesKeyValueStore&)>& visit) const;

 private:
  // The buffered records of one input partition of a task.
  struct PartitionBuffer {
    std::string topic;
    std::int32_t partition = 0;
    std::deque<kafka::MessagePtr> records;
    std::int64_t processed_offset = -1;  // next offset to commit (last processed + 1); -1: none
    std::int64_t committed_offset = -1;
    bool paused = false;
    bool caught_up = false;      // librdkafka reported its end after the last record it delivered
    std::uint64_t consumed = 0;  // records polled for it
    std::int64_t lag = -1;       // as of the last update_lag; -1: position not known
  };
  // A changelog partition being read back into its store before the task may process.
  struct Restoration {
    TaskId task;
    std::string store;
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t next_offset = 0;  // where reading continues
    std::int64_t end_offset = 0;   // the changelog's end when restoration began
    std::int64_t start_offset = 0;
    std::uint64_t restored = 0;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point last_log;
  };
  struct ActiveTask {
    std::unique_ptr<Task> task;
    std::deque<PartitionBuffer> partitions;  // deque: buffers never relocate
    TaskIdling idling;                       // max.task.idle.ms
    std::uint64_t enforced_processing = 0;   // records processed with an input empty
    int restoring = 0;                       // changelogs still being restored; 0: processing
  };

  void run();
  Status run_loop();
  Status process_buffered();
  Status process_task(ActiveTask& task, std::int64_t now_ms);
  Status maybe_commit(bool force);
  enum class CommitKind : std::uint8_t {
    kPeriodic,  ///< Every commit.interval.ms: offsets changed since the last one, asynchronously.
    kFinal,     ///< Before revocation or close: every processed offset, synchronously.
  };
  /// The one commit path. Caches flush first. Then exactly_once_v2 and final commits flush the
  /// producer (every output durable) and commit the processed offsets (in the transaction, or
  /// synchronously). A periodic at-least-once commit does not wait: it hands the processed
  /// offsets to `pending_`, and commit_acknowledged commits them once their outputs are
  /// acknowledged.
  Status commit(CommitKind kind);
  /// At-least-once: commits, asynchronously, the offsets whose outputs are all acknowledged (if
  /// no delivery failed). A commit refused at once is logged and taken again by the next commit
  /// interval; one the broker refuses later (e.g. during a rebalance) is resent only with the
  /// partition's next progress or by the final commit. Either way at worst input is processed
  /// again, never lost.
  void commit_acknowledged();
  PartitionBuffer* find_buffer(const std::string& topic, std::int32_t partition);
  void record_commit_latency(std::chrono::steady_clock::time_point started);
  void update_lag();
  /// How long a producer flush or transaction call may block: 30 s, or less once a shutdown
  /// deadline is near.
  std::chrono::milliseconds producer_timeout() const;
  void on_rebalance(kafka::RebalanceEvent event, const std::vector<kafka::TopicPartition>& parts);
  /// Starts restoring the changelogs of a new task (from its checkpoint, or from the start).
  Status begin_restoration(ActiveTask& task);
  /// Reads a batch of changelog records into their stores; finishes restorations that reached
  /// the end. Blocks up to `timeout` for records.
  Status restore_some(std::chrono::milliseconds timeout);
  Status finish_restoration(const Restoration& done);
  /// Drops the unfinished restorations of `task` (every task when unset), telling the restore
  /// listener they were suspended; true when there were any.
  bool suspend_restorations(const std::optional<TaskId>& task);
  /// Points the restore consumer at the changelogs being restored, from where each continues.
  Status reassign_restore_consumer();
  /// Calls one callback of the restore listener, if any (exceptions are logged, not thrown).
  void notify_restore(RestoreCallback callback, const Restoration& r, std::int64_t batch_end,
                      std::uint64_t batch_size) const;
  /// exactly_once_v2: opens a transaction if none is open.
  Status ensure_transaction();
  /// exactly_once_v2: the transaction could not commit (`cause`): abort it, close every task
  /// (their stores hold aborted writes and have no checkpoint: they are rebuilt from the
  /// changelogs), rewind their partitions to the committed offsets and create them again.
  Status abort_and_rewind(const Status& cause);
  /// After an assignment inside a poll: drops the batch's records of the newly assigned
  /// partitions (some may predate the assignment and overtake records the new task must
  /// process first) and rewinds those partitions to their committed offsets.
  Status drop_stale_records(std::vector<kafka::MessagePtr>& batch);
  /// Writes every task's checkpoint (after a commit: its changelog writes are durable).
  void checkpoint_tasks(bool force);
  Status create_tasks(const std::vector<kafka::TopicPartition>& partitions);
  void close_tasks(const std::vector<kafka::TopicPartition>& partitions);
  /// Rebuilds the (topic, partition) -> buffer index and the task/partition counts.
  void reindex_buffers();
  void on_delivery(const kafka::DeliveryReport& report);
  void set_state(State state);
  void publish_metrics();

  const int index_;
  const std::string name_;
  const Topology topology_;
  const StreamsConfig config_;
  const ClientIdentity identity_;
  const StateCallback on_state_;
  std::map<std::string, int, std::less<>> subtopology_by_topic_;

  std::atomic<State> state_{State::kCreated};
  std::atomic<bool> shutdown_requested_{false};
  // steady_clock ticks; max(): none. See request_shutdown and producer_timeout.
  std::atomic<std::chrono::steady_clock::rep> shutdown_deadline_{
      std::chrono::steady_clock::time_point::max().time_since_epoch().count()};
  std::atomic<bool> leave_group_on_close_{false};
  std::thread thread_;
  std::mutex done_mutex_;
  bool done_ = false;
  std::condition_variable done_cv_;

  // Destruction order matters: tasks (and their buffered messages) before the consumer, the
  // collector before the producer. Members are destroyed in reverse order of declaration.
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Consumer> restore_consumer_;    // only when the topology has stores
  std::unique_ptr<kafka::Consumer> end_offsets_client_;  // exactly-once: reads uncommitted
  std::vector<Restoration> restorations_;
  // Changelog topic -> partition -> the task writing it. By topic first, so that a delivery
  // report (one per output record) is looked up by its topic's string_view, without a copy.
  std::map<std::string, std::map<std::int32_t, TaskId>, std::less<>> changelog_owner_;
  // At-least-once: outputs in flight per commit epoch (the collector tags each record).
  PendingCommits pending_;
  std::unique_ptr<KafkaRecordCollector> collector_;
  StoreEnvironment stores_;
  // Held by the stream thread while it touches tasks (everything but the blocking poll), and by
  // interactive queries.
  mutable std::mutex tasks_mutex_;
  std::map<TaskId, ActiveTask> tasks_;
  std::map<std::pair<std::string, std::int32_t>, std::pair<TaskId, std::size_t>> buffer_index_;

  Status rebalance_error_;  // set in the rebalance listener, returned by the loop
  // Bumped by every assignment. A poll during which it changed may return records fetched under
  // the previous assignment; see drop_stale_records.
  std::uint64_t assignment_epoch_ = 0;
  std::vector<kafka::TopicPartition> last_assigned_;
  Status delivery_error_;  // first failed delivery the production handler did not skip
  bool failed_ = false;    // no more commits once processing failed
  const bool eos_;         // processing.guarantee = exactly_once_v2
  bool in_transaction_ = false;
  std::uint64_t sent_at_begin_ = 0;  // collector_->sent() when the transaction began
  bool delivery_failure_logged_ = false;
  std::chrono::steady_clock::time_point last_commit_;

  // Counters owned by the stream thread; copied into `published_` under `metrics_mutex_`.
  ThreadMetrics local_;
  ProcessingMetrics closed_tasks_metrics_;
  double commit_latency_total_ms_ = 0;
  std::uint64_t timed_commits_ = 0;  // commit() calls that got as far as committing
  double e2e_latency_total_ms_ = 0;
  std::uint64_t e2e_samples_ = 0;
  mutable std::mutex metrics_mutex_;
  ThreadMetrics published_;
  Status error_;  // guarded by metrics_mutex_
};

std::string_view to_string(StreamThread::State state);

}  // namespace kstreams::internal
