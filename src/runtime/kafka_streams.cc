#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include <kstreams/kafka_streams.h>

#include "src/core/logging.h"
#include "src/core/thread_name.h"
#include "src/kafka/admin.h"
#include "src/kafka/consumer.h"
#include "src/kafka/embedded_cluster.h"
#include "src/kafka/message.h"
#include "src/kafka/producer.h"
#include "src/runtime/client_configs.h"
#include "src/runtime/global_stores.h"
#include "src/runtime/metrics_http_server.h"
#include "src/runtime/prometheus_text.h"
#include "src/runtime/restore_notification.h"
#include "src/runtime/stream_thread.h"
#include "src/topology/topology_definition.h"

namespace kstreams {
namespace {

using internal::StreamThread;

std::string new_process_id() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<std::uint64_t>(device()) << 32) ^ device());
  char id[20];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}

constexpr auto kMetadataTimeout = std::chrono::seconds(30);

}  // namespace

std::string_view to_string(StreamsState state) {
  switch (state) {
    case StreamsState::kCreated:
      return "CREATED";
    case StreamsState::kRebalancing:
      return "REBALANCING";
    case StreamsState::kRunning:
      return "RUNNING";
    case StreamsState::kPendingShutdown:
      return "PENDING_SHUTDOWN";
    case StreamsState::kNotRunning:
      return "NOT_RUNNING";
    case StreamsState::kPendingError:
      return "PENDING_ERROR";
    case StreamsState::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

class KafkaStreams::Impl {
 public:
  Impl(Topology topology, StreamsConfig config)
      : topology_(internal::resolve_internal_topics(topology, config.application_id)),
        config_(std::move(config)),
        process_id_(new_process_id()) {
    // Kafka Streams refuses an invalid configuration when the client is made. Here the client
    // starts in ERROR, error() names the property, and start() returns that error.
    if (Status invalid = check_config(); !invalid.ok()) {
      internal::logger().error("{}: invalid configuration: {}", config_.application_id,
                               invalid.to_string());
      state_ = StreamsState::kError;
      error_ = invalid;
      invalid_config_ = true;
    }
  }

  ~Impl() { static_cast<void>(close(CloseOptions{.timeout = std::chrono::hours(1)})); }

  void set_state_listener(StateListener listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }
  void set_uncaught_exception_handler(UncaughtExceptionHandler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }

  Status start() {
    // Held until start() is done: a close() meanwhile waits for it, then stops what it started.
    std::lock_guard starting(start_mutex_);
    {
      std::lock_guard lock(mutex_);
      if (invalid_config_) return error_;
      if (state_ != StreamsState::kCreated) {
        return illegal_state("KafkaStreams::start: only a CREATED client can start; this one is " +
                             std::string(to_string(state_)));
      }
    }
    if (Status s = prepare(); !s.ok()) {
      stop_threads(std::chrono::seconds(30));
      transition(StreamsState::kError, s);
      return s;
    }
    transition(StreamsState::kRebalancing, {});
    // A thread that got its partitions before the client left CREATED had its update ignored:
    // look at the threads once more.
    on_thread_state(StreamThread::State::kRunning);
    supervisor_ = std::thread([this] { supervise(); });
    internal::name_thread(supervisor_, "ks:supervisor");
    return {};
  }

  Status close(const CloseOptions& options) {
    const std::chrono::milliseconds timeout = options.timeout;
    { std::lock_guard started(start_mutex_); }  // a start() under way finishes first
    bool never_started = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_) {
        // Again, after a close that timed out: threads still stopping may yet leave the group.
        if (options.leave_group) {
          for (const auto& t : threads_) t->request_shutdown(/*leave_group=*/true);
        }
        return {};
      }
      closed_ = true;
      never_started = state_ == StreamsState::kCreated;
    }
    if (never_started) {
      // Nothing runs yet; the listener still sees the states Kafka Streams goes through.
      transition(StreamsState::kPendingShutdown, {});
      transition(StreamsState::kNotRunning, {});
      return {};
    }
    // An add_stream_thread() under way either put its thread where stop_threads() finds it or
    // stops it itself: wait for it.
    { std::lock_guard adding(add_mutex_); }
    const bool errored = state() == StreamsState::kError || state() == StreamsState::kPendingError;
    if (!errored) transition(StreamsState::kPendingShutdown, {});
    {
      std::lock_guard lock(mutex_);
      stop_supervisor_ = true;
    }
    cv_.notify_all();
    if (supervisor_.joinable()) supervisor_.join();
    const bool stopped = stop_threads(timeout, options.leave_group);
    stop_global();
    if (!errored) transition(StreamsState::kNotRunning, {});
    log_summary();
    metrics_server_.reset();  // start() is over (start_mutex_), so nothing sets it meanwhile
    metrics_port_ = -1;
    if (!stopped) {
      return Status(StatusCode::kTimeout,
                    "KafkaStreams::close: stream threads still running after " +
                        std::to_string(timeout.count()) + " ms");
    }
    return {};
  }

  Result<std::string> add_stream_thread() {
    std::lock_guard adding(add_mutex_);
    int index = 0;
    {
      std::lock_guard lock(mutex_);
      KSTREAMS_RETURN_IF_ERROR(require_running("add_stream_thread"));
      if (closed_) return illegal_state("add_stream_thread: the client is closing");
      while (indices_.contains(index)) ++index;
      indices_.insert(index);
    }
    Result<std::string> name = start_thread(index);
    if (!name.ok()) {
      std::lock_guard lock(mutex_);
      indices_.erase(index);
      return name.status().with_context("add_stream_thread");
    }
    internal::logger().info("{}: added {}", config_.application_id, *name);
    return name;
  }

  Result<std::string> remove_stream_thread(std::chrono::milliseconds timeout) {
    std::shared_ptr<StreamThread> removed;
    {
      std::lock_guard lock(mutex_);
      KSTREAMS_RETURN_IF_ERROR(require_running("remove_stream_thread"));
      for (const auto& t : live_threads()) {
        if (!removed || t->index() > removed->index()) removed = t;
      }
      if (!removed) return not_found("remove_stream_thread: no stream thread is running");
      // It leaves the group, static member or not, so that the others take its partitions at
      // once; the supervisor retires it once it has stopped.
      removed->request_shutdown(/*leave_group=*/true, std::chrono::steady_clock::now() + timeout);
      resize_caches();
    }
    const std::string& name = removed->name();
    internal::logger().info("{}: removing {}", config_.application_id, name);
    auto in_threads = [&] {
      return std::find(threads_.begin(), threads_.end(), removed) != threads_.end();
    };
    std::unique_lock lock(mutex_);
    const bool retired =
        cv_.wait_for(lock, timeout, [&] { return stop_supervisor_ || !in_threads(); });
    if (!retired) {
      return Status(StatusCode::kTimeout, "remove_stream_thread: " + name +
                                              " is still stopping after " +
                                              std::to_string(timeout.count()) + " ms");
    }
    if (in_threads()) {  // woken by close()
      return illegal_state("remove_stream_thread: the client closed while " + name +
                           " was stopping; the close stops it");
    }
    return name;
  }

  StreamsState state() const {
    std::lock_guard lock(mutex_);
    return state_;
  }
  Status error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }
  std::string bootstrap_servers() const {
    std::lock_guard lock(mutex_);
    return bootstrap_;
  }
  int metrics_port() const { return metrics_port_; }

  std::vector<ThreadMetrics> thread_metrics() const {
    std::lock_guard lock(mutex_);
    std::vector<ThreadMetrics> out;
    for (const auto& t : threads_) out.push_back(t->metrics());
    return out;
  }
  ProcessingMetrics metrics() const {
    // One critical section: a thread retired meanwhile is counted once, never missed.
    std::lock_guard lock(mutex_);
    ProcessingMetrics total = retired_metrics_;
    for (const auto& t : threads_) total += t->metrics().processing;
    return total;
  }
  // What the Prometheus endpoint shows, in one critical section: the client's totals are the sum
  // of the threads on the same page (plus the retired ones).
  internal::MetricsSnapshot metrics_snapshot() const {
    std::lock_guard lock(mutex_);
    internal::MetricsSnapshot snapshot{.application_id = config_.application_id,
                                       .state = state_,
                                       .client = retired_metrics_,
                                       .threads = {}};
    for (const auto& t : threads_) {
      snapshot.threads.push_back(t->metrics());
      snapshot.client += snapshot.threads.back().processing;
    }
    return snapshot;
  }

  Status cleanup() {
    {
      std::lock_guard lock(mutex_);
      if (state_ != StreamsState::kCreated && state_ != StreamsState::kNotRunning &&
          state_ != StreamsState::kError) {
        return illegal_state("cleanup is allowed before start() or after close(); the client is " +
                             std::string(to_string(state_)));
      }
    }
    // The directory removed below is named by application.id: never "..", say.
    KSTREAMS_RETURN_IF_ERROR(config_.validate());
    const std::filesystem::path root =
        std::filesystem::path(config_.state_dir) / config_.application_id;
    std::error_code ec;
    if (config_.application_id.empty() || !std::filesystem::exists(root, ec)) return {};
    KSTREAMS_ASSIGN_OR_RETURN(
        internal::StateDirectory directory,
        internal::StateDirectory::open(config_.state_dir, config_.application_id));
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
      if (!entry.is_directory()) continue;
      // Held while removing: another instance on this host cannot be using it meanwhile.
      KSTREAMS_ASSIGN_OR_RETURN(internal::TaskDirectoryLock lock,
                                directory.lock_task(entry.path().filename().string()));
      std::filesystem::remove_all(entry.path(), ec);
      if (ec)
        return Status(StatusCode::kIo, "cleanup: " + entry.path().string() + ": " + ec.message());
    }
    std::filesystem::remove_all(root, ec);
    if (ec) return Status(StatusCode::kIo, "cleanup: " + root.string() + ": " + ec.message());
    internal::logger().info("{}: deleted the local state in {}", config_.application_id,
                            root.string());
    return {};
  }

  void set_restore_listener(StateRestoreListener listener) {
    restore_listener_ = std::make_shared<const StateRestoreListener>(std::move(listener));
  }

  Result<KafkaStreams::StoreInfo> store_info(const std::string& name) const {
    const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
    auto it = def.stores.find(name);
    if (it == def.stores.end()) {
      return not_found("the topology has no state store '" + name + "'");
    }
    return KafkaStreams::StoreInfo{it->second.timestamped, it->second.serdes};
  }

  Status visit_store(const std::string& name,
                     const std::function<Status(internal::BytesKeyValueStore&)>& visit) const {
    std::vector<std::shared_ptr<StreamThread>> threads;
    {
      std::lock_guard lock(mutex_);
      if (state_ != StreamsState::kRunning && state_ != StreamsState::kRebalancing) {
        return illegal_state(
            "stores can be queried while the client is RUNNING or REBALANCING; "
            "it is " +
            std::string(to_string(state_)));
      }
      threads = threads_;
    }
    if (global_stores_) {
      std::lock_guard global_lock(global_stores_->mutex());
      if (internal::BytesKeyValueStore* store = global_stores_->get(name)) return visit(*store);
    }
    for (const auto& t : threads) KSTREAMS_RETURN_IF_ERROR(t->visit_store(name, visit));
    return {};
  }

  bool wait_for_state(StreamsState wanted, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return state_ == wanted && listeners_running_ == 0; });
  }

 private:
  /// Whether a sub-topology reads more than one topic (a join or a merge), whose partition p
  /// must be processed by one task.
  bool reads_copartitioned_topics() const {
    const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
    std::map<int, int> sources;
    for (const auto& [topic, node] : def.source_by_topic) {
      if (++sources[def.subtopology_of.at(node)] > 1) return true;
    }
    return false;
  }

  /// The configuration as the constructor checks it: valid, with an application.id, and no
  /// client property that undoes what kstreams relies on.
  Status check_config() const {
    KSTREAMS_RETURN_IF_ERROR(config_.validate());
    if (config_.application_id.empty()) return invalid_argument("application.id must be set");
    return internal::check_user_client_properties(config_, reads_copartitioned_topics());
  }

  Status prepare() {  // the configuration was checked by the constructor
    KSTREAMS_RETURN_IF_ERROR(start_metrics_server());
    const bool embedded = config_.uses_embedded_cluster();
    std::string bootstrap = config_.bootstrap_servers;
    if (embedded) {
      KSTREAMS_ASSIGN_OR_RETURN(cluster_,
                                kafka::EmbeddedCluster::start(config_.embedded_cluster_brokers));
      bootstrap = cluster_->bootstrap_servers();
      // The application's own topics: what it reads and writes (internal topics are created
      // below, sized from these).
      const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
      std::set<std::string> topics;
      for (const auto& t : topology_.source_topics()) topics.insert(t);
      for (const auto& t : topology_.sink_topics()) topics.insert(t);
      for (const auto& [t, partitions] : def.repartition_topics) topics.erase(t);
      for (const auto& [t, store] : def.global_store_by_topic) topics.insert(t);
      if (!config_.errors_dead_letter_queue_topic_name.empty()) {
        topics.insert(config_.errors_dead_letter_queue_topic_name);
      }
      for (const auto& t : topics) {
        KSTREAMS_RETURN_IF_ERROR(cluster_->create_topic(t, config_.embedded_cluster_partitions));
      }
      internal::logger().info(
          "{}: running on an embedded Kafka cluster (librdkafka mock, {} brokers) at {}",
          config_.application_id, config_.embedded_cluster_brokers, bootstrap);
      if (config_.processing_guarantee == ProcessingGuarantee::kExactlyOnceV2) {
        internal::logger().warn(
            "{}: exactly_once_v2 on the embedded cluster runs the transactional protocol, but the "
            "mock does not isolate transactions: use a real Kafka cluster for exactly-once",
            config_.application_id);
      }
    }
    {
      std::lock_guard lock(mutex_);
      bootstrap_ = bootstrap;
    }
    KSTREAMS_RETURN_IF_ERROR(prepare_topics(bootstrap, embedded));
    KSTREAMS_RETURN_IF_ERROR(prepare_state());
    KSTREAMS_RETURN_IF_ERROR(start_global(bootstrap, embedded));

    for (int i = 0; i < config_.num_stream_threads; ++i) {
      {
        std::lock_guard lock(mutex_);
        indices_.insert(i);
      }
      KSTREAMS_RETURN_IF_ERROR(start_thread(i).status());
    }
    return {};
  }

  // The Prometheus endpoint, first: a port in use fails start() before anything else runs. It
  // serves until close(), also in state ERROR.
  Status start_metrics_server() {
    if (config_.metrics_port < 0) return {};
    KSTREAMS_ASSIGN_OR_RETURN(
        metrics_server_,
        internal::MetricsHttpServer::start(config_.metrics_host, config_.metrics_port, [this] {
          return internal::prometheus_text(metrics_snapshot());
        }));
    metrics_port_ = metrics_server_->port();
    internal::logger().info("{}: Prometheus metrics at http://{}:{}/metrics",
                            config_.application_id, config_.metrics_host, metrics_port_.load());
    return {};
  }

  // Every source topic must exist; the internal topics (repartition, changelog) are created with
  // the partition counts the topology implies; the source topics of one sub-topology must have
  // the same partition count (partition p of each forms task p).
  Status prepare_topics(const std::string& bootstrap, bool embedded) {
    internal::ClientIdentity id{bootstrap, config_.application_id + "-" + process_id_ + "-admin",
                                embedded};
    KSTREAMS_ASSIGN_OR_RETURN(auto probe,
                              kafka::Producer::create(internal::producer_config(config_, id)));
    const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
    std::map<std::string, int> counts;
    for (const auto& [topic, node] : def.source_by_topic) {
      if (def.repartition_topics.contains(topic)) continue;
      Result<int> count = probe->partition_count(topic, kMetadataTimeout);
      if (!count.ok()) {
        if (count.status().code() == StatusCode::kNotFound) {
          return not_found("source topic '" + topic + "' does not exist on " + bootstrap +
                           "; create it before starting " + config_.application_id);
        }
        return count.status().with_context("reading metadata of source topic '" + topic +
                                           "' from " + bootstrap);
      }
      counts[topic] = *count;
    }
    for (const auto& [topic, store] : def.global_store_by_topic) {
      Result<int> count = probe->partition_count(topic, kMetadataTimeout);
      if (!count.ok()) {
        return count.status().with_context("topic '" + topic + "' of global table '" + store +
                                           "' on " + bootstrap);
      }
    }
    KSTREAMS_ASSIGN_OR_RETURN(auto repartition,
                              internal::repartition_partition_counts(def, counts));
    counts.insert(repartition.begin(), repartition.end());
    // Co-partitioning first: a mismatch is the user's to fix, and nothing is created meanwhile.
    std::map<int, std::vector<std::pair<std::string, int>>> by_subtopology;
    for (const auto& [topic, node] : def.source_by_topic) {
      by_subtopology[def.subtopology_of[node]].emplace_back(topic, counts.at(topic));
    }
    for (const auto& [sub, topics] : by_subtopology) {
      for (const auto& [topic, count] : topics) {
        if (count != topics.front().second) {
          return topology_error("sub-topology " + std::to_string(sub) +
                                ": source topics are not co-partitioned: '" + topics.front().first +
                                "' has " + std::to_string(topics.front().second) +
                                " partitions, '" + topic + "' has " + std::to_string(count));
        }
      }
    }

    // The tasks of a sub-topology: as many as the partitions of its sources.
    std::map<int, int> tasks_of_subtopology;
    for (const auto& [topic, node] : def.source_by_topic) {
      int& n = tasks_of_subtopology[def.subtopology_of[node]];
      n = std::max(n, counts.at(topic));
    }
    std::vector<kafka::NewTopic> internal_topics;
    for (const auto& [topic, partitions] : repartition) {
      internal_topics.push_back(kafka::NewTopic{
          topic, partitions, config_.replication_factor, {{"cleanup.policy", "delete"}}});
    }
    for (std::size_t sub = 0; sub < def.stores_of_subtopology.size(); ++sub) {
      for (const auto& store : def.stores_of_subtopology[sub]) {
        const internal::StoreSpec& spec = def.stores.at(store);
        if (!spec.logging) continue;
        std::map<std::string, std::string> topic_config = spec.changelog_config;
        topic_config.emplace("cleanup.policy", "compact");
        const std::string topic = internal::changelog_topic(config_.application_id, store);
        const int partitions = tasks_of_subtopology[static_cast<int>(sub)];
        internal_topics.push_back(kafka::NewTopic{topic, partitions, config_.replication_factor,
                                                  std::move(topic_config)});
        counts[topic] = partitions;
      }
    }
    // Only missing topics are created, so that a cluster where the application may not create
    // topics works when an operator created them beforehand.
    std::vector<kafka::NewTopic> missing;
    for (const kafka::NewTopic& t : internal_topics) {
      Result<int> existing = probe->partition_count(t.name, kMetadataTimeout);
      if (existing.ok()) continue;
      if (existing.status().code() != StatusCode::kNotFound) {
        return existing.status().with_context("reading metadata of internal topic '" + t.name +
                                              "'");
      }
      internal::logger().info("{}: creating internal topic {} ({} partitions)",
                              config_.application_id, t.name, t.partitions);
      missing.push_back(t);
      if (embedded) KSTREAMS_RETURN_IF_ERROR(cluster_->create_topic(t.name, t.partitions));
    }
    if (!embedded) {
      KSTREAMS_RETURN_IF_ERROR(
          kafka::create_topics(probe->native_handle(), missing, kMetadataTimeout));
    }
    // An internal topic that existed before must have the partitions the topology needs:
    // anything else would silently split a key's state across tasks.
    for (const kafka::NewTopic& t : internal_topics) {
      Result<int> count = Status(StatusCode::kNotFound, "not yet");
      for (int attempt = 0; attempt < 50; ++attempt) {  // metadata may lag the creation
        count = probe->partition_count(t.name, kMetadataTimeout);
        if (count.ok() || count.status().code() != StatusCode::kNotFound) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!count.ok()) return count.status().with_context("internal topic '" + t.name + "'");
      if (*count != t.partitions) {
        return topology_error("internal topic '" + t.name + "' has " + std::to_string(*count) +
                              " partitions, the topology needs " + std::to_string(t.partitions) +
                              "; delete it (and the application's state) or use another "
                              "application.id");
      }
    }

    return {};
  }

  // Global tables: open their stores, bring them up to date with their topics (before any
  // stream thread starts, as Kafka Streams does), then follow the topics on a thread of their own.
  Status start_global(const std::string& bootstrap, bool embedded) {
    const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
    if (def.global_store_by_topic.empty()) return {};
    internal::StoreEnvironment environment =
        store_environment(cache_share(static_cast<std::size_t>(config_.num_stream_threads)));
    KSTREAMS_ASSIGN_OR_RETURN(global_stores_, internal::GlobalStores::open(def, environment));
    internal::ClientIdentity id{
        bootstrap, config_.application_id + "-" + process_id_ + "-GlobalStreamThread", embedded};
    KSTREAMS_ASSIGN_OR_RETURN(
        global_consumer_,
        kafka::Consumer::create(internal::assigned_consumer_config(config_, id, "global")));
    std::vector<kafka::TopicPartition> assignment;
    // The partitions with records to read before the tables are up to date, each with the
    // restore listener's event (Kafka Streams' global state manager tells the listener too: a
    // start, the batches and an end per partition); a partition leaves once read to its end.
    std::map<std::pair<std::string, std::int32_t>, RestoreEvent> restoring;
    for (const auto& [topic, store] : def.global_store_by_topic) {
      KSTREAMS_ASSIGN_OR_RETURN(int partitions,
                                global_consumer_->partition_count(topic, kMetadataTimeout));
      for (int p = 0; p < partitions; ++p) {
        KSTREAMS_ASSIGN_OR_RETURN(auto watermarks,
                                  global_consumer_->watermarks(topic, p, kMetadataTimeout));
        const auto [low, high] = watermarks;
        const std::int64_t from = global_stores_->resume_offset(topic, p).value_or(-2);
        assignment.push_back({topic, p, from});
        if (high > std::max<std::int64_t>(from, low)) {
          restoring[{topic, p}] = RestoreEvent{.store = store,
                                               .topic = topic,
                                               .partition = p,
                                               .start_offset = std::max<std::int64_t>(from, low),
                                               .end_offset = high};
        }
      }
    }
    for (const auto& [tp, event] : restoring) {
      notify_global_restore(&StateRestoreListener::on_restore_start, event);
    }
    KSTREAMS_RETURN_IF_ERROR(global_consumer_->assign(assignment));
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t restored = 0;
    for (int round = 0; !restoring.empty() && round < 1000000; ++round) {
      KSTREAMS_ASSIGN_OR_RETURN(
          auto batch, global_consumer_->poll_batch(10000, std::chrono::milliseconds(100)));
      KSTREAMS_RETURN_IF_ERROR(apply_global(batch));
      restored += batch.size();
      report_global_batch(batch, restoring);
      std::erase_if(restoring, [&](const auto& entry) {
        const RestoreEvent& event = entry.second;
        auto position = global_consumer_->position({{event.topic, event.partition}});
        const bool done =
            position.ok() && !position->empty() && position->front().offset >= event.end_offset;
        if (done) notify_global_restore(&StateRestoreListener::on_restore_end, event);
        return done;
      });
      if (std::chrono::steady_clock::now() - started > std::chrono::minutes(30)) {
        return Status(StatusCode::kTimeout, "global tables not restored after 30 minutes");
      }
    }
    KSTREAMS_RETURN_IF_ERROR(global_stores_->checkpoint());
    internal::logger().info(
        "{}: global tables up to date ({} records read in {:.2f} s)", config_.application_id,
        restored,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    global_thread_ = std::thread([this] { run_global(); });
    internal::name_thread(global_thread_, "ks:global");
    return {};
  }

  // One on_batch_restored per partition of `batch` still being restored (counted under the
  // messages' own topic names, which live as long as the messages).
  void report_global_batch(
      const std::vector<kafka::MessagePtr>& batch,
      std::map<std::pair<std::string, std::int32_t>, RestoreEvent>& restoring) {
    std::map<std::pair<std::string_view, std::int32_t>, std::pair<std::uint64_t, std::int64_t>>
        seen;
    for (const kafka::MessagePtr& m : batch) {
      auto& [count, last] = seen[{kafka::message_topic(*m), m->partition}];
      ++count;
      last = std::max(last, m->offset);
    }
    for (const auto& [tp, counted] : seen) {
      auto it = restoring.find({std::string(tp.first), tp.second});
      if (it == restoring.end()) continue;
      RestoreEvent& event = it->second;
      event.total_restored += counted.first;
      event.batch_restored = counted.first;
      event.batch_end_offset = counted.second;
      notify_global_restore(&StateRestoreListener::on_batch_restored, event);
      event.batch_restored = 0;
      event.batch_end_offset = -1;
    }
  }

  void notify_global_restore(internal::RestoreCallback callback, const RestoreEvent& event) const {
    internal::notify_restore(restore_listener_.get(), callback, event, config_.application_id);
  }

  Status apply_global(const std::vector<kafka::MessagePtr>& batch) {
    for (const kafka::MessagePtr& m : batch) {
      KSTREAMS_RETURN_IF_ERROR(global_stores_->apply(
          kafka::message_topic(*m), m->partition, m->offset, kafka::message_key(*m),
          kafka::message_value(*m), kafka::message_timestamp(*m).value_or(0)));
    }
    return {};
  }

  void run_global() {
    auto last_checkpoint = std::chrono::steady_clock::now();
    const auto interval = std::chrono::milliseconds(config_.effective_commit_interval_ms());
    while (!stop_global_.load()) {
      auto batch = global_consumer_->poll_batch(10000, std::chrono::milliseconds(config_.poll_ms));
      Status status = batch.ok() ? apply_global(*batch) : batch.status();
      if (status.ok() && std::chrono::steady_clock::now() - last_checkpoint > interval) {
        status = global_stores_->checkpoint();
        last_checkpoint = std::chrono::steady_clock::now();
      }
      if (!status.ok()) {
        internal::logger().error("{}: global stream thread: {}", config_.application_id,
                                 status.to_string());
        if (status.code() == StatusCode::kFatal || status.code() == StatusCode::kIo) {
          // The global tables would silently go stale: the client shuts down (supervise).
          {
            std::lock_guard lock(mutex_);
            global_error_ = status.with_context("global stream thread");
          }
          cv_.notify_all();
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
  }

  void stop_global() {
    stop_global_.store(true);
    if (global_thread_.joinable()) global_thread_.join();
    if (global_stores_) {
      if (Status s = global_stores_->checkpoint(); !s.ok()) {
        internal::logger().warn("{}: global checkpoint on close: {}", config_.application_id,
                                s.to_string());
      }
    }
    if (global_consumer_) static_cast<void>(global_consumer_->close());
  }

  // The state directory and RocksDB's shared memory, when the topology has stores.
  Status prepare_state() {
    const internal::TopologyDefinition& def = internal::TopologyAccess::definition(topology_);
    if (def.stores.empty()) return {};
    KSTREAMS_ASSIGN_OR_RETURN(
        internal::StateDirectory directory,
        internal::StateDirectory::open(config_.state_dir, config_.application_id));
    state_directory_.emplace(std::move(directory));
    rocksdb_ = internal::RocksDbResources::create(
        static_cast<std::size_t>(config_.rocksdb_block_cache_bytes),
        static_cast<std::size_t>(config_.rocksdb_write_buffer_bytes),
        config_.rocksdb_config_setter);
    return {};
  }

  /// What a new stream thread's tasks open their stores with: the shared directory and RocksDB
  /// memory, and a record cache of `cache_bytes`.
  internal::StoreEnvironment store_environment(std::size_t cache_bytes) const {
    internal::StoreEnvironment environment;
    environment.directory = state_directory_;
    environment.rocksdb = rocksdb_;
    environment.restore_listener = restore_listener_;
    environment.cache = std::make_shared<internal::CacheBudget>(cache_bytes);
    environment.global_stores = global_stores_.get();  // set by start_global(), before threads
    return environment;
  }

  /// One stream thread's share of statestore.cache.max.bytes when `threads` share it.
  std::size_t cache_share(std::size_t threads) const {
    const auto total = static_cast<std::size_t>(config_.statestore_cache_max_bytes);
    if (total == 0 || threads == 0) return total;
    return std::max<std::size_t>(1, total / threads);  // a cache, however small, for each
  }

  /// The threads that are to keep running (not asked to stop, not stopping after an error, not
  /// dead). mutex_ held.
  std::vector<std::shared_ptr<StreamThread>> live_threads() const {
    std::vector<std::shared_ptr<StreamThread>> live;
    for (const auto& t : threads_) {
      const StreamThread::State state = t->state();
      if (!t->shutdown_requested() && state != StreamThread::State::kPendingShutdown &&
          state != StreamThread::State::kDead) {
        live.push_back(t);
      }
    }
    return live;
  }

  /// Divides the record cache anew among the live threads, as Kafka Streams does when a thread
  /// is added or removed. mutex_ held.
  void resize_caches() {
    const auto live = live_threads();
    for (const auto& t : live) t->resize_cache(cache_share(live.size()));
  }

  /// Starts stream thread `index` (its number is index + 1), whose index the caller has put in
  /// indices_, and returns its name. Refused (kIllegalState) once the client is closing, or
  /// unless it is RUNNING or REBALANCING (or still CREATED: start() starting the first threads).
  Result<std::string> start_thread(int index) {
    internal::ClientIdentity id{
        bootstrap_servers(),
        config_.application_id + "-" + process_id_ + "-StreamThread-" + std::to_string(index + 1),
        config_.uses_embedded_cluster(), index + 1};
    std::size_t threads = 1;
    {
      std::lock_guard lock(mutex_);
      threads += live_threads().size();
    }
    auto thread = std::make_shared<StreamThread>(
        index, topology_, config_, std::move(id), store_environment(cache_share(threads)),
        [this](StreamThread&, StreamThread::State s) { on_thread_state(s); });
    KSTREAMS_RETURN_IF_ERROR(thread->start());
    Status refused;
    {
      std::lock_guard lock(mutex_);
      refused = closed_                            ? illegal_state("the client is closing")
                : state_ == StreamsState::kCreated ? Status()
                                                   : require_running("starting a stream thread");
      if (refused.ok()) {
        threads_.push_back(thread);
        resize_caches();
        return thread->name();
      }
    }
    // The client stopped running meanwhile (close() or an error shutdown), and stops only the
    // threads it found: this one stops here. close() waits for it (add_mutex_).
    thread->request_shutdown();
    thread->join(std::chrono::seconds(30));
    return refused;
  }

  /// kIllegalState unless RUNNING or REBALANCING. mutex_ held.
  Status require_running(std::string_view what) const {
    if (state_ == StreamsState::kRunning || state_ == StreamsState::kRebalancing) return {};
    return illegal_state(std::string(what) + ": the client is " + std::string(to_string(state_)) +
                         "; threads can be added and removed while it is RUNNING or REBALANCING");
  }

  // Client state follows the threads: rebalancing while any is, running when all are.
  void on_thread_state(StreamThread::State thread_state) {
    if (thread_state == StreamThread::State::kDead) {
      cv_.notify_all();  // the supervisor decides what a dead thread means
      return;
    }
    StreamsState next;
    {
      std::lock_guard lock(mutex_);
      if (state_ != StreamsState::kRebalancing && state_ != StreamsState::kRunning) return;
      bool all_running = true;
      for (const auto& t : threads_) {
        const auto s = t->state();
        // A thread on its way out (closing, or dying after an error) is not rebalancing; what
        // its end means for the client is decided by close() or the supervisor.
        if (s == StreamThread::State::kDead || s == StreamThread::State::kPendingShutdown) continue;
        all_running = all_running && s == StreamThread::State::kRunning;
      }
      next = all_running ? StreamsState::kRunning : StreamsState::kRebalancing;
      if (next == state_) return;
    }
    transition(next, {});
  }

  // The listener runs before wait_for_state() sees the new state, so that whoever waits for a
  // state also sees every listener call up to it.
  void transition(StreamsState next, const Status& error) {
    StreamsState old;
    StateListener listener;
    {
      std::lock_guard lock(mutex_);
      old = state_;
      if (old == next) return;
      state_ = next;
      if (!error.ok()) error_ = error;
      listener = listener_;
      ++listeners_running_;
    }
    internal::logger().info("{}: state {} -> {}", config_.application_id, to_string(old),
                            to_string(next));
    if (listener) {
      std::lock_guard lock(listener_mutex_);
      listener(next, old);
    }
    {
      std::lock_guard lock(mutex_);
      --listeners_running_;
    }
    cv_.notify_all();
  }

  // Handles dead stream threads (replace, or shut the client down) and logs the summary line.
  void supervise() {
    auto next_summary = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(config_.metrics_log_interval_ms);
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(200), [this] {
          if (stop_supervisor_) return true;
          if (!global_error_.ok() && !global_failure_handled_) return true;
          for (const auto& t : threads_) {
            if (t->state() == StreamThread::State::kDead) return true;
          }
          return false;
        });
        if (stop_supervisor_) return;
      }
      handle_dead_threads();
      handle_global_failure();
      if (config_.metrics_log_interval_ms > 0 && std::chrono::steady_clock::now() >= next_summary) {
        log_summary();
        next_summary = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(config_.metrics_log_interval_ms);
      }
    }
  }

  void handle_dead_threads() {
    std::vector<std::shared_ptr<StreamThread>> dead;
    UncaughtExceptionHandler handler;
    {
      std::lock_guard lock(mutex_);
      if (stop_supervisor_) return;
      for (const auto& t : threads_) {
        if (t->state() == StreamThread::State::kDead) dead.push_back(t);
      }
      handler = handler_;
    }
    for (auto& thread : dead) {
      thread->join(std::chrono::seconds(60));
      const Status error = thread->error();
      const bool removed = thread->shutdown_requested();  // by remove_stream_thread
      {
        // Out of threads_ and into the retired counts at once, so that metrics() never misses
        // it and remove_stream_thread, which waits for it to leave threads_, sees its counts.
        std::lock_guard lock(mutex_);
        std::erase(threads_, thread);
        retired_metrics_ += thread->metrics().processing;
        if (error.ok() || removed) indices_.erase(thread->index());
      }
      cv_.notify_all();
      if (removed && !error.ok()) {
        internal::logger().error("{}: {} failed while it was being removed: {}",
                                 config_.application_id, thread->name(), error.to_string());
      }
      if (error.ok() || removed) continue;
      UncaughtExceptionResponse response = UncaughtExceptionResponse::kShutdownClient;
      if (handler) {
        try {
          response = handler(error);
        } catch (const std::exception& e) {
          internal::logger().error("{}: uncaught exception handler threw: {}",
                                   config_.application_id, e.what());
        }
      }
      if (response == UncaughtExceptionResponse::kReplaceThread) {
        internal::logger().warn("{}: replacing {} after: {}", config_.application_id,
                                thread->name(), error.to_string());
        if (start_thread(thread->index()).ok()) continue;
      }
      {
        std::lock_guard lock(mutex_);
        // close() began meanwhile (a replacement was refused for it): it stops the client, and
        // the thread has logged its error.
        if (closed_) return;
      }
      internal::logger().error("{}: shutting down after {} failed: {}", config_.application_id,
                               thread->name(), error.to_string());
      transition(StreamsState::kPendingError, error);
      stop_threads(std::chrono::seconds(60));
      transition(StreamsState::kError, error);
      return;
    }
  }

  // A global stream thread that stopped on an error shuts the client down, as in Kafka Streams
  // (there is no replacing it: the global tables would go stale).
  void handle_global_failure() {
    Status error;
    {
      std::lock_guard lock(mutex_);
      if (stop_supervisor_ || global_error_.ok() || global_failure_handled_) return;
      global_failure_handled_ = true;
      error = global_error_;
    }
    internal::logger().error("{}: shutting down: {}", config_.application_id, error.to_string());
    transition(StreamsState::kPendingError, error);
    stop_threads(std::chrono::seconds(60));
    transition(StreamsState::kError, error);
  }

  bool stop_threads(std::chrono::milliseconds timeout, bool leave_group = false) {
    std::vector<StreamThread*> threads;
    {
      std::lock_guard lock(mutex_);
      for (const auto& t : threads_) threads.push_back(t.get());
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (StreamThread* t : threads) t->request_shutdown(leave_group, deadline);
    bool all = true;
    for (StreamThread* t : threads) {
      const auto left = std::max(std::chrono::milliseconds(0),
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     deadline - std::chrono::steady_clock::now()));
      all = t->join(left) && all;
    }
    return all;
  }

  void log_summary() const {
    std::uint64_t consumed = 0;
    std::uint64_t commits = 0;
    std::uint64_t aborts = 0;
    std::uint64_t rebalances = 0;
    std::uint64_t tasks = 0;
    std::int64_t lag = 0;
    double commit_ms_sum = 0;  // of the threads' averages
    int timed_threads = 0;
    double commit_ms_max = 0;
    for (const auto& m : thread_metrics()) {
      consumed += m.records_consumed;
      commits += m.commits;
      aborts += m.aborts;
      rebalances += m.rebalances;
      if (m.commit_latency_max_ms > 0) {
        commit_ms_sum += m.commit_latency_avg_ms;
        ++timed_threads;
      }
      commit_ms_max = std::max(commit_ms_max, m.commit_latency_max_ms);
      tasks += m.active_tasks;
      if (m.consumer_lag > 0) lag += m.consumer_lag;
    }
    const ProcessingMetrics p = metrics();
    internal::logger().info(
        "{}: state {}, tasks {}, consumed {}, processed {}, produced {}, skipped {}, "
        "dead-lettered {}, commits {}, rebalances {}, lag {}, aborts {}, commit ms avg {:.1f} "
        "max {:.1f}",
        config_.application_id, to_string(state()), tasks, consumed, p.records_processed,
        p.records_produced, p.records_skipped, p.records_dead_lettered, commits, rebalances, lag,
        aborts, timed_threads == 0 ? 0.0 : commit_ms_sum / timed_threads, commit_ms_max);
  }

  const Topology topology_;  // internal topic names resolved for application.id
  std::optional<internal::StateDirectory> state_directory_;
  std::shared_ptr<internal::RocksDbResources> rocksdb_;
  std::shared_ptr<const StateRestoreListener> restore_listener_;
  // Global tables (none: all null).
  std::unique_ptr<internal::GlobalStores> global_stores_;
  std::unique_ptr<kafka::Consumer> global_consumer_;
  std::thread global_thread_;
  std::atomic<bool> stop_global_{false};
  const StreamsConfig config_;
  const std::string process_id_;

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::mutex listener_mutex_;
  StreamsState state_ = StreamsState::kCreated;
  Status error_;
  bool invalid_config_ = false;  // the constructor found the configuration invalid (error_)
  std::mutex start_mutex_;       // held by start(); close() waits for it
  std::string bootstrap_;
  StateListener listener_;
  UncaughtExceptionHandler handler_;
  bool closed_ = false;
  bool stop_supervisor_ = false;
  Status global_error_;                  // why the global stream thread stopped (mutex_)
  bool global_failure_handled_ = false;  // the client was shut down for it (mutex_)
  int listeners_running_ = 0;            // transitions whose listener call has not returned yet
  ProcessingMetrics retired_metrics_;

  // Declared before the threads so that it is destroyed after them: clients first.
  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::vector<std::shared_ptr<StreamThread>> threads_;  // shared: queries outlive a removal
  // Indices (thread number - 1) taken, from a thread's start until it is retired without a
  // replacement: a replacement keeps its predecessor's, and a thread added meanwhile takes the
  // smallest free one, as in Kafka Streams (the number is in its name and group.instance.id).
  std::set<int> indices_;
  std::mutex add_mutex_;  // held by add_stream_thread(); close() waits for it
  std::thread supervisor_;
  // metrics.port: started by start(), stopped by close(); last, so destroyed first (its thread
  // reads the members above).
  std::unique_ptr<internal::MetricsHttpServer> metrics_server_;
  std::atomic<int> metrics_port_{-1};
};

