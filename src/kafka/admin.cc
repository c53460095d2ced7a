#include "src/kafka/admin.h"

#include <memory>

#include "src/kafka/handles.h"

namespace kstreams::kafka {
namespace {

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

}  // namespace

Status create_topics(rd_kafka_t* rk, const std::vector<NewTopic>& topics,
                     std::chrono::milliseconds timeout) {
  if (topics.empty()) return {};
  char errstr[512];
  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> owned;
  std::vector<rd_kafka_NewTopic_t*> raw;
  for (const NewTopic& t : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                    t.replication_factor, errstr, sizeof errstr);
    if (nt == nullptr) return invalid_argument("topic '" + t.name + "': " + errstr);
    owned.emplace_back(nt);
    raw.push_back(nt);
    for (const auto& [key, value] : t.config) {
      if (rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt, key.c_str(), value.c_str());
          err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return invalid_argument("topic '" + t.name + "' config " + key + ": " +
                                rd_kafka_err2str(err));
      }
    }
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int timeout_ms = static_cast<int>(timeout.count());
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof errstr) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr,
                                                  sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return invalid_argument(std::string("admin options: ") + errstr);
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, raw.data(), raw.size(), options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
      rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!event) return Status(StatusCode::kTimeout, "CreateTopics got no answer in time");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(StatusCode::kRetriable,
                  std::string("CreateTopics failed: ") + rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* message = rd_kafka_topic_result_error_string(results[i]);
    return Status(StatusCode::kFatal,
                  std::string("cannot create topic '") + rd_kafka_topic_result_name(results[i]) +
                      "': " + (message != nullptr ? message : rd_kafka_err2str(err)));
  }
  return {};
}

}  // namespace kstreams::kafka
