#include "src/runtime/stream_thread.h"

#include <algorithm>
#include <set>
#include <thread>
#include <utility>

#include <librdkafka/rdkafka.h>

#include "src/core/logging.h"
#include "src/core/thread_name.h"
#include "src/kafka/message.h"
#include "src/runtime/restore_notification.h"
#include "src/topology/topology_definition.h"

namespace kstreams::internal {
namespace {

std::int64_t wall_clock_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How many records one task processes before the thread polls again, so that commits, punctuation
// and heartbeats keep their pace under a backlog.
constexpr int kRecordsPerTaskPerIteration = 1000;
constexpr auto kFlushTimeout = std::chrono::seconds(30);
// The longest idle wait for input while offsets wait for acknowledgements.
constexpr std::int64_t kAcknowledgementPollMs = 5;

}  // namespace

std::string_view to_string(StreamThread::State state) {
  switch (state) {
    case StreamThread::State::kCreated:
      return "CREATED";
    case StreamThread::State::kStarting:
      return "STARTING";
    case StreamThread::State::kPartitionsRevoked:
      return "PARTITIONS_REVOKED";
    case StreamThread::State::kPartitionsAssigned:
      return "PARTITIONS_ASSIGNED";
    case StreamThread::State::kRunning:
      return "RUNNING";
    case StreamThread::State::kPendingShutdown:
      return "PENDING_SHUTDOWN";
    case StreamThread::State::kDead:
      return "DEAD";
  }
  return "UNKNOWN";
}

StreamThread::StreamThread(int index, const Topology& topology, const StreamsConfig& config,
                           ClientIdentity identity, StoreEnvironment stores, StateCallback on_state)
    : index_(index),
      name_(identity.client_id),
      topology_(topology),
      config_(config),
      identity_(std::move(identity)),
      on_state_(std::move(on_state)),
      stores_(std::move(stores)),
      eos_(config.processing_guarantee == ProcessingGuarantee::kExactlyOnceV2) {
  stores_.exactly_once = eos_;
  const TopologyDefinition& def = TopologyAccess::definition(topology_);
  for (const auto& [topic, node] : def.source_by_topic) {
    subtopology_by_topic_[topic] = def.subtopology_of[node];
  }
  local_.name = name_;
  published_.name = name_;
}

StreamThread::~StreamThread() {
  request_shutdown();
  if (thread_.joinable()) thread_.join();
}

Status StreamThread::start() {
  set_state(State::kStarting);
  KSTREAMS_ASSIGN_OR_RETURN(
      producer_, kafka::Producer::create(
                     producer_config(config_, identity_),
                     [this](const kafka::DeliveryReport& report) { on_delivery(report); }));
  KSTREAMS_ASSIGN_OR_RETURN(
      consumer_,
      kafka::Consumer::create(consumer_config(config_, identity_),
                              [this](kafka::RebalanceEvent event,
                                     const std::vector<kafka::TopicPartition>& partitions) {
                                on_rebalance(event, partitions);
                              }));
  collector_ = std::make_unique<KafkaRecordCollector>(*producer_, eos_, eos_ ? nullptr : &pending_);
  if (eos_) {
    KSTREAMS_RETURN_IF_ERROR(producer_->init_transactions(std::chrono::seconds(60)));
  }
  if (!TopologyAccess::definition(topology_).stores.empty()) {
    KSTREAMS_ASSIGN_OR_RETURN(restore_consumer_, kafka::Consumer::create(assigned_consumer_config(
                                                     config_, identity_, "restore")));
    if (eos_) {
      // A read_committed client asking for a partition's end gets the last stable offset, which
      // a crashed instance's open transaction holds back. Changelog ends are asked by a client
      // that reads uncommitted (it never consumes); see begin_restoration.
      KSTREAMS_ASSIGN_OR_RETURN(
          end_offsets_client_,
          kafka::Consumer::create(assigned_consumer_config(config_, identity_, "end-offsets",
                                                           /*read_uncommitted=*/true)));
    }
  }
  // Fetch the sinks' metadata now rather than making the first record to each topic wait.
  std::vector<std::string> sink_topics = topology_.sink_topics();
  if (!config_.errors_dead_letter_queue_topic_name.empty()) {
    sink_topics.push_back(config_.errors_dead_letter_queue_topic_name);
  }
  for (const auto& [name, spec] : TopologyAccess::definition(topology_).stores) {
    if (spec.logging) sink_topics.push_back(changelog_topic(config_.application_id, name));
  }
  KSTREAMS_RETURN_IF_ERROR(producer_->prepare_topics(sink_topics));
  KSTREAMS_RETURN_IF_ERROR(consumer_->subscribe(topology_.source_topics()));
  last_commit_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { run(); });
  // "ks:stream-<n>", n as at the end of the thread's name ("<app>-<process>-StreamThread-<n>").
  name_thread(thread_, "ks:stream-" + name_.substr(name_.rfind('-') + 1));
  return {};
}

void StreamThread::request_shutdown(bool leave_group,
                                    std::chrono::steady_clock::time_point deadline) {
  if (leave_group) leave_group_on_close_.store(true);
  const auto ticks = deadline.time_since_epoch().count();
  auto current = shutdown_deadline_.load();
  while (ticks < current && !shutdown_deadline_.compare_exchange_weak(current, ticks)) {
  }
  shutdown_requested_.store(true);
}

std::chrono::milliseconds StreamThread::producer_timeout() const {
  const std::chrono::steady_clock::time_point deadline{
      std::chrono::steady_clock::duration(shutdown_deadline_.load())};
  if (deadline == std::chrono::steady_clock::time_point::max()) return kFlushTimeout;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(kFlushTimeout));
}

