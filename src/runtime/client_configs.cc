#include "src/runtime/client_configs.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kstreams::internal {
namespace {

constexpr std::string_view kGroupInstanceId = "group.instance.id";

// One user property as a client sees it: `key` without its "kafka." or client prefix, `given`
// as the user wrote it (for errors).
struct UserProperty {
  std::string_view given;
  std::string_view key;
  std::string_view value;
};

// The user's properties for one client, in the order they apply: those for both first ("kafka."
// stripped), then those with the client's prefix, so that these win as in Kafka Streams.
std::vector<UserProperty> user_properties(const StreamsConfig& config,
                                          std::string_view client_prefix) {
  constexpr std::string_view kBoth = "kafka.";
  std::vector<UserProperty> out;
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with("consumer.") || key.starts_with("producer.")) continue;
    const std::string_view stripped =
        std::string_view(key).substr(std::string_view(key).starts_with(kBoth) ? kBoth.size() : 0);
    out.push_back({key, stripped, value});
  }
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with(client_prefix)) {
      out.push_back({key, std::string_view(key).substr(client_prefix.size()), value});
    }
  }
  return out;
}

void append_user_properties(const StreamsConfig& config, std::string_view client_prefix,
                            kafka::ConfigEntries& entries) {
  for (const UserProperty& p : user_properties(config, client_prefix)) {
    entries.emplace_back(p.key, p.value);
  }
}

bool is_group_instance_id(const std::pair<std::string, std::string>& entry) {
  return entry.first == kGroupInstanceId;
}

// Whether `value` is `required`, a boolean in any of librdkafka's spellings ("True", "1").
// Anything else (a group id, an assignor name) must match exactly.
bool same_value(std::string value, const std::string& required) {
  if (value == required) return true;
  if (required != "true" && required != "false") return false;
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value == required || value == (required == "true" ? "1" : "0");
}

// A property kstreams decides for one client: `required` is the only value accepted (nullopt:
// none is), `why` says what another value would break.
struct OwnedProperty {
  std::string_view key;
  std::optional<std::string> required;
  std::string why;
};

Status check_owned(const StreamsConfig& config, std::string_view client_prefix,
                   const std::vector<OwnedProperty>& owned) {
  for (const UserProperty& user : user_properties(config, client_prefix)) {
    for (const OwnedProperty& p : owned) {
      if (user.key != p.key || (p.required && same_value(std::string(user.value), *p.required))) {
        continue;
      }
      return invalid_argument("client property '" + std::string(user.given) + "' = '" +
                              std::string(user.value) + "' cannot be used: " + p.why);
    }
  }
  return {};
}

}  // namespace

Status check_user_client_properties(const StreamsConfig& config, bool copartitioned) {
  const bool eos = config.processing_guarantee == ProcessingGuarantee::kExactlyOnceV2;
  std::vector<OwnedProperty> consumer = {
      {"group.id", config.application_id,
       "the stream threads' consumer group is application.id ('" + config.application_id + "')"},
      {"enable.auto.commit", "false",
       "kstreams commits offsets itself, only once the outputs of their records are durable"},
      {"enable.auto.offset.store", "false",
       "kstreams commits offsets itself, only once the outputs of their records are durable"},
      {"enable.partition.eof", "true",
       "a task learns from it that an empty input partition is caught up (max.task.idle.ms)"},
  };
  if (eos) {
    consumer.push_back(
        {"isolation.level", "read_committed", "exactly_once_v2 reads only committed transactions"});
  }
  if (copartitioned) {
    consumer.push_back({"partition.assignment.strategy", "range",
                        "a sub-topology reads several topics, and only the range assignor gives "
                        "partition p of each to the same member (ADR 0005)"});
  }
  KSTREAMS_RETURN_IF_ERROR(check_owned(config, "consumer.", consumer));
  std::vector<OwnedProperty> producer = {
      {"transactional.id", std::nullopt,
       eos ? "under exactly_once_v2 kstreams gives each stream thread a transactional.id of its own"
           : "under at_least_once the producer is not transactional (nothing would begin a "
             "transaction, and every record would fail)"}};
  if (eos) {
    producer.push_back(
        {"enable.idempotence", "true", "exactly_once_v2 needs the idempotent producer"});
  }
  return check_owned(config, "producer.", producer);
}

