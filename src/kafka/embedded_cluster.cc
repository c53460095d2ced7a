#include "src/kafka/embedded_cluster.h"

// rdkafka_mock.h refuses to compile unless rdkafka.h came first.
#include <array>
#include <charconv>
#include <utility>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "src/core/logging.h"
#include "src/kafka/client_config.h"
#include "src/kafka/error.h"

namespace kstreams::kafka {
namespace {

struct ApiKeyName {
  std::string_view name;
  std::int16_t key;
};

// Kafka protocol ApiKeys the mock implements.
constexpr std::array<ApiKeyName, 22> kApiKeys = {{
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"DescribeGroups", 15},
    {"ListGroups", 16},
    {"SaslHandshake", 17},
    {"ApiVersions", 18},
    {"InitProducerId", 22},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
    {"SaslAuthenticate", 36},
    {"OffsetForLeaderEpoch", 23},
}};

}  // namespace

void EmbeddedCluster::MockDeleter::operator()(rd_kafka_mock_cluster_t* cluster) const {
  rd_kafka_mock_cluster_destroy(cluster);
}

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::start(int brokers) {
  if (brokers < 1) return invalid_argument("an embedded cluster needs at least 1 broker");
  // The owning handle has no bootstrap.servers, which librdkafka warns about once; only errors
  // from it are worth logging.
  KSTREAMS_ASSIGN_OR_RETURN(
      ConfPtr conf,
      make_conf({{"log_level", "3"}, {"client.id", "kstreams-embedded"}}, "embedded cluster"));
  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) return illegal_state(std::string("embedded cluster handle: ") + errstr.data());
  (void)conf.release();  // rd_kafka_new owns it now.

  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster());
  cluster->handle_.reset(rk);
  cluster->cluster_.reset(rd_kafka_mock_cluster_new(rk, brokers));
  if (!cluster->cluster_) return illegal_state("rd_kafka_mock_cluster_new failed");
  cluster->brokers_ = brokers;
  cluster->bootstrap_servers_ = rd_kafka_mock_cluster_bootstraps(cluster->cluster_.get());
  internal::logger().info("embedded Kafka cluster ({} brokers) at {}", brokers,
                          cluster->bootstrap_servers_);
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() = default;

Status EmbeddedCluster::check_broker(std::int32_t id) const {
  if (id < 1 || id > brokers_) {
    return invalid_argument("broker id " + std::to_string(id) + " is not in 1.." +
                            std::to_string(brokers_));
  }
  return Status();
}

Status EmbeddedCluster::create_topic(const std::string& name, int partitions, int replication) {
  if (name.empty()) return invalid_argument("topic name is empty");
  if (partitions < 1) return invalid_argument("topic '" + name + "' needs at least 1 partition");
  if (replication < 1 || replication > brokers_) {
    return invalid_argument("replication factor " + std::to_string(replication) + " of topic '" +
                            name + "' is not in 1.." + std::to_string(brokers_));
  }
  return to_status(
      rd_kafka_mock_topic_create(cluster_.get(), name.c_str(), partitions, replication),
      "create topic '" + name + "'");
}

Status EmbeddedCluster::set_broker_down(std::int32_t id) {
  KSTREAMS_RETURN_IF_ERROR(check_broker(id));
  return to_status(rd_kafka_mock_broker_set_down(cluster_.get(), id), "broker down");
}

Status EmbeddedCluster::set_broker_up(std::int32_t id) {
  KSTREAMS_RETURN_IF_ERROR(check_broker(id));
  return to_status(rd_kafka_mock_broker_set_up(cluster_.get(), id), "broker up");
}

Status EmbeddedCluster::push_request_errors(std::int16_t api_key,
                                            const std::vector<rd_kafka_resp_err_t>& errors) {
  if (api_key < 0) return invalid_argument("negative ApiKey " + std::to_string(api_key));
  if (errors.empty()) return Status();
  rd_kafka_mock_push_request_errors_array(cluster_.get(), api_key, errors.size(), errors.data());
  return Status();
}

Status EmbeddedCluster::set_broker_rtt(std::int32_t id, std::chrono::milliseconds rtt) {
  KSTREAMS_RETURN_IF_ERROR(check_broker(id));
  if (rtt.count() < 0) return invalid_argument("negative rtt");
  return to_status(rd_kafka_mock_broker_set_rtt(cluster_.get(), id, static_cast<int>(rtt.count())),
                   "rtt");
}

Result<std::int16_t> parse_api_key(std::string_view text) {
  for (const ApiKeyName& entry : kApiKeys) {
    if (entry.name == text) return entry.key;
  }
  int number = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size() && number >= 0 && number < 100) {
    return static_cast<std::int16_t>(number);
  }
  return invalid_argument("unknown Kafka ApiKey '" + std::string(text) +
                          "' (a number, or a name such as Produce, Fetch, OffsetCommit)");
}

}  // namespace kstreams::kafka
