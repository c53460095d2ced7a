#include "src/runtime/kafka_record_collector.h"

#include <optional>
#include <string>

namespace kstreams::internal {

Status KafkaRecordCollector::send(const OutputRecord& record) {
  kafka::ProducerRecord& out = scratch_;
  out.topic = record.topic;
  out.partition = record.partition;
  out.key = record.key;
  out.value = record.value;
  out.headers = record.headers;
  out.timestamp_ms = record.timestamp;
  // Set when the queue is first found full: reading the clock for every record costs more than
  // the rest of this function.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    out.opaque = pending_ != nullptr ? pending_->tag_for_send() : nullptr;
    Status status = producer_->produce(out);
    if (status.ok()) {
      ++sent_;
    } else if (pending_ != nullptr) {
      pending_->on_delivery(out.opaque);  // not sent: not in flight
    }
    if (transactional_ && status.code() == StatusCode::kIllegalState) {
      // The transaction has failed (an earlier record, a request): abort it, do not skip this.
      return Status(StatusCode::kTransactionAbortable, status.message());
    }
    if (status.code() != StatusCode::kRetriable) return status;
    // The local queue is full: let deliveries drain it.
    const auto now = std::chrono::steady_clock::now();
    if (!deadline) deadline = now + max_block_;
    if (now >= *deadline) {
      return Status(StatusCode::kTimeout, "producer queue still full after " +
                                              std::to_string(max_block_.count()) +
                                              " ms: " + status.message());
    }
    producer_->poll(std::chrono::milliseconds(10));
  }
}

Result<int> KafkaRecordCollector::partition_count(std::string_view topic) {
  if (auto it = partition_counts_.find(topic); it != partition_counts_.end()) return it->second;
  KSTREAMS_ASSIGN_OR_RETURN(
      int count, producer_->partition_count(std::string(topic), std::chrono::seconds(30)));
  partition_counts_.emplace(std::string(topic), count);
  return count;
}

}  // namespace kstreams::internal
