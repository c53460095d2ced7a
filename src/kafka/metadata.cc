#include "src/kafka/metadata.h"

#include "src/kafka/error.h"
#include "src/kafka/handles.h"

namespace kstreams::kafka {

Result<int> partition_count(rd_kafka_t* rk, const std::string& topic,
                            std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return to_status(err, "metadata for '" + topic + "'");
  const MetadataPtr metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& entry = metadata->topics[i];
    if (topic != entry.topic) continue;
    if (entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) break;
    if (entry.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return to_status(entry.err, "metadata for '" + topic + "'");
    }
    return entry.partition_cnt;
  }
  return not_found("topic '" + topic + "' does not exist");
}

}  // namespace kstreams::kafka
