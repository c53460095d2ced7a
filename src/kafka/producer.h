// File: src/kafka/producer.h (private)
//
// A thin owner of a librdkafka producer: create from properties, produce records with headers,
// serve delivery reports, flush.
//
//   KSTREAMS_ASSIGN_OR_RETURN(auto producer, Producer::create({{"bootstrap.servers", bs}},
//                                                             on_delivery));
//   KSTREAMS_RETURN_IF_ERROR(producer->produce({.topic = "out", .key = "k", .value = "v"}));
//   KSTREAMS_RETURN_IF_ERROR(producer->flush(std::chrono::seconds(10)));
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/status.h>

#include "src/kafka/client_config.h"
#include "src/kafka/consumer.h"
#include "src/kafka/handles.h"

namespace kstreams::kafka {

/// One record to produce. Views only: produce() copies what it needs before returning.
struct ProducerRecord {
  std::string_view topic{};
  /// nullopt: the configured `partitioner` picks the partition from the key.
  std::optional<std::int32_t> partition{};
  NullableByteView key{};
  /// nullopt produces a tombstone.
  NullableByteView value{};
  /// nullptr or empty: no headers.
  const Headers* headers = nullptr;
  /// ms since the epoch; nullopt: librdkafka uses the current time.
  std::optional<std::int64_t> timestamp_ms{};
  /// Handed back unchanged in the DeliveryReport.
  void* opaque = nullptr;
};

/// The outcome of one produced record.
struct DeliveryReport {
  std::string_view topic;
  std::int32_t partition = -1;
  /// The record's offset, or -1 when it was not written.
  std::int64_t offset = -1;
  /// OK when the record was written (acknowledged per `acks`).
  Status status;
  void* opaque = nullptr;
};

/// A librdkafka producer (rd_kafka_t of type RD_KAFKA_PRODUCER).
///
/// Thread-safety: produce() may be called from any thread; poll() and flush() from one thread at
/// a time, and the delivery callback runs only inside those two calls, on the calling thread.
/// Destroying the producer drops records still queued (with a warning): flush() first.
class Producer {
 public:
  using DeliveryCallback = std::function<void(const DeliveryReport&)>;

  /// Creates a producer. `on_delivery` (optional) is called once per record from poll()/flush().
  static Result<std::unique_ptr<Producer>> create(const ConfigEntries& config,
                                                  DeliveryCallback on_delivery = {});

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  ~Producer();

  /// Enqueues a record. kRetriable (_QUEUE_FULL) when the local queue is full: poll() and retry.
  Status produce(const ProducerRecord& record);

  /// Serves delivery reports for up to `timeout`; returns how many events were served.
  int poll(std::chrono::milliseconds timeout);

  /// Waits until every enqueued record is delivered or failed (serving delivery reports);
  /// kTimeout if some are still outstanding after `timeout`.
  Status flush(std::chrono::milliseconds timeout);

  /// Records enqueued or in flight, not yet reported.
  [[nodiscard]] int outstanding() const;

  /// The partition count of `topic` from the cluster; see kafka::partition_count.
  Result<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);

  /// Creates topic handles for `topics` now, so that their metadata is fetched before the first
  /// record is produced to them (instead of that record waiting for it). Not thread-safe.
  Status prepare_topics(const std::vector<std::string>& topics);

  // Transactions (transactional.id set). Errors keep librdkafka's classes: kTransactionAbortable
  // (abort, rewind, go on), kTaskMigrated (fenced: close tasks dirty), kFatal (recreate the
  // producer), kRetriable / kTimeout (the same call may be retried).
  Status init_transactions(std::chrono::milliseconds timeout);
  Status begin_transaction();
  /// Adds the consumer's `offsets` (next offsets to read) to the open transaction, for the group
  /// whose metadata is `group`.
  Status send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                     const rd_kafka_consumer_group_metadata_t* group,
                                     std::chrono::milliseconds timeout);
  Status commit_transaction(std::chrono::milliseconds timeout);
  Status abort_transaction(std::chrono::milliseconds timeout);

  /// OK, or the fatal error that made this producer unusable (see fatal_error_status).
  Status fatal_error() const;

  /// The librdkafka handle, for calls this class does not wrap (transactions). Owned by this.
  [[nodiscard]] rd_kafka_t* native_handle() const { return rk_.get(); }

 private:
  explicit Producer(DeliveryCallback on_delivery) : on_delivery_(std::move(on_delivery)) {}
  /// The handle prepare_topics made for `topic`, or null. Reads only: safe from any thread as
  /// long as prepare_topics is not called again once the producer is shared (the stream thread
  /// calls it once, before it starts). A linear scan: sink topics are few.
  [[nodiscard]] rd_kafka_topic_t* prepared_topic(std::string_view topic) const;
  static void delivery_trampoline(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  DeliveryCallback on_delivery_;
  KafkaPtr rk_;
  // Declared after rk_ so that they are destroyed first (a topic handle refers to its client).
  std::vector<std::pair<std::string, TopicPtr>> known_topics_;
};

}  // namespace kstreams::kafka