KafkaStreams::KafkaStreams(Topology topology, StreamsConfig config)
    : impl_(std::make_unique<Impl>(std::move(topology), std::move(config))) {}
KafkaStreams::~KafkaStreams() = default;
void KafkaStreams::set_state_listener(StateListener listener) {
  impl_->set_state_listener(std::move(listener));
}
void KafkaStreams::set_global_state_restore_listener(StateRestoreListener listener) {
  impl_->set_restore_listener(std::move(listener));
}
void KafkaStreams::set_uncaught_exception_handler(UncaughtExceptionHandler handler) {
  impl_->set_uncaught_exception_handler(std::move(handler));
}
Status KafkaStreams::start() { return impl_->start(); }
Status KafkaStreams::close(std::chrono::milliseconds timeout) {
  return impl_->close(CloseOptions{.timeout = timeout});
}
Status KafkaStreams::close(const CloseOptions& options) { return impl_->close(options); }
Result<std::string> KafkaStreams::add_stream_thread() { return impl_->add_stream_thread(); }
Result<std::string> KafkaStreams::remove_stream_thread(std::chrono::milliseconds timeout) {
  return impl_->remove_stream_thread(timeout);
}
Status KafkaStreams::cleanup() { return impl_->cleanup(); }
StreamsState KafkaStreams::state() const { return impl_->state(); }
std::string KafkaStreams::bootstrap_servers() const { return impl_->bootstrap_servers(); }
int KafkaStreams::metrics_port() const { return impl_->metrics_port(); }
std::vector<ThreadMetrics> KafkaStreams::thread_metrics() const { return impl_->thread_metrics(); }
ProcessingMetrics KafkaStreams::metrics() const { return impl_->metrics(); }
Status KafkaStreams::error() const { return impl_->error(); }
Result<KafkaStreams::StoreInfo> KafkaStreams::store_info(const std::string& name) const {
  return impl_->store_info(name);
}
Status KafkaStreams::visit_store(
    const std::string& name,
    const std::function<Status(internal::BytesKeyValueStore&)>& visit) const {
  return impl_->visit_store(name, visit);
}
bool KafkaStreams::wait_for_state(StreamsState state, std::chrono::milliseconds timeout) const {
  return impl_->wait_for_state(state, timeout);
}

}  // namespace kstreams
