#include "src/runtime/client_configs.h"

#include <string>
#include <utility>
#include <vector>

namespace kstreams::internal {
namespace {

constexpr std::string_view kGroupInstanceId = "group.instance.id";

// The user's properties for one client: those for both first ("kafka." stripped), then those
// with the client's prefix, so that these win as in Kafka Streams (entries are applied in order).
void append_user_properties(const StreamsConfig& config, std::string_view client_prefix,
                            kafka::ConfigEntries& entries) {
  constexpr std::string_view kBoth = "kafka.";
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with("consumer.") || key.starts_with("producer.")) continue;
    entries.emplace_back(key.starts_with(kBoth) ? key.substr(kBoth.size()) : key, value);
  }
  for (const auto& [key, value] : config.client_properties) {
    if (key.starts_with(client_prefix)) {
      entries.emplace_back(key.substr(client_prefix.size()), value);
    }
  }
}

bool is_group_instance_id(const std::pair<std::string, std::string>& entry) {
  return entry.first == kGroupInstanceId;
}

}  // namespace

kafka::ConfigEntries consumer_config(const StreamsConfig& config, const ClientIdentity& id) {
  kafka::ConfigEntries entries{
      {"bootstrap.servers", id.bootstrap_servers},
      {"client.id", id.client_id + "-consumer"},
      {"group.id", config.application_id},
      // Offsets are committed by the stream thread, only for records whose outputs are durable.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
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
    // timeout (research/librdkafka-mock-and-deps.md).
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
  for (auto& [key, value] : entries) {
    if (key == "group.id") value = config.application_id + "-" + std::string(role);
    if (key == "client.id") value = id.client_id + "-" + std::string(role) + "-consumer";
    if (key == "isolation.level" && read_uncommitted) value = "read_uncommitted";
  }
  return entries;
}

}  // namespace kstreams::internal