void StreamThread::resize_cache(std::size_t max_bytes) {
  if (stores_.cache) stores_.cache->resize(max_bytes);
}

bool StreamThread::join(std::chrono::milliseconds timeout) {
  std::unique_lock lock(done_mutex_);
  if (!done_cv_.wait_for(lock, timeout, [this] { return done_; })) return false;
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return true;
}

Status StreamThread::error() const {
  std::lock_guard lock(metrics_mutex_);
  return error_;
}

ThreadMetrics StreamThread::metrics() const {
  std::lock_guard lock(metrics_mutex_);
  return published_;
}

void StreamThread::set_state(State state) {
  const State old = state_.exchange(state);
  if (old == state) return;
  logger().info("{}: state {} -> {}", name_, to_string(old), to_string(state));
  if (on_state_) on_state_(*this, state);
}

void StreamThread::run() {
  Status status = run_loop();
  set_state(State::kPendingShutdown);
  if (status.ok()) {
    std::lock_guard lock(tasks_mutex_);
    status = commit(CommitKind::kFinal);
    if (!status.ok()) logger().warn("{}: final commit failed: {}", name_, status.to_string());
  } else {
    failed_ = true;
    logger().error("{}: stopping after error: {}", name_, status.to_string());
  }
  // Records polled but not processed go first: the consumer's handle may not outlive them (a
  // static member's close destroys it), and the partitions' next owner reads them again.
  {
    std::lock_guard lock(tasks_mutex_);
    for (auto& [id, task] : tasks_) {
      for (auto& buffer : task.partitions) buffer.records.clear();
    }
  }
  // Leaving the group runs the revocation listener: committed above (or failed: no commit),
  // tasks are closed there.
  const auto leave = leave_group_on_close_.load() ? kafka::Consumer::LeaveGroup::kAlways
                                                  : kafka::Consumer::LeaveGroup::kUnlessStatic;
  if (Status s = consumer_->close(leave); !s.ok()) {
    logger().warn("{}: consumer close: {}", name_, s.to_string());
  }
  {
    std::lock_guard lock(tasks_mutex_);
    suspend_restorations(std::nullopt);  // tasks the consumer's close did not revoke
    tasks_.clear();
    buffer_index_.clear();
  }
  if (restore_consumer_) static_cast<void>(restore_consumer_->close());
  if (end_offsets_client_) static_cast<void>(end_offsets_client_->close());
  if (Status s = producer_->flush(producer_timeout()); !s.ok()) {
    logger().warn("{}: producer flush on close: {}", name_, s.to_string());
  }
  publish_metrics();
  {
    std::lock_guard lock(metrics_mutex_);
    error_ = status;
  }
  set_state(State::kDead);
  {
    std::lock_guard lock(done_mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
}

Status StreamThread::run_loop() {
  bool stalled = false;  // records were buffered, and no task could process any
  while (!shutdown_requested_.load()) {
    bool buffered = false;
    for (const auto& [id, task] : tasks_) {
      for (const auto& p : task.partitions) buffered = buffered || !p.records.empty();
    }
    // Offsets waiting for their outputs' acknowledgements are committed by this loop once the
    // producer reports them (commit_acknowledged): with such offsets, an idle wait for input
    // stays short, or a caught-up thread would commit up to poll.ms late.
    const std::int64_t idle_wait_ms =
        pending_.has_closed() ? std::min(config_.poll_ms, kAcknowledgementPollMs) : config_.poll_ms;
    const std::uint64_t epoch = assignment_epoch_;
    // Buffered records that no task could take last round (max.task.idle.ms) wait for input.
    const bool busy = buffered && !stalled;
    auto batch = consumer_->poll_batch(static_cast<std::size_t>(config_.max_poll_records),
                                       std::chrono::milliseconds(busy ? 0 : idle_wait_ms),
                                       /*ends_of_partitions=*/true);
    if (!rebalance_error_.ok()) return rebalance_error_;
    if (!batch.ok()) return batch.status();
    std::unique_lock tasks_lock(tasks_mutex_);
    if (assignment_epoch_ != epoch) KSTREAMS_RETURN_IF_ERROR(drop_stale_records(*batch));
    KSTREAMS_RETURN_IF_ERROR(ensure_transaction());
    // A batch holds runs of records of one partition: remember the last buffer found (and its
    // topic handle, which is one per topic: comparing it spares a string compare per record).
    PartitionBuffer* last = nullptr;
    const rd_kafka_topic_t* last_topic = nullptr;
    for (kafka::MessagePtr& message : *batch) {
      if (last == nullptr || last->partition != message->partition || last_topic != message->rkt) {
        const std::string_view topic = kafka::message_topic(*message);
        last_topic = message->rkt;
        auto it = buffer_index_.find(std::make_pair(std::string(topic), message->partition));
        if (it == buffer_index_.end()) {
          // A record of a partition this thread no longer owns (revoked meanwhile): its new
          // owner reads it from the committed offset.
          last = nullptr;
          continue;
        }
        last = &tasks_.at(it->second.first).partitions[it->second.second];
      }
      // An end of partition follows the partition's records in the batch.
      last->caught_up = message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
      if (last->caught_up) continue;
      last->records.push_back(std::move(message));
      ++last->consumed;
      ++local_.records_consumed;
    }
    producer_->poll(std::chrono::milliseconds(0));
    if (!restorations_.empty()) {
      // Nothing else to do while every task restores: wait for changelog records instead.
      const bool all_restoring = std::all_of(tasks_.begin(), tasks_.end(),
                                             [](const auto& t) { return t.second.restoring > 0; });
      KSTREAMS_RETURN_IF_ERROR(
          restore_some(std::chrono::milliseconds(all_restoring ? config_.poll_ms : 0)));
    }
    const auto processed_before = e2e_samples_;
    if (Status processed = process_buffered(); !processed.ok()) {
      if (!eos_ || processed.code() != StatusCode::kTransactionAbortable) return processed;
      KSTREAMS_RETURN_IF_ERROR(abort_and_rewind(processed));
      continue;
    }
    stalled = e2e_samples_ == processed_before && restorations_.empty();
    // Backpressure is decided after processing: a partition still holding a full buffer (its
    // task waits for another partition, or is slower than the fetcher) stops fetching until it
    // has drained to half. Pausing drops librdkafka's prefetched records for the partition (they
    // are fetched again on resume), so it must not happen on every poll.
    const auto limit = static_cast<std::size_t>(config_.buffered_records_per_partition);
    for (auto& [id, task] : tasks_) {
      if (task.restoring == 0) KSTREAMS_RETURN_IF_ERROR(task.task->punctuate_wall_clock());
      for (auto& buffer : task.partitions) {
        if (!buffer.paused && buffer.records.size() >= limit) {
          KSTREAMS_RETURN_IF_ERROR(consumer_->pause({{buffer.topic, buffer.partition}}));
          buffer.paused = true;
        } else if (buffer.paused && buffer.records.size() <= limit / 2) {
          KSTREAMS_RETURN_IF_ERROR(consumer_->resume({{buffer.topic, buffer.partition}}));
          buffer.paused = false;
        }
      }
    }
    if (!delivery_error_.ok()) return delivery_error_;
    commit_acknowledged();
    KSTREAMS_RETURN_IF_ERROR(maybe_commit(false));
    publish_metrics();
  }
  return {};
}

Status StreamThread::process_buffered() {
  const std::int64_t now = wall_clock_now_ms();
  for (auto& [id, task] : tasks_) KSTREAMS_RETURN_IF_ERROR(process_task(task, now));
  return {};
}

Status StreamThread::process_task(ActiveTask& task, std::int64_t now_ms) {
  if (task.restoring > 0) return {};  // its stores are not complete yet
  for (int n = 0; n < kRecordsPerTaskPerIteration; ++n) {
    // The next record is the one with the smallest timestamp among the partitions' heads; a
    // task with an empty partition waits for it as max.task.idle.ms says. (With one input there
    // is nothing to wait for: empty, it has nothing to process.)
    PartitionBuffer* next = nullptr;
    std::int64_t next_ts = 0;
    bool held = false;
    bool some_empty = false;
    const bool several_inputs = task.partitions.size() > 1;
    for (std::size_t i = 0; i < task.partitions.size(); ++i) {
      PartitionBuffer& buffer = task.partitions[i];
      if (buffer.records.empty()) {
        some_empty = true;
        held |= several_inputs &&
                !task.idling.admits(
                    i, buffer.caught_up ? InputState::kCaughtUp : InputState::kLagging, now_ms);
        continue;
      }
      if (several_inputs) task.idling.admits(i, InputState::kBuffered, now_ms);
      const std::int64_t ts = kafka::message_timestamp(*buffer.records.front()).value_or(now_ms);
      if (next == nullptr || ts < next_ts) {
        next = &buffer;
        next_ts = ts;
      }
    }
    if (next == nullptr || held) return {};
    // Kafka Streams counts enforced processing only when the task waited (-1 never does).
    if (some_empty && config_.max_task_idle_ms >= 0) ++task.enforced_processing;

    kafka::MessagePtr message = std::move(next->records.front());
    next->records.pop_front();
    SourceRecord record;
    record.topic = next->topic;
    record.partition = message->partition;
    record.offset = message->offset;
    record.timestamp = next_ts;
    record.key = kafka::message_key(*message);
    record.value = kafka::message_value(*message);
    Result<Headers> headers = kafka::message_headers(*message);
    if (headers.ok()) {
      record.headers = std::move(headers).value();
    } else {
      logger().warn("{}: unreadable headers at {}-{}@{}: {}", name_, record.topic, record.partition,
                    record.offset, headers.status().to_string());
    }
    Status status = task.task->process(record);
    if (!status.ok()) {
      return status.with_context("task " + task.task->task_id().to_string());
    }
    next->processed_offset = message->offset + 1;
    e2e_latency_total_ms_ += static_cast<double>(now_ms - next_ts);
    ++e2e_samples_;
    local_.end_to_end_latency_max_ms =
        std::max(local_.end_to_end_latency_max_ms, static_cast<double>(now_ms - next_ts));
  }
  return {};
}

Status StreamThread::maybe_commit(bool force) {
  const auto interval = std::chrono::milliseconds(config_.effective_commit_interval_ms());
  if (!force && std::chrono::steady_clock::now() - last_commit_ < interval) return {};
  Status status = commit(CommitKind::kPeriodic);
  // Every interval, also when nothing was committed: a task that waits with a backlog commits
  // nothing, and its lag is what shows it.
  update_lag();
  if (status.ok()) return {};
  if (status.code() == StatusCode::kFatal) return status;
  if (eos_) return abort_and_rewind(status);
  // A flush that timed out (broker unreachable) or a commit refused during a rebalance: the
  // offsets stay uncommitted and the next interval tries again; nothing is lost.
  logger().warn("{}: commit deferred: {}", name_, status.to_string());
  return {};
}

Status StreamThread::commit(CommitKind kind) {
  last_commit_ = std::chrono::steady_clock::now();
  if (failed_ || producer_ == nullptr || consumer_ == nullptr) return {};
  if (eos_) KSTREAMS_RETURN_IF_ERROR(ensure_transaction());
  const auto started = std::chrono::steady_clock::now();
  // State first: caches write down (emitting their updates downstream and to the changelogs).
  for (auto& [id, task] : tasks_) {
    if (task.restoring > 0) continue;
    Status flushed = task.task->flush_state();
    if (!flushed.ok()) {
      if (eos_ && flushed.code() == StatusCode::kTransactionAbortable) return flushed;
      return Status(StatusCode::kFatal, flushed.message());
    }
  }
  const bool final = kind == CommitKind::kFinal;
  if (!eos_ && !final) {
    // At-least-once, periodic: the offsets processed so far are committed once every output
    // sent before them is acknowledged (commit_acknowledged), without waiting for it here.
    std::vector<kafka::TopicPartition> processed;
    for (auto& [id, task] : tasks_) {
      for (auto& buffer : task.partitions) {
        if (buffer.processed_offset > buffer.committed_offset) {
          processed.push_back({buffer.topic, buffer.partition, buffer.processed_offset});
        }
      }
    }
    if (!processed.empty()) pending_.close_epoch(std::move(processed));
    commit_acknowledged();  // what is acknowledged already (checkpoints included)
    record_commit_latency(started);
    return {};
  }
  // Outputs next: an offset is committed only once everything produced before it is durable.
  KSTREAMS_RETURN_IF_ERROR(producer_->flush(producer_timeout()));
  if (!delivery_error_.ok()) return delivery_error_;
  // Everything is acknowledged: the offsets below supersede any waiting for acknowledgements.
  pending_.drop_closed_offsets();
  std::vector<kafka::TopicPartition> offsets;
  for (auto& [id, task] : tasks_) {
    for (auto& buffer : task.partitions) {
      // A final commit resends everything, in case an earlier asynchronous commit failed.
      if (buffer.processed_offset > buffer.committed_offset ||
          (final && buffer.processed_offset >= 0)) {
        offsets.push_back({buffer.topic, buffer.partition, buffer.processed_offset});
      }
    }
  }
  if (eos_) {
    // Outputs, changelog writes and offsets become visible together, or not at all.
    if (offsets.empty() && collector_->sent() == sent_at_begin_) return {};
    if (!offsets.empty()) {
      kafka::GroupMetadataPtr group = consumer_->group_metadata();
      if (!group) return Status(StatusCode::kTaskMigrated, "no consumer group metadata");
      KSTREAMS_RETURN_IF_ERROR(
          producer_->send_offsets_to_transaction(offsets, group.get(), producer_timeout()));
    }
    KSTREAMS_RETURN_IF_ERROR(producer_->commit_transaction(producer_timeout()));
    in_transaction_ = false;
    // Checkpoints only when tasks close cleanly: a crash must not leave one that points past
    // what the stores can be trusted with.
    if (final) checkpoint_tasks(/*force=*/true);
  } else {
    // Every changelog write is durable now: the checkpoints may say so.
    checkpoint_tasks(/*force=*/true);
    if (offsets.empty()) {
      record_commit_latency(started);  // the flush may have taken a while
      return {};
    }
    KSTREAMS_RETURN_IF_ERROR(consumer_->commit(offsets, kafka::CommitMode::kSync));
  }
  for (auto& [id, task] : tasks_) {
    for (auto& buffer : task.partitions) buffer.committed_offset = buffer.processed_offset;
  }
  ++local_.commits;
  record_commit_latency(started);
  update_lag();
  return {};
}

void StreamThread::commit_acknowledged() {
  if (eos_ || !pending_.has_closed() || !delivery_error_.ok()) return;
  std::vector<kafka::TopicPartition> acknowledged = pending_.take_committable();
  // Only partitions still owned, and only forward.
  std::erase_if(acknowledged, [this](const kafka::TopicPartition& tp) {
    const PartitionBuffer* buffer = find_buffer(tp.topic, tp.partition);
    return buffer == nullptr || tp.offset <= buffer->committed_offset;
  });
  if (acknowledged.empty()) return;
  // Their changelog writes are acknowledged too: the checkpoints may say so, once they are worth
  // their fsyncs.
  checkpoint_tasks(/*force=*/false);
  if (Status s = consumer_->commit(acknowledged, kafka::CommitMode::kAsync); !s.ok()) {
    // Refused during a rebalance, say: the offsets stay uncommitted and the next commit interval
    // takes them again; nothing is lost.
    logger().warn("{}: commit deferred: {}", name_, s.to_string());
    return;
  }
  for (const kafka::TopicPartition& tp : acknowledged) {
    find_buffer(tp.topic, tp.partition)->committed_offset = tp.offset;
  }
  ++local_.commits;
  update_lag();
}

StreamThread::PartitionBuffer* StreamThread::find_buffer(const std::string& topic,
                                                         std::int32_t partition) {
  auto it = buffer_index_.find(std::make_pair(topic, partition));
  if (it == buffer_index_.end()) return nullptr;
  auto task = tasks_.find(it->second.first);
  if (task == tasks_.end()) return nullptr;
  return &task->second.partitions[it->second.second];
}

void StreamThread::record_commit_latency(std::chrono::steady_clock::time_point started) {
  const double took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  commit_latency_total_ms_ += took_ms;
  ++timed_commits_;
  local_.commit_latency_max_ms = std::max(local_.commit_latency_max_ms, took_ms);
}

void StreamThread::update_lag() {
  // Over every owned partition, not only those in the last commit: a paused or waiting partition
  // with a backlog is where lag matters. From the watermarks the consumer already knows (no
  // request). A partition's position is its committed offset, else its processed one, else its
  // first buffered record. One caught up with nothing buffered or uncommitted has nothing left,
  // whatever the watermark says: after a transaction's last record comes its commit marker.
  if (consumer_->native_handle() == nullptr) return;  // closed (a static member's handle is gone)
  std::int64_t lag = 0;
  bool known = false;
  for (auto& [id, task] : tasks_) {
    for (PartitionBuffer& buffer : task.partitions) {
      std::int64_t position =
          buffer.committed_offset >= 0 ? buffer.committed_offset : buffer.processed_offset;
      if (position < 0 && !buffer.records.empty()) position = buffer.records.front()->offset;
      std::int64_t low = 0;
      std::int64_t high = 0;
      buffer.lag = -1;
      if (buffer.caught_up && buffer.records.empty() &&
          buffer.processed_offset <= buffer.committed_offset) {
        buffer.lag = 0;
      } else if (position >= 0 &&
                 rd_kafka_get_watermark_offsets(consumer_->native_handle(), buffer.topic.c_str(),
                                                buffer.partition, &low,
                                                &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                 high >= position) {
        buffer.lag = high - position;
      }
      if (buffer.lag >= 0) {
        known = true;
        lag += buffer.lag;
      }
    }
  }
  local_.consumer_lag = known ? lag : -1;
}

void StreamThread::on_rebalance(kafka::RebalanceEvent event,
                                const std::vector<kafka::TopicPartition>& partitions) {
  std::lock_guard tasks_lock(tasks_mutex_);
  ++local_.rebalances;
  switch (event) {
    case kafka::RebalanceEvent::kRevoked: {
      if (state() != State::kPendingShutdown) set_state(State::kPartitionsRevoked);
      Status status = commit(CommitKind::kFinal);
      if (!status.ok()) {
        logger().warn("{}: commit before revocation failed: {}", name_, status.to_string());
        if (eos_ && in_transaction_) {
          // Its outputs must not become visible: abort. The tasks close without a checkpoint,
          // so whoever gets them next rebuilds their stores from the changelogs.
          if (Status a = producer_->abort_transaction(producer_timeout()); !a.ok()) {
            logger().warn("{}: abort_transaction: {}", name_, a.to_string());
            if (a.code() == StatusCode::kFatal) rebalance_error_ = a;
          }
          in_transaction_ = false;
        }
      }
      close_tasks(partitions);
      break;
    }
    case kafka::RebalanceEvent::kLost:
      pending_.drop_closed_offsets();  // not ours to commit any more
      if (state() != State::kPendingShutdown) set_state(State::kPartitionsRevoked);
      logger().warn(
          "{}: {} partitions lost (group membership lost); closing their tasks without "
          "commit",
          name_, partitions.size());
      close_tasks(partitions);
      break;
    case kafka::RebalanceEvent::kAssigned: {
      pending_.drop_closed_offsets();  // the new tasks start from the committed offsets
      ++assignment_epoch_;
      last_assigned_ = partitions;
      if (state() == State::kPendingShutdown) {
        // Served while the consumer closes (Consumer::close serves what is queued): the
        // partitions go back with the close; tasks for them would only be opened to be closed.
        logger().info("{}: {} partitions assigned while shutting down; no tasks created", name_,
                      partitions.size());
        break;
      }
      set_state(State::kPartitionsAssigned);
      Status status = create_tasks(partitions);
      if (!status.ok()) {
        rebalance_error_ = status;
        return;
      }
      if (!shutdown_requested_.load()) set_state(State::kRunning);
      break;
    }
  }
  publish_metrics();
}

Status StreamThread::create_tasks(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    auto sub = subtopology_by_topic_.find(tp.topic);
    if (sub == subtopology_by_topic_.end()) {
      logger().warn("{}: assigned {}-{}, which no source reads; ignoring", name_, tp.topic,
                    tp.partition);
      continue;
    }
    const TaskId id{sub->second, tp.partition};
    auto it = tasks_.find(id);
    if (it == tasks_.end()) {
      auto task = Task::create(topology_, {id.subtopology}, id, config_, *collector_,
                               &wall_clock_now_ms, stores_);
      if (!task.ok()) return task.status().with_context("creating task " + id.to_string());
      it = tasks_
               .emplace(id, ActiveTask{.task = std::move(task).value(),
                                       .partitions = {},
                                       .idling = TaskIdling(config_.max_task_idle_ms),
                                       .enforced_processing = 0,
                                       .restoring = 0})
               .first;
      logger().info("{}: created task {}", name_, id.to_string());
      KSTREAMS_RETURN_IF_ERROR(begin_restoration(it->second));
    }
    PartitionBuffer buffer;
    buffer.topic = tp.topic;
    buffer.partition = tp.partition;
    it->second.partitions.push_back(std::move(buffer));
  }
  reindex_buffers();
  return {};
}

void StreamThread::close_tasks(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    auto it = buffer_index_.find({tp.topic, tp.partition});
    if (it == buffer_index_.end()) continue;
    auto task = tasks_.find(it->second.first);
    if (task != tasks_.end()) {
      const TaskId id = task->first;
      const bool was_restoring = suspend_restorations(id);
      for (auto& [topic, owners] : changelog_owner_) {
        std::erase_if(owners, [&](const auto& entry) { return entry.second == id; });
      }
      std::erase_if(changelog_owner_, [](const auto& entry) { return entry.second.empty(); });
      if (was_restoring) {
        if (Status s = reassign_restore_consumer(); !s.ok()) {
          logger().warn("{}: restore consumer: {}", name_, s.to_string());
        }
      }
      // librdkafka keeps a partition paused across reassignments and seeks, but the buffer
      // that knew it is gone: a task made for it again (same member, or after a rewind) would
      // never see its records, nor the end of partition its other inputs may wait for.
      for (const PartitionBuffer& buffer : task->second.partitions) {
        if (!buffer.paused) continue;
        if (Status s = consumer_->resume({{buffer.topic, buffer.partition}}); !s.ok()) {
          logger().debug("{}: resume {}-{}: {}", name_, buffer.topic, buffer.partition,
                         s.to_string());
        }
      }
      task->second.task->close();
      closed_tasks_metrics_ += task->second.task->metrics();
      logger().info("{}: closed task {}", name_, task->first.to_string());
      tasks_.erase(task);
    }
    buffer_index_.erase(it);
  }
  reindex_buffers();
}

void StreamThread::reindex_buffers() {
  buffer_index_.clear();
  for (auto& [id, task] : tasks_) {
    for (std::size_t i = 0; i < task.partitions.size(); ++i) {
      buffer_index_[{task.partitions[i].topic, task.partitions[i].partition}] = {id, i};
    }
  }
  local_.active_tasks = tasks_.size();
  local_.assigned_partitions = buffer_index_.size();
}

void StreamThread::on_delivery(const kafka::DeliveryReport& report) {
  pending_.on_delivery(report.opaque);
  if (report.status.ok()) {
    auto topic = changelog_owner_.find(report.topic);
    if (topic == changelog_owner_.end()) return;
    auto owner = topic->second.find(report.partition);
    if (owner == topic->second.end()) return;
    auto task = tasks_.find(owner->second);
    if (task != tasks_.end()) {
      task->second.task->stores().on_changelog_written(topic->first, report.offset);
    }
    return;
  }
  if (eos_) {
    // Inside a transaction a failed record fails the transaction: commit_transaction reports
    // it, and the transaction is aborted and its input processed again.
    if (!delivery_failure_logged_) {  // one line per transaction, not one per record
      delivery_failure_logged_ = true;
      logger().warn("{}: delivery to {} failed inside a transaction: {}", name_, report.topic,
                    report.status.to_string());
    }
    return;
  }
  ErrorContext context;
  context.kind = ErrorKind::kProduction;
  context.node = "producer";
  context.topic = report.topic;
  context.partition = report.partition;
  context.error = &report.status;
  ErrorAction action = ErrorAction::kFail;
  try {
    action = config_.default_production_exception_handler(context);
  } catch (const std::exception& e) {
    logger().error("{}: production exception handler threw: {}", name_, e.what());
  }
  if (action == ErrorAction::kContinue) {
    ++closed_tasks_metrics_.records_skipped;
    logger().warn("{}: delivery to {} failed, skipped by the production handler: {}", name_,
                  report.topic, report.status.to_string());
    return;
  }
  // kFail, and kDeadLetter (the input record is long processed; its offset is not committed,
  // so it is processed again after the restart: nothing is lost).
  if (delivery_error_.ok()) {
    delivery_error_ = Status(StatusCode::kFatal, "delivery to " + std::string(report.topic) +
                                                     " failed: " + report.status.to_string());
  }
}

Status StreamThread::ensure_transaction() {
  if (!eos_ || in_transaction_) return {};
  KSTREAMS_RETURN_IF_ERROR(producer_->begin_transaction());
  in_transaction_ = true;
  sent_at_begin_ = collector_->sent();
  delivery_failure_logged_ = false;
  return {};
}

Status StreamThread::abort_and_rewind(const Status& cause) {
  if (cause.code() == StatusCode::kFatal) return cause;
  logger().warn(
      "{}: transaction failed ({}); aborting it and rewinding every task to its "
      "committed offsets",
      name_, cause.to_string());
  if (in_transaction_) {
    Status aborted = producer_->abort_transaction(producer_timeout());
    if (!aborted.ok()) {
      return Status(StatusCode::kFatal, "abort_transaction after '" + cause.message() +
                                            "' failed: " + aborted.message());
    }
    in_transaction_ = false;
  }
  ++local_.aborts;
  std::vector<kafka::TopicPartition> partitions;
  for (const auto& [id, task] : tasks_) {
    for (const auto& buffer : task.partitions)
      partitions.push_back({buffer.topic, buffer.partition});
  }
  close_tasks(partitions);
  if (partitions.empty()) return {};
  KSTREAMS_ASSIGN_OR_RETURN(auto committed,
                            consumer_->committed(partitions, std::chrono::seconds(30)));
  for (auto& tp : committed) {
    if (tp.offset < 0) tp.offset = -2;  // nothing committed yet: from the beginning
  }
  // Seeking discards what librdkafka fetched before (its fetch version moves on).
  KSTREAMS_RETURN_IF_ERROR(consumer_->seek(committed, std::chrono::seconds(30)));
  return create_tasks(partitions);
}

Status StreamThread::drop_stale_records(std::vector<kafka::MessagePtr>& batch) {
  std::set<std::pair<std::string, std::int32_t>> assigned;
  for (const auto& tp : last_assigned_) assigned.emplace(tp.topic, tp.partition);
  auto in_assignment = [&](const kafka::MessagePtr& m) {
    return assigned.contains({std::string(kafka::message_topic(*m)), m->partition});
  };
  // Only records call for a rewind. Ends of partitions alone stay: librdkafka reports an end
  // once, and a task may wait for it (max.task.idle.ms).
  const auto records = std::count_if(batch.begin(), batch.end(), [&](const kafka::MessagePtr& m) {
    return m->err == RD_KAFKA_RESP_ERR_NO_ERROR && in_assignment(m);
  });
  if (records == 0) return {};
  std::erase_if(batch, in_assignment);  // the seek below reports the ends anew
  logger().info(
      "{}: dropped {} records polled across a rebalance; rewinding {} partitions to "
      "their committed offsets",
      name_, records, last_assigned_.size());
  KSTREAMS_ASSIGN_OR_RETURN(auto committed,
                            consumer_->committed(last_assigned_, std::chrono::seconds(30)));
  for (auto& tp : committed) {
    if (tp.offset < 0) tp.offset = -2;  // nothing committed: from the beginning (earliest)
    if (PartitionBuffer* buffer = find_buffer(tp.topic, tp.partition)) buffer->caught_up = false;
  }
  return consumer_->seek(committed, std::chrono::seconds(30));
}

Status StreamThread::begin_restoration(ActiveTask& task) {
  TaskStores& stores = task.task->stores();
  const TaskId id = task.task->task_id();
  for (const ChangelogPartition& changelog : stores.changelogs()) {
    changelog_owner_[changelog.topic][changelog.partition] = id;
    // The high watermark. Under exactly-once it is asked by a client that reads uncommitted:
    // a read_committed one gets the last stable offset, which a crashed instance's open
    // transaction holds back, and restoring only that far would miss records committed after
    // it. The restore consumer (read_committed) gets past the high watermark only once that
    // transaction is aborted, so restoration waits for it, as it must. A changelog created a
    // moment ago may have no leader yet: retried for a while.
    kafka::Consumer& asked = eos_ ? *end_offsets_client_ : *restore_consumer_;
    KSTREAMS_ASSIGN_OR_RETURN(
        auto watermarks,
        asked.watermarks(changelog.topic, changelog.partition, std::chrono::seconds(30)));
    const auto [low, high] = watermarks;
    std::int64_t start = changelog.restore_from.value_or(low);
    if (start > high) {
      // The checkpoint is past the changelog's end (the topic was recreated): the local state
      // cannot be trusted; rebuild it from what the changelog holds.
      logger().warn(
          "{}: task {}: checkpoint of {} ({}) is past the changelog's end ({}); "
          "rebuilding store {} from the changelog",
          name_, id.to_string(), changelog.topic, start, high, changelog.store);
      KSTREAMS_RETURN_IF_ERROR(stores.get(changelog.store)->clear());
      start = low;
    }
    start = std::max(start, low);
    if (start >= high) continue;
    const auto now = std::chrono::steady_clock::now();
    restorations_.push_back(Restoration{id, changelog.store, changelog.topic, changelog.partition,
                                        start, high, start, 0, now, now});
    ++task.restoring;
    notify_restore(&StateRestoreListener::on_restore_start, restorations_.back(), -1, 0);
    logger().info("{}: task {}: restoring store {} from {}-{}, offsets {} to {} ({} records)",
                  name_, id.to_string(), changelog.store, changelog.topic, changelog.partition,
                  start, high, high - start);
  }
  if (task.restoring > 0) return reassign_restore_consumer();
  return {};
}

Status StreamThread::reassign_restore_consumer() {
  std::vector<kafka::TopicPartition> assignment;
  for (const Restoration& r : restorations_) {
    assignment.push_back({r.topic, r.partition, r.next_offset});
  }
  return restore_consumer_->assign(assignment);
}

Status StreamThread::restore_some(std::chrono::milliseconds timeout) {
  KSTREAMS_ASSIGN_OR_RETURN(auto batch, restore_consumer_->poll_batch(10000, timeout));
  // Apply the records per changelog partition, in runs, as one store batch each.
  std::vector<KeyValueBytes> entries;
  std::size_t i = 0;
  while (i < batch.size()) {
    const std::string_view topic = kafka::message_topic(*batch[i]);
    const std::int32_t partition = batch[i]->partition;
    entries.clear();
    std::int64_t last = -1;
    std::size_t j = i;
    for (; j < batch.size() && batch[j]->partition == partition &&
           kafka::message_topic(*batch[j]) == topic;
         ++j) {
      NullableByteView key = kafka::message_key(*batch[j]);
      if (!key) continue;  // a changelog record always has a key; skip anything else
      NullableByteView value = kafka::message_value(*batch[j]);
      entries.push_back(
          KeyValueBytes{Bytes(*key), value ? NullableBytes(Bytes(*value)) : NullableBytes()});
      last = batch[j]->offset;
    }
    i = j;
    auto r = std::find_if(restorations_.begin(), restorations_.end(), [&](const Restoration& x) {
      return x.partition == partition && x.topic == topic;
    });
    if (r == restorations_.end() || last < r->next_offset) continue;  // stale or revoked
    ActiveTask& task = tasks_.at(r->task);
    KSTREAMS_RETURN_IF_ERROR(task.task->stores().restore(r->store, entries));
    task.task->stores().on_changelog_written(r->topic, last);
    r->next_offset = last + 1;
    r->restored += entries.size();
    notify_restore(&StateRestoreListener::on_batch_restored, *r, last, entries.size());
  }
  // Finished: reached the end offset (or the consumer moved past it over compacted gaps).
  std::vector<Restoration> done;
  const auto now = std::chrono::steady_clock::now();
  for (Restoration& r : restorations_) {
    if (r.next_offset < r.end_offset) {
      auto position = restore_consumer_->position({{r.topic, r.partition}});
      if (position.ok() && !position->empty() && position->front().offset >= r.end_offset) {
        r.next_offset = r.end_offset;
      }
    }
    if (r.next_offset >= r.end_offset) {
      done.push_back(r);
    } else if (now - r.last_log > std::chrono::seconds(5)) {
      r.last_log = now;
      const double seconds = std::chrono::duration<double>(now - r.started).count();
      logger().info("{}: task {}: restoring {}: {:.0f}% ({} records, {:.0f} records/s)", name_,
                    r.task.to_string(), r.store,
                    100.0 * static_cast<double>(r.next_offset - r.start_offset) /
                        static_cast<double>(r.end_offset - r.start_offset),
                    r.restored, static_cast<double>(r.restored) / std::max(seconds, 1e-3));
    }
  }
  if (done.empty()) return {};
  std::erase_if(restorations_, [](const Restoration& r) { return r.next_offset >= r.end_offset; });
  for (const Restoration& r : done) KSTREAMS_RETURN_IF_ERROR(finish_restoration(r));
  return reassign_restore_consumer();
}

Status StreamThread::finish_restoration(const Restoration& done) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - done.started).count();
  logger().info("{}: task {}: restored store {}: {} records in {:.2f} s ({:.0f} records/s)", name_,
                done.task.to_string(), done.store, done.restored, seconds,
                static_cast<double>(done.restored) / std::max(seconds, 1e-3));
  notify_restore(&StateRestoreListener::on_restore_end, done, -1, 0);
  auto it = tasks_.find(done.task);
  if (it == tasks_.end()) return {};
  ActiveTask& task = it->second;
  if (--task.restoring > 0) return {};
  // Restored data bypassed RocksDB's WAL: make it durable before a checkpoint points at it.
  KSTREAMS_RETURN_IF_ERROR(task.task->stores().flush());
  // Under exactly-once no checkpoint while the task runs: the stores are about to take writes
  // that a transaction may still abort, and a checkpoint would make a later open trust them.
  if (Status s = eos_ ? Status() : task.task->stores().checkpoint(/*force=*/true); !s.ok()) {
    logger().warn("{}: task {}: checkpoint after restoration: {}", name_, done.task.to_string(),
                  s.to_string());
  }
  logger().info("{}: task {} restored; processing starts", name_, done.task.to_string());
  return {};
}

