#include "examples/address_router/sample_input.h"

#include <memory>

#include <librdkafka/rdkafka.h>

namespace address_router {
namespace {

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

kstreams::Result<Handle> make_producer(const std::string& bootstrap_servers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  const std::pair<const char*, std::string> settings[] = {
      {"bootstrap.servers", bootstrap_servers}, {"linger.ms", "5"},
      {"batch.num.messages", "10000"},          {"queue.buffering.max.messages", "1000000"},
      {"partitioner", "murmur2_random"},
  };
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return kstreams::invalid_argument(std::string(key) + ": " + error);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return kstreams::Status(kstreams::StatusCode::kIo, std::string("producer: ") + error);
  }
  return Handle(rk, &rd_kafka_destroy);
}

}  // namespace

kstreams::Result<std::map<Route, std::int64_t>> produce_sample_input(
    const std::string& bootstrap_servers, const std::string& topic, std::int64_t count,
    std::uint64_t seed, double invalid_share) {
  KSTREAMS_ASSIGN_OR_RETURN(Handle producer, make_producer(bootstrap_servers));
  AddressGenerator generator(seed, invalid_share);
  std::map<Route, std::int64_t> produced;
  for (std::int64_t i = 0; i < count; ++i) {
    GeneratedRecord record = generator.next();
    for (;;) {
      rd_kafka_vu_t fields[] = {
          {.vtype = RD_KAFKA_VTYPE_TOPIC, .u = {.cstr = topic.c_str()}},
          {.vtype = RD_KAFKA_VTYPE_KEY, .u = {.mem = {record.key.data(), record.key.size()}}},
          {.vtype = RD_KAFKA_VTYPE_VALUE, .u = {.mem = {record.value.data(), record.value.size()}}},
          {.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u = {.i = RD_KAFKA_MSG_F_COPY}},
      };
      rd_kafka_error_t* error = rd_kafka_produceva(producer.get(), fields, 4);
      if (error == nullptr) break;
      const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
      const std::string text = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return kstreams::Status(kstreams::StatusCode::kIo, "produce to " + topic + ": " + text);
      }
      rd_kafka_poll(producer.get(), 10);
    }
    ++produced[record.expected];
    rd_kafka_poll(producer.get(), 0);
  }
  if (rd_kafka_flush(producer.get(), 60'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kTimeout,
                            "sample input not delivered within 60 s");
  }
  return produced;
}

kstreams::Result<std::map<std::string, std::int64_t>> count_records(
    const std::string& bootstrap_servers, const std::vector<std::string>& topics) {
  KSTREAMS_ASSIGN_OR_RETURN(Handle client, make_producer(bootstrap_servers));
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(client.get(), 1, nullptr, &metadata, 10'000) !=
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
      if (rd_kafka_query_watermark_offsets(client.get(), info.topic, info.partitions[p].id, &low,
                                           &high, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        it->second += high - low;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return counts;
}

}  // namespace address_router
