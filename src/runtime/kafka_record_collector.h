// Sends a task's output records through the stream thread's Kafka producer. A full local queue
// is waited out (serving delivery reports) for up to `max_block`, as Java's max.block.ms.
#pragma once

#include <chrono>

#include "src/kafka/producer.h"
#include "src/runtime/record_collector.h"

namespace kstreams::internal {

class KafkaRecordCollector final : public RecordCollector {
 public:
  explicit KafkaRecordCollector(kafka::Producer& producer,
                                std::chrono::milliseconds max_block = std::chrono::seconds(60))
      : producer_(&producer), max_block_(max_block) {}

  Status send(const OutputRecord& record) override;

 private:
  kafka::Producer* producer_;
  std::chrono::milliseconds max_block_;
};

}  // namespace kstreams::internal