bool StreamThread::suspend_restorations(const std::optional<TaskId>& task) {
  auto of_task = [&task](const Restoration& r) { return !task || r.task == *task; };
  for (const Restoration& r : restorations_) {
    if (!of_task(r)) continue;
    logger().info("{}: task {}: restoration of store {} from {}-{} suspended at offset {} of {}",
                  name_, r.task.to_string(), r.store, r.topic, r.partition, r.next_offset,
                  r.end_offset);
    notify_restore(&StateRestoreListener::on_restore_suspended, r, -1, 0);
  }
  return std::erase_if(restorations_, of_task) > 0;
}

Status StreamThread::visit_store(const std::string& name,
                                 const std::function<Status(BytesKeyValueStore&)>& visit) const {
  std::lock_guard lock(tasks_mutex_);
  for (const auto& [id, task] : tasks_) {
    if (task.restoring > 0) continue;
    if (BytesKeyValueStore* store = task.task->stores().get(name)) {
      KSTREAMS_RETURN_IF_ERROR(visit(*store));
    }
  }
  return {};
}

void StreamThread::notify_restore(RestoreCallback callback, const Restoration& r,
                                  std::int64_t batch_end, std::uint64_t batch_size) const {
  if (!stores_.restore_listener) return;
  internal::notify_restore(stores_.restore_listener.get(), callback,
                           RestoreEvent{r.store, r.topic, r.partition, r.start_offset, r.end_offset,
                                        batch_end, batch_size, r.restored},
                           name_);
}