kafka::ConfigEntries consumer_config(const StreamsConfig& config, const ClientIdentity& id) {
  kafka::ConfigEntries entries{
      {"bootstrap.servers", id.bootstrap_servers},
      {"client.id", id.client_id + "-consumer"},
      {"group.id", config.application_id},
      // Offsets are committed by the stream thread, only for records whose outputs are durable.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // An end-of-partition event tells a task that an empty input is caught up: with
      // max.task.idle.ms >= 0 it waits for that before processing its other inputs (ADR 0010).
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      // Partition p of every co-partitioned topic lands on the same member (no custom assignor
      // in librdkafka).
      {"partition.assignment.strategy", "range"},
      // librdkafka < 2.2 stops fetching for a hard-coded second whenever its queue holds more
      // than queued.min.messages; keep that threshold out of reach and bound memory by bytes.
      {"queued.min.messages", "1000000"},
      {"queued.max.messages.kbytes", "65536"},
      {"isolation.level", config.processing_guarantee == ProcessingGuarantee::kExactlyOnceV2
                              ? "read_committed"
                              : "read_uncommitted"},
  };
  if (id.embedded) {
    // The mock holds an empty fetch for the whole wait and times rebalances by the session
    // timeout (src/kafka/embedded_cluster.h).
    entries.emplace_back("fetch.wait.max.ms", "10");
    entries.emplace_back("session.timeout.ms", "4000");
    entries.emplace_back("heartbeat.interval.ms", "300");
  } else {
    entries.emplace_back("fetch.wait.max.ms", "100");
  }
  append_user_properties(config, "consumer.", entries);
  // Static membership: the last group.instance.id given wins; empty means none (librdkafka
  // would make the consumer a static member named ""). A stream thread's consumer gets its
  // number appended, or the threads would fence each other (as Kafka Streams does it).
  std::string instance_id;
  for (const auto& entry : entries) {
    if (is_group_instance_id(entry)) instance_id = entry.second;
  }
  std::erase_if(entries, is_group_instance_id);
  if (!instance_id.empty()) {
    if (id.thread > 0) instance_id += "-" + std::to_string(id.thread);
    entries.emplace_back(kGroupInstanceId, std::move(instance_id));
  }
  return entries;
}

kafka::ConfigEntries producer_config(const StreamsConfig& config, const ClientIdentity& id) {
  kafka::ConfigEntries entries{
      {"bootstrap.servers", id.bootstrap_servers},
      {"client.id", id.client_id + "-producer"},
      // Keys land on the partitions Java clients would choose.
      {"partitioner", "murmur2_random"},
      // No duplicates from producer retries, and nothing acknowledged before it is replicated.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"batch.num.messages", "10000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "262144"},
  };
  if (config.processing_guarantee == ProcessingGuarantee::kExactlyOnceV2) {
    // One transactional producer per stream thread (exactly_once_v2): the id is unique per
    // process and thread; zombies are fenced through the consumer group generation that every
    // transaction's offsets carry. A transaction left open by a crashed instance blocks
    // read_committed readers until it times out, so keep that short (Kafka Streams: 10 s).
    entries.emplace_back("transactional.id", id.client_id);
    entries.emplace_back("transaction.timeout.ms", "10000");
  }
  append_user_properties(config, "producer.", entries);
  std::erase_if(entries, is_group_instance_id);  // a consumer property (librdkafka would warn)
  return entries;
}

kafka::ConfigEntries assigned_consumer_config(const StreamsConfig& config, const ClientIdentity& id,
                                              std::string_view role, bool read_uncommitted) {
  kafka::ConfigEntries entries = consumer_config(config, id);
  std::erase_if(entries, is_group_instance_id);
  std::erase_if(entries, [](const auto& entry) { return entry.first == "enable.partition.eof"; });
  for (auto& [key, value] : entries) {
    if (key == "group.id") value = config.application_id + "-" + std::string(role);
    if (key == "client.id") value = id.client_id + "-" + std::string(role) + "-consumer";
    if (key == "isolation.level" && read_uncommitted) value = "read_uncommitted";
  }
  return entries;
}

}  // namespace kstreams::internal
