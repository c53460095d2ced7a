// File: src/kafka/consumer.h (private)
//
// A thin owner of a librdkafka high-level (group) consumer: subscribe or assign, poll batches,
// commit, query committed offsets and positions, pause/resume, close.
//
//   KSTREAMS_ASSIGN_OR_RETURN(auto consumer, Consumer::create(config, on_rebalance));
//   KSTREAMS_RETURN_IF_ERROR(consumer->subscribe({"in"}));
//   KSTREAMS_ASSIGN_OR_RETURN(auto batch, consumer->poll_batch(500,
//   std::chrono::milliseconds(100))); for (const MessagePtr& m : batch) use(message_key(*m),
//   message_value(*m)); KSTREAMS_RETURN_IF_ERROR(consumer->commit({}, CommitMode::kSync));
//   KSTREAMS_RETURN_IF_ERROR(consumer->close());
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

#include "src/kafka/client_config.h"
#include "src/kafka/handles.h"

namespace kstreams::kafka {

/// "No offset" (RD_KAFKA_OFFSET_INVALID): nothing committed, or let the group decide.
inline constexpr std::int64_t kInvalidOffset = -1001;

/// A partition of a topic, with an offset where one is meaningful (commit: the next offset to
/// read, as in Kafka; assign: where to start, kInvalidOffset = committed or auto.offset.reset).
struct TopicPartition {
  std::string topic{};
  std::int32_t partition = 0;
  std::int64_t offset = kInvalidOffset;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

/// What a rebalance did, as Kafka's ConsumerRebalanceListener methods.
enum class RebalanceEvent { kAssigned, kRevoked, kLost };

enum class CommitMode { kSync, kAsync };

/// A librdkafka consumer (rd_kafka_t of type RD_KAFKA_CONSUMER) in a consumer group.
///
/// Not thread-safe: one thread calls every method, and the rebalance listener runs on that
/// thread inside poll_batch() and close(). The consumer applies each rebalance itself (eager or
/// cooperative, whichever `partition.assignment.strategy` gives): the listener sees kAssigned
/// after the partitions were added, kRevoked/kLost before they are removed (so it can commit).
/// Destroying an open consumer closes it first. Every MessagePtr it returned must be destroyed
/// before the consumer.
class Consumer {
 public:
  using RebalanceListener = std::function<void(RebalanceEvent, const std::vector<TopicPartition>&)>;

  /// Creates a consumer; `config` must contain group.id. `on_rebalance` is optional.
  static Result<std::unique_ptr<Consumer>> create(const ConfigEntries& config,
                                                  RebalanceListener on_rebalance = {});

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  ~Consumer();

  /// Joins the group for `topics` (replaces an earlier subscription).
  Status subscribe(const std::vector<std::string>& topics);

  /// Reads `partitions` without group management, starting at each entry's offset.
  Status assign(const std::vector<TopicPartition>& partitions);

  /// Up to `max_records` records, waiting at most `timeout` for the first one. Also serves
  /// rebalances and commit results. Consumer error events are informational in librdkafka (the
  /// client recovers by itself): they are logged and skipped, except a fatal error, which is
  /// returned. An empty vector means nothing arrived in time. With `ends_of_partitions` (and
  /// `enable.partition.eof=true`), the vector also holds, in order, librdkafka's end-of-partition
  /// events (`err` RD_KAFKA_RESP_ERR__PARTITION_EOF): the partition was caught up at `offset`.
  Result<std::vector<MessagePtr>> poll_batch(std::size_t max_records,
                                             std::chrono::milliseconds timeout,
                                             bool ends_of_partitions = false);

  /// Commits `offsets` (next offset to read per partition), or the current positions of all
  /// assigned partitions when `offsets` is empty. kAsync results are logged when they fail.
  Status commit(const std::vector<TopicPartition>& offsets, CommitMode mode);

  /// The group's committed offsets for `partitions` (kInvalidOffset where none).
  Result<std::vector<TopicPartition>> committed(const std::vector<TopicPartition>& partitions,
                                                std::chrono::milliseconds timeout);

  /// The next offset this consumer will read for each of `partitions` (kInvalidOffset if unknown).
  Result<std::vector<TopicPartition>> position(const std::vector<TopicPartition>& partitions);

  /// The partitions currently assigned to this consumer.
  Result<std::vector<TopicPartition>> assignment();

  /// Stops / restarts fetching from `partitions` (they stay assigned).
  Status pause(const std::vector<TopicPartition>& partitions);
  /// Moves the fetch positions of assigned partitions to the given offsets (blocks up to
  /// `timeout`).
  Status seek(const std::vector<TopicPartition>& offsets, std::chrono::milliseconds timeout);
  Status resume(const std::vector<TopicPartition>& partitions);

  /// Whether close() leaves the group.
  enum class LeaveGroup {
    kUnlessStatic,  ///< a static member (group.instance.id set) keeps its place (KIP-345)
    kAlways,        ///< a static member leaves too
  };

  /// Leaves the group and stops: unsubscribes first and serves the revocation (the rebalance
  /// listener runs) until nothing is assigned, then closes. A static member (group.instance.id
  /// set) does not leave unless `leave` is kAlways: the listener sees the revocation of its
  /// partitions, which stay its own in the group until session.timeout.ms, and the handle is
  /// destroyed at once (every MessagePtr must be destroyed before; other methods then return
  /// kIllegalState and native_handle() is null). Under the cooperative protocol a static member
  /// leaves anyway (librdkafka 2.0.2 could hang otherwise). Idempotent.
  Status close(LeaveGroup leave = LeaveGroup::kUnlessStatic);

  /// The group metadata for rd_kafka_send_offsets_to_transaction.
  GroupMetadataPtr group_metadata();

  /// The partition count of `topic` from the cluster; see kafka::partition_count.
  Result<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);
  /// The low and high watermarks of a partition, asked from its leader (the high one is the
  /// last stable offset under read_committed). Errors, such as a new partition without a leader
  /// yet, are retried until `timeout`.
  Result<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic,
                                                           std::int32_t partition,
                                                           std::chrono::milliseconds timeout);

  /// The librdkafka handle, for calls this class does not wrap. Owned by this.
  [[nodiscard]] rd_kafka_t* native_handle() const { return rk_.get(); }

 private:
  explicit Consumer(RebalanceListener on_rebalance) : on_rebalance_(std::move(on_rebalance)) {}
  static void rebalance_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                   rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void notify(RebalanceEvent event, const std::vector<TopicPartition>& partitions);
  // Before close: unsubscribes and serves callbacks until nothing is assigned (bounded).
  void give_back_assignment();
  // Serves the rebalance callbacks waiting in the queue (dropping the records).
  void serve_queued_events();
  // A static member's close: revokes locally and destroys the handle without leaving.
  void close_keeping_membership();

  RebalanceListener on_rebalance_;
  bool closed_ = false;
  bool subscribed_ = false;
  bool static_member_ = false;  // group.instance.id is set
  // Destruction order: queue_ holds a reference into rk_, so it is declared after it and thus
  // destroyed first.
  KafkaPtr rk_;
  QueuePtr queue_;
};

/// Conversions between TopicPartition vectors and librdkafka lists.
TopicPartitionListPtr to_list(const std::vector<TopicPartition>& partitions);
std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list);

}  // namespace kstreams::kafka
