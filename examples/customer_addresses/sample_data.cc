#include "examples/customer_addresses/sample_data.h"

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <random>
#include <utility>

#include <librdkafka/rdkafka.h>

#include "examples/address_router/address.pb.h"
#include "examples/customer_addresses/order.pb.h"

namespace customer_addresses {
namespace {

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

kstreams::Result<Handle> make_client(
    rd_kafka_type_t type, const std::vector<std::pair<const char*, std::string>>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return kstreams::invalid_argument(std::string(key) + ": " + error);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return kstreams::Status(kstreams::StatusCode::kIo, std::string("client: ") + error);
  }
  return Handle(rk, &rd_kafka_destroy);
}

std::string customer_id(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "cust-%04d", n);
  return id;
}

const std::string kGarbage("\x0f\xff\xff not a protobuf message", 27);

}  // namespace

SampleData generate_sample_data(int customers, int address_updates, int orders,
                                std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto chance = [&rng](int percent) { return static_cast<int>(rng() % 100) < percent; };
  SampleData data;
  for (int i = 0; i < address_updates; ++i) {
    const std::string customer = customer_id(static_cast<int>(rng() % customers));
    if (chance(1)) {
      data.addresses.push_back({customer, kGarbage});
      ++data.undecodable;
      continue;
    }
    if (chance(5)) {  // the customer is deleted (GDPR erasure, account closed)
      data.addresses.push_back({customer, std::nullopt});
      data.shippable_street.erase(customer);
      data.latest_street.erase(customer);
      continue;
    }
    address_router::Address a;
    a.set_address_id("addr-" + std::to_string(i));
    a.set_customer_id(customer);
    a.set_type(chance(20) ? address_router::BILLING : address_router::SHIPPING);
    a.set_street(std::to_string(1 + rng() % 200) + " Harbour Street");
    a.set_city("Bergen");
    a.set_postal_code(chance(5) ? "" : std::to_string(5000 + rng() % 100));
    a.set_country("NO");
    a.set_updated_at_ms(1'700'000'000'000 + i);
    data.latest_street[customer] = a.street();
    if (a.type() == address_router::SHIPPING && !a.postal_code().empty()) {
      data.shippable_street[customer] = a.street();
    } else {
      data.shippable_street.erase(customer);
    }
    data.addresses.push_back({customer, a.SerializeAsString()});
  }
  for (int i = 0; i < orders; ++i) {
    const std::string order_id = "order-" + std::to_string(i);
    if (chance(1)) {
      data.orders.push_back({order_id, kGarbage});
      ++data.undecodable;
      continue;
    }
    Order o;
    o.set_order_id(order_id);
    o.set_customer_id(customer_id(static_cast<int>(rng() % customers)));
    o.set_amount_cents(static_cast<std::int64_t>(100 + rng() % 20'000));
    o.set_currency("NOK");
    o.set_placed_at_ms(1'700'000'000'000 + i);
    ++data.orders_per_customer[o.customer_id()];
    data.total_cents_per_customer[o.customer_id()] += o.amount_cents();
    data.orders.push_back({order_id, o.SerializeAsString()});
  }
  return data;
}

kstreams::Status produce(const std::string& bootstrap_servers, const std::string& topic,
                         const std::vector<SampleRecord>& records) {
  // Records of one key must stay in order: idempotence keeps retries from reordering them.
  KSTREAMS_ASSIGN_OR_RETURN(
      Handle producer, make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_servers},
                                                       {"linger.ms", "5"},
                                                       {"enable.idempotence", "true"}}));
  for (const SampleRecord& record : records) {
    for (;;) {
      // librdkafka copies the bytes (RD_KAFKA_MSG_F_COPY); its API is just not const-correct.
      void* key = const_cast<char*>(record.key.data());
      void* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;
      const std::size_t value_size = record.value ? record.value->size() : 0;
      rd_kafka_vu_t fields[] = {
          {.vtype = RD_KAFKA_VTYPE_TOPIC, .u = {.cstr = topic.c_str()}},
          {.vtype = RD_KAFKA_VTYPE_KEY, .u = {.mem = {key, record.key.size()}}},
          {.vtype = RD_KAFKA_VTYPE_VALUE, .u = {.mem = {value, value_size}}},
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
    rd_kafka_poll(producer.get(), 0);
  }
  if (rd_kafka_flush(producer.get(), 60'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kTimeout, topic + ": not delivered within 60 s");
  }
  return kstreams::Status();
}

kstreams::Result<std::map<std::string, std::string>> read_latest(
    const std::string& bootstrap_servers, const std::string& topic) {
  KSTREAMS_ASSIGN_OR_RETURN(
      Handle consumer, make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap_servers},
                                                       {"group.id", "customer-addresses-report"},
                                                       {"enable.auto.commit", "false"},
                                                       {"enable.partition.eof", "true"}}));
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_t* rk = consumer.get();
  if (rd_kafka_metadata(rk, 1, nullptr, &metadata, 10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kTimeout, "metadata request timed out");
  }
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
      partitions(rd_kafka_topic_partition_list_new(8), &rd_kafka_topic_partition_list_destroy);
  std::map<std::int32_t, std::int64_t> end;  // partition -> high watermark when we started
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    if (topic != metadata->topics[t].topic) continue;
    for (int p = 0; p < metadata->topics[t].partition_cnt; ++p) {
      const std::int32_t id = metadata->topics[t].partitions[p].id;
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), id, &low, &high, 10'000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(metadata);
        return kstreams::Status(kstreams::StatusCode::kTimeout, topic + ": no watermarks");
      }
      if (high > low) {
        end[id] = high;
        rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  std::map<std::string, std::string> latest;
  if (end.empty()) return latest;
  if (rd_kafka_assign(rk, partitions.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kIo, topic + ": assign failed");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return kstreams::Status(kstreams::StatusCode::kTimeout, topic + ": not read within 30 s");
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> message(
        m, &rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kstreams::Status(kstreams::StatusCode::kIo, topic + ": " + rd_kafka_message_errstr(m));
    }
    std::string key(static_cast<const char*>(m->key), m->key_len);
    if (m->payload == nullptr) {
      latest.erase(key);
    } else {
      latest[key] = std::string(static_cast<const char*>(m->payload), m->len);
    }
    auto it = end.find(m->partition);
    if (it != end.end() && m->offset + 1 >= it->second) end.erase(it);
  }
  rd_kafka_consumer_close(rk);
  return latest;
}

kstreams::Result<std::int64_t> count_records(const std::string& bootstrap_servers,
                                             const std::string& topic) {
  KSTREAMS_ASSIGN_OR_RETURN(
      Handle client, make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_servers}}));
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(client.get(), 1, nullptr, &metadata, 10'000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kstreams::Status(kstreams::StatusCode::kTimeout, "metadata request timed out");
  }
  std::int64_t count = 0;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    if (topic != metadata->topics[t].topic) continue;
    for (int p = 0; p < metadata->topics[t].partition_cnt; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(client.get(), topic.c_str(),
                                           metadata->topics[t].partitions[p].id, &low, &high,
                                           10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        count += high - low;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

std::optional<std::int64_t> decode_long(const std::string& bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(v);
}

}  // namespace customer_addresses
