#include "examples/address_router/sample_input.h"

#include <memory>
#include <string_view>

#include <librdkafka/rdkafka.h>

namespace address_router {
namespace {

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

constexpr std::int64_t kStopCheckInterval = 1000;
constexpr int kDeliveryTimeoutMs = 60'000;
constexpr int kDeliveryTimeoutAfterStopMs = 5'000;

// The example's producer settings, applied before the caller's properties.
const ClientProperties kProducerDefaults = {
    {"linger.ms", "5"},
    {"batch.num.messages", "10000"},
    {"queue.buffering.max.messages", "1000000"},
    {"partitioner", "murmur2_random"},  // keys land where Java clients would put them
};

kstreams::Status set_properties(rd_kafka_conf_t* conf, const ClientProperties& properties) {
  // Neither the value nor librdkafka's reason is shown: either may be a secret's.
  char error[512];
  for (const auto& [key, value] : properties) {
    switch (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error)) {
      case RD_KAFKA_CONF_OK:
        break;
      case RD_KAFKA_CONF_UNKNOWN:
        return kstreams::invalid_argument("unknown client property '" + key + "'");
      case RD_KAFKA_CONF_INVALID:
        return kstreams::invalid_argument("invalid value for client property '" + key + "'");
    }
  }
  return {};
}

kstreams::Result<Handle> make_client(const ClientProperties& client) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  kstreams::Status status = set_properties(conf, kProducerDefaults);
  if (status.ok()) status = set_properties(conf, client);
  if (!status.ok()) {
    rd_kafka_conf_destroy(conf);
    return status;
  }
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return kstreams::Status(kstreams::StatusCode::kIo, std::string("producer: ") + error);
  }
  return Handle(rk, &rd_kafka_destroy);
}

bool stop_is_requested(const std::function<bool()>& stop_requested) {
  return stop_requested && stop_requested();
}

// Hands `record` to the producer (which copies it; librdkafka's field type is not const),
// waiting while its queue is full. False when a stop was requested while waiting (the record is
// not produced).
kstreams::Result<bool> enqueue(rd_kafka_t* producer, const std::string& topic,
                               GeneratedRecord& record,
                               const std::function<bool()>& stop_requested) {
  for (;;) {
    rd_kafka_vu_t fields[] = {
        {.vtype = RD_KAFKA_VTYPE_TOPIC, .u = {.cstr = topic.c_str()}},
        {.vtype = RD_KAFKA_VTYPE_KEY, .u = {.mem = {record.key.data(), record.key.size()}}},
        {.vtype = RD_KAFKA_VTYPE_VALUE, .u = {.mem = {record.value.data(), record.value.size()}}},
        {.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u = {.i = RD_KAFKA_MSG_F_COPY}},
    };
    rd_kafka_error_t* error = rd_kafka_produceva(producer, fields, 4);
    if (error == nullptr) return true;
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    const std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return kstreams::Status(kstreams::StatusCode::kIo, "produce to " + topic + ": " + text);
    }
    if (stop_is_requested(stop_requested)) return false;
    rd_kafka_poll(producer, 10);
  }
}

kstreams::Status deliver(rd_kafka_t* producer, int timeout_ms) {
  if (rd_kafka_flush(producer, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return kstreams::Status(kstreams::StatusCode::kTimeout,
                          std::to_string(rd_kafka_outq_len(producer)) +
                              " sample input records not delivered within " +
                              std::to_string(timeout_ms / 1000) + " s");
}

}  // namespace

ClientProperties sample_client_properties(const kstreams::StreamsConfig& config,
                                          const std::string& bootstrap_servers) {
  constexpr std::string_view kBoth = "kafka.";
  constexpr std::string_view kProducer = "producer.";
  ClientProperties properties = {{"bootstrap.servers", bootstrap_servers}};
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with("consumer.") || key.starts_with(kProducer)) continue;
    properties.emplace_back(key.starts_with(kBoth) ? key.substr(kBoth.size()) : key, value);
  }
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with(kProducer)) properties.emplace_back(key.substr(kProducer.size()), value);
  }
  std::erase_if(properties, [](const auto& entry) { return entry.first == "group.instance.id"; });
  return properties;
}

kstreams::Result<std::map<Route, std::int64_t>> produce_sample_input(
    const ClientProperties& client, const SampleInput& input,
    const std::function<bool()>& stop_requested) {
  KSTREAMS_ASSIGN_OR_RETURN(Handle producer, make_client(client));
  AddressGenerator generator(input.seed, input.invalid_share);
  std::map<Route, std::int64_t> produced;
  bool stopped = false;
  for (std::int64_t i = 0; i < input.count && !stopped; ++i) {
    if (i % kStopCheckInterval == 0 && stop_is_requested(stop_requested)) {
      stopped = true;
    } else {
      GeneratedRecord record = generator.next();
      KSTREAMS_ASSIGN_OR_RETURN(const bool enqueued,
                                enqueue(producer.get(), input.topic, record, stop_requested));
      if (enqueued) ++produced[record.expected];
      stopped = !enqueued;
      rd_kafka_poll(producer.get(), 0);
    }
  }
  KSTREAMS_RETURN_IF_ERROR(
      deliver(producer.get(), stopped ? kDeliveryTimeoutAfterStopMs : kDeliveryTimeoutMs));
  return produced;
}

kstreams::Result<std::map<std::string, std::int64_t>> count_records(
    const ClientProperties& client, const std::vector<std::string>& topics) {
  KSTREAMS_ASSIGN_OR_RETURN(Handle handle, make_client(client));
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(handle.get(), 1, nullptr, &metadata, 10'000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kTimeout, "metadata request timed out");
  }
  std::map<std::string, std::int64_t> counts;
  for (const std::string& topic : topics) counts[topic] = 0;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& info = metadata->topics[t];
    auto it = counts.find(info.topic);
    if (it == counts.end()) continue;
    for (int p = 0; p < info.partition_cnt; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(handle.get(), info.topic, info.partitions[p].id, &low,
                                           &high, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        it->second += high - low;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return counts;
}

}  // namespace address_router
