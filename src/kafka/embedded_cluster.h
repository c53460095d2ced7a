// File: src/kafka/embedded_cluster.h (private)
//
// An in-process Kafka cluster for tests and demos: librdkafka's mock cluster, which speaks the
// Kafka protocol on 127.0.0.1 ephemeral ports.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

#include "src/kafka/handles.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;  // NOLINT: librdkafka's name.

namespace kstreams::kafka {

/// A librdkafka mock cluster owned by this process (one `rdk:mock` thread serves all brokers),
/// with fault injection. Brokers have ids 1..N and listen on 127.0.0.1 only.
///
/// Thread-safe: every method may be called from any thread (librdkafka hands each call to the
/// mock thread and waits for it). Destroy clients connected to it before destroying it.
///
/// Measured limits of librdkafka 2.0.2's mock (measured on Debian 12 while building kstreams):
///  * No transactional semantics: read_committed also returns aborted and open transactions'
///    records, offsets sent with send_offsets_to_transaction are dropped, and a second producer
///    with the same transactional.id is not fenced. Error paths can be injected, though.
///  * An idempotent producer without transactional.id is not de-duplicated on retries.
///  * No Admin API (CreateTopics etc. time out): create topics with create_topic(). An unknown
///    topic named in a Metadata request is auto-created with 4 partitions; replication is
///    ignored (every broker is listed as a replica).
///  * About 5 MiB or 100 000 message sets per partition are kept; older ones are deleted
///    silently (the low watermark moves), so big changelogs restore incompletely.
///  * Group rebalances are timed by the mock, not the client: the first join of an empty group
///    takes 3 s, every later rebalance session.timeout.ms − 1 s (twice for cooperative-sticky).
///    Tests should use session.timeout.ms 3500–4000 with heartbeat.interval.ms=300; below
///    ~3000 a join can hang for minutes.
///  * An empty Fetch is held for the whole fetch.wait.max.ms: use fetch.wait.max.ms=10 for
///    latency. librdkafka < 2.2 backs off fetching for 1 s when its queue is above
///    queued.min.messages: use queued.min.messages=1000000 for throughput.
///  * At most one producer batch per partition per Fetch.
///  * About one call in ten to this class (and the destructor) takes ~1 s instead of ~0: the
///    mock thread sometimes misses the wakeup for a command and serves it at its next 1 s
///    timer tick (measured: 4 of 40 create_topic calls took 1001 ms).
class EmbeddedCluster {
 public:
  /// Starts a cluster of `brokers` brokers (1..N ids) on 127.0.0.1.
  static Result<std::unique_ptr<EmbeddedCluster>> start(int brokers = 3);

  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;
  ~EmbeddedCluster();

  /// "127.0.0.1:port,..." for bootstrap.servers.
  [[nodiscard]] const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  [[nodiscard]] int broker_count() const { return brokers_; }

  /// Creates `name` with `partitions` partitions. `replication` must be 1..broker_count() but is
  /// otherwise ignored by the mock.
  Status create_topic(const std::string& name, int partitions, int replication = 1);

  /// Disconnects broker `id` and refuses new connections (leadership does not move), or lets it
  /// accept connections again.
  Status set_broker_down(std::int32_t id);
  Status set_broker_up(std::int32_t id);

  /// The next requests of type `api_key` (e.g. 0 = Produce) fail with `errors`, in order, on
  /// whichever broker receives them. _TRANSPORT makes the broker drop the connection.
  Status push_request_errors(std::int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);

  /// Delays every response of broker `id` by `rtt`.
  Status set_broker_rtt(std::int32_t id, std::chrono::milliseconds rtt);

 private:
  EmbeddedCluster() = default;
  Status check_broker(std::int32_t id) const;

  struct MockDeleter {
    void operator()(rd_kafka_mock_cluster_t* cluster) const;
  };

  int brokers_ = 0;
  std::string bootstrap_servers_;
  // Destruction order: the mock cluster runs on handle_'s resources, so it is declared after
  // handle_ and thus destroyed first.
  KafkaPtr handle_;
  std::unique_ptr<rd_kafka_mock_cluster_t, MockDeleter> cluster_;
};

/// A Kafka protocol request type by name ("Produce", "Fetch", "OffsetCommit", ...) or number.
Result<std::int16_t> parse_api_key(std::string_view text);

}  // namespace kstreams::kafka
