#include "src/kafka/producer.h"

#include <array>
#include <exception>
#include <vector>

#include "src/core/logging.h"
#include "src/kafka/error.h"
#include "src/kafka/metadata.h"

namespace kstreams::kafka {

Result<std::unique_ptr<Producer>> Producer::create(const ConfigEntries& config,
                                                   DeliveryCallback on_delivery) {
  KSTREAMS_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(config, "producer"));
  std::unique_ptr<Producer> producer(new Producer(std::move(on_delivery)));
  rd_kafka_conf_set_opaque(conf.get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::delivery_trampoline);

  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) return invalid_argument(std::string("creating producer: ") + errstr.data());
  (void)conf.release();  // rd_kafka_new owns it now.
  producer->rk_.reset(rk);
  internal::logger().debug("producer {} created", rd_kafka_name(rk));
  return producer;
}

Producer::~Producer() {
  if (!rk_) return;
  if (const int left = rd_kafka_outq_len(rk_.get()); left > 0) {
    internal::logger().warn(
        "producer {} destroyed with {} undelivered records or unserved events; they are dropped",
        rd_kafka_name(rk_.get()), left);
  }
}

Status Producer::produce(const ProducerRecord& record) {
  // At most 7 fields; a fixed array keeps the hot path free of allocations. Not zeroed (72 bytes
  // an entry): librdkafka reads the first `count`, each written whole below.
  std::array<rd_kafka_vu_t, 8> vus;
  std::size_t count = 0;
  auto add = [&vus, &count](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    rd_kafka_vu_t& vu = vus[count++];
    vu.vtype = type;
    return vu;
  };
  // A prepared topic goes by its handle: by name, librdkafka looks the topic up under its
  // client-wide lock for every record (and needs a NUL-terminated copy of the name).
  std::string name;
  if (rd_kafka_topic_t* handle = prepared_topic(record.topic)) {
    add(RD_KAFKA_VTYPE_RKT).u.rkt = handle;
  } else {
    name.assign(record.topic);
    add(RD_KAFKA_VTYPE_TOPIC).u.cstr = name.c_str();
  }
  add(RD_KAFKA_VTYPE_PARTITION).u.i32 = record.partition.value_or(RD_KAFKA_PARTITION_UA);
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  // librdkafka copies key and value (F_COPY) and never writes through these pointers. A null
  // pointer means a null key/value to librdkafka, so empty bytes get a non-null one.
  auto add_bytes = [&add](rd_kafka_vtype_t type, ByteView bytes) {
    static char empty = '\0';
    auto& mem = add(type).u.mem;
    mem.ptr = bytes.empty() ? &empty : const_cast<char*>(bytes.data());
    mem.size = bytes.size();
  };
  if (record.key) add_bytes(RD_KAFKA_VTYPE_KEY, *record.key);
  if (record.value) add_bytes(RD_KAFKA_VTYPE_VALUE, *record.value);
  if (record.timestamp_ms) add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = *record.timestamp_ms;
  if (record.opaque != nullptr) add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = record.opaque;

  HeadersPtr headers;
  if (record.headers != nullptr && !record.headers->empty()) {
    headers.reset(rd_kafka_headers_new(record.headers->size()));
    for (const Header& header : *record.headers) {
      const rd_kafka_resp_err_t err = rd_kafka_header_add(
          headers.get(), header.key.data(), static_cast<ssize_t>(header.key.size()),
          header.value ? header.value->data() : nullptr,
          header.value ? static_cast<ssize_t>(header.value->size()) : 0);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return to_status(err, "adding header");
    }
    add(RD_KAFKA_VTYPE_HEADERS).u.headers = headers.get();
  }

  ErrorPtr error(rd_kafka_produceva(rk_.get(), vus.data(), count));
  if (error) return to_status(std::move(error), "produce to '" + std::string(record.topic) + "'");
  (void)headers.release();  // On success the message owns the headers.
  return Status();
}

Status Producer::prepare_topics(const std::vector<std::string>& topics) {
  for (const std::string& topic : topics) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    if (handle == nullptr) {
      return to_status(rd_kafka_last_error(), "topic handle for '" + topic + "'");
    }
    known_topics_.emplace_back(topic, TopicPtr(handle));
  }
  return Status();
}

rd_kafka_topic_t* Producer::prepared_topic(std::string_view topic) const {
  for (const auto& [name, handle] : known_topics_) {
    if (name == topic) return handle.get();
  }
  return nullptr;
}

int Producer::poll(std::chrono::milliseconds timeout) {
  return rd_kafka_poll(rk_.get(), static_cast<int>(timeout.count()));
}

Status Producer::flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return Status(StatusCode::kTimeout, "flush: " + std::to_string(outstanding()) +
                                            " records still undelivered after " +
                                            std::to_string(timeout.count()) + " ms");
  }
  return to_status(err, "flush");
}

Status Producer::init_transactions(std::chrono::milliseconds timeout) {
  return to_status(
      ErrorPtr(rd_kafka_init_transactions(rk_.get(), static_cast<int>(timeout.count()))),
      "init_transactions");
}

Status Producer::begin_transaction() {
  return to_status(ErrorPtr(rd_kafka_begin_transaction(rk_.get())), "begin_transaction");
}

Status Producer::send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                             const rd_kafka_consumer_group_metadata_t* group,
                                             std::chrono::milliseconds timeout) {
  TopicPartitionListPtr list = to_list(offsets);
  return to_status(ErrorPtr(rd_kafka_send_offsets_to_transaction(
                       rk_.get(), list.get(), group, static_cast<int>(timeout.count()))),
                   "send_offsets_to_transaction");
}

Status Producer::commit_transaction(std::chrono::milliseconds timeout) {
  return to_status(
      ErrorPtr(rd_kafka_commit_transaction(rk_.get(), static_cast<int>(timeout.count()))),
      "commit_transaction");
}

Status Producer::abort_transaction(std::chrono::milliseconds timeout) {
  return to_status(
      ErrorPtr(rd_kafka_abort_transaction(rk_.get(), static_cast<int>(timeout.count()))),
      "abort_transaction");
}

int Producer::outstanding() const { return rd_kafka_outq_len(rk_.get()); }

Result<int> Producer::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
  return kafka::partition_count(rk_.get(), topic, timeout);
}

Status Producer::fatal_error() const { return fatal_error_status(rk_.get()); }

void Producer::delivery_trampoline(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message,
                                   void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (!self->on_delivery_) return;
  DeliveryReport report;
  report.topic = message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : "";
  report.partition = message->partition;
  report.offset = message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? message->offset : -1;
  report.status = to_status(message->err, "delivery");
  report.opaque = message->_private;
  // An exception must not unwind through librdkafka's C frames.
  try {
    self->on_delivery_(report);
  } catch (const std::exception& e) {
    internal::logger().error("delivery callback threw: {}", e.what());
  } catch (...) {
    internal::logger().error("delivery callback threw a non-standard exception");
  }
}

}  // namespace kstreams::kafka