void StreamThread::checkpoint_tasks(bool force) {
  for (auto& [id, task] : tasks_) {
    if (task.restoring > 0 || task.task->stores().empty()) continue;
    if (Status s = task.task->stores().checkpoint(force); !s.ok()) {
      // Not fatal: without a fresh checkpoint a restart restores more, never less.
      logger().warn("{}: task {}: checkpoint: {}", name_, id.to_string(), s.to_string());
    }
  }
}

void StreamThread::publish_metrics() {
  ThreadMetrics snapshot = local_;
  snapshot.processing = closed_tasks_metrics_;
  for (const auto& [id, task] : tasks_) {
    snapshot.processing += task.task->metrics();
    TaskMetrics metrics{.id = id,
                        .processing = task.task->metrics(),
                        .enforced_processing = task.enforced_processing};
    for (const PartitionBuffer& buffer : task.partitions) {
      metrics.records_consumed += buffer.consumed;
      metrics.buffered_records += buffer.records.size();
      if (buffer.lag >= 0) {
        metrics.consumer_lag = std::max<std::int64_t>(metrics.consumer_lag, 0) + buffer.lag;
      }
    }
    snapshot.tasks.push_back(std::move(metrics));
  }
  snapshot.commit_latency_avg_ms =
      timed_commits_ == 0 ? 0 : commit_latency_total_ms_ / static_cast<double>(timed_commits_);
  snapshot.end_to_end_latency_avg_ms =
      e2e_samples_ == 0 ? 0 : e2e_latency_total_ms_ / static_cast<double>(e2e_samples_);
  std::lock_guard lock(metrics_mutex_);
  published_ = std::move(snapshot);
}

}  // namespace kstreams::internal
