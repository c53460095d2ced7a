// Sends a task's output records through the stream thread's Kafka producer. A full local queue
// is waited out (serving delivery reports) for up to `max_block`, as Java's max.block.ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "src/kafka/producer.h"
#include "src/runtime/pending_commits.h"
#include "src/runtime/record_collector.h"

namespace kstreams::internal {

class KafkaRecordCollector final : public RecordCollector {
 public:
  /// `transactional`: the producer runs transactions (exactly_once_v2); a record refused
  /// because the transaction already failed is then reported as kTransactionAbortable.
  /// `pending` (at-least-once, optional): each record sent is tagged with its commit epoch.
  explicit KafkaRecordCollector(kafka::Producer& producer, bool transactional = false,
                                PendingCommits* pending = nullptr,
                                std::chrono::milliseconds max_block = std::chrono::seconds(60))
      : producer_(&producer),
        pending_(pending),
        transactional_(transactional),
        max_block_(max_block) {}

  Status send(const OutputRecord& record) override;
  /// From the cluster's metadata on first use, then cached for the collector's life.
  Result<int> partition_count(std::string_view topic) override;
  /// Records handed to the producer so far.
  [[nodiscard]] std::uint64_t sent() const { return sent_; }

 private:
  std::uint64_t sent_ = 0;
  std::map<std::string, int, std::less<>> partition_counts_;
  kafka::ProducerRecord scratch_;
  kafka::Producer* producer_;
  PendingCommits* pending_;
  bool transactional_;
  std::chrono::milliseconds max_block_;
};

}  // namespace kstreams::internal
