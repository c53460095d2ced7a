// File: kstreams/streams_config.h
//
// `StreamsConfig`: the settings of a kstreams application, with Kafka Streams' property names in
// the comments and Kafka Streams' defaults. Fill it with designated initializers, or load it from
// a properties file / "key=value" flags with `StreamsConfig::from_properties`:
//
//   kstreams::StreamsConfig config{
//       .application_id = "address-router",
//       .bootstrap_servers = "",                 // empty: the embedded cluster
//       .processing_guarantee = kstreams::ProcessingGuarantee::kAtLeastOnce,
//   };
//
// Every librdkafka property passes through to the clients: put it in `client_properties`
// (both clients), or prefix it with "consumer." / "producer." for one of them. A property file
// may also use the "kafka." prefix for both. The full reference with the client defaults kstreams
// chooses is docs/configuration.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <kstreams/errors.h>
#include <kstreams/status.h>

namespace rocksdb {
struct Options;  // <rocksdb/options.h>: include it where you write a config setter
}  // namespace rocksdb

namespace kstreams {

/// `processing.guarantee`.
enum class ProcessingGuarantee : std::uint8_t { kAtLeastOnce, kExactlyOnceV2 };

/// "at_least_once" / "exactly_once_v2".
std::string_view to_string(ProcessingGuarantee guarantee);

/// Application settings. A plain value; copy freely. Every field has a default.
struct StreamsConfig {
  /// `application.id`: consumer group id, client-id prefix and internal-topic prefix.
  /// Required by KafkaStreams; the test driver uses "test-driver" when empty. Default: "".
  std::string application_id = {};
  /// `bootstrap.servers`: "host:port,..."; empty or "embedded" starts the embedded cluster.
  /// Default: "" (embedded).
  std::string bootstrap_servers = {};
  /// `processing.guarantee`. Default: at-least-once.
  ProcessingGuarantee processing_guarantee = ProcessingGuarantee::kAtLeastOnce;
  /// `num.stream.threads`: stream threads in this instance. Default: 1.
  int num_stream_threads = 1;
  /// `commit.interval.ms`: how often offsets are committed. Default: -1, meaning 30000 under
  /// at-least-once and 100 under exactly-once (Kafka Streams' defaults).
  std::int64_t commit_interval_ms = -1;
  /// `state.dir`: where local state lives. Default: "/tmp/kstreams".
  std::string state_dir = "/tmp/kstreams";
  /// `statestore.cache.max.bytes`: the record cache of all stores of this instance, split
  /// evenly between stream threads; 0 disables caching. Default: 10485760 (10 MiB).
  std::int64_t statestore_cache_max_bytes = 10 * 1024 * 1024;
  /// kstreams: the RocksDB block cache shared by every store of this instance
  /// (`rocksdb.block.cache.bytes`). Default: 67108864 (64 MiB).
  std::int64_t rocksdb_block_cache_bytes = 64 * 1024 * 1024;
  /// kstreams: memtable memory of every store of this instance, charged to the block cache
  /// (`rocksdb.write.buffer.bytes`). Default: 33554432 (32 MiB).
  std::int64_t rocksdb_write_buffer_bytes = 32 * 1024 * 1024;
  /// `rocksdb.config.setter`: tunes the options of every RocksDB store (called with the store's
  /// name when it opens, after kstreams' defaults and the shared cache are set). Code only.
  std::function<void(const std::string& store_name, rocksdb::Options& options)>
      rocksdb_config_setter = {};
  /// `replication.factor`: of the changelog and repartition topics kstreams creates; -1 uses
  /// the broker's default. Default: -1.
  int replication_factor = -1;
  /// `max.task.idle.ms`: how long a task with several input partitions waits for an empty
  /// partition: -1 never; 0 while it may have records on the broker; n: that, then n ms more
  /// (KIP-695, docs/adr/0010). Default: 0.
  std::int64_t max_task_idle_ms = 0;
  /// `buffered.records.per.partition`: a partition whose task buffer holds this many records is
  /// paused until it drains (backpressure). Default: 1000.
  std::int32_t buffered_records_per_partition = 1000;
  /// `poll.ms`: how long a stream thread blocks polling for records. Default: 100.
  std::int64_t poll_ms = 100;
  /// `max.poll.records`: records taken per poll. Default: 1000.
  std::int32_t max_poll_records = 1000;
  /// kstreams: a sink writes a value that no operator replaced (filter, split, peek and merge
  /// pass values on; map_values and the like make new ones) as the very bytes its source read,
  /// instead of serializing it again, when both serdes are of one type without data members
  /// declaring `kRoundTrips` (string, bytes, protobuf) (`sink.forwards.source.bytes`). A stream
  /// sent to several children hands copies to all but the last; copies are serialized. Saves a
  /// serialization per record in routers and filters. The bytes then are the producer's: a protobuf
  /// message written with another field order or explicit defaults stays so, where Kafka Streams,
  /// which always serializes, writes its canonical form (both parse to the same message). Default:
  /// false (Kafka Streams' bytes).
  bool sink_forwards_source_bytes = false;
  /// kstreams: interval of the one-line metrics summary in the log; 0 disables it.
  /// Property `metrics.log.interval.ms`. Default: 30000.
  std::int64_t metrics_log_interval_ms = 30000;
  /// kstreams: the port of the Prometheus endpoint, `GET /metrics` in the text format
  /// (`metrics.port`; docs/observability.md). -1: no endpoint; 0: any free port
  /// (KafkaStreams::metrics_port() says which). Default: -1.
  int metrics_port = -1;
  /// kstreams: the address the Prometheus endpoint listens on (`metrics.host`): "0.0.0.0" for
  /// every IPv4 interface, "::" for every interface, "127.0.0.1" for this host only. Default:
  /// "0.0.0.0".
  std::string metrics_host = "0.0.0.0";
  /// kstreams: brokers of the embedded cluster (`embedded.cluster.brokers`). Default: 3.
  int embedded_cluster_brokers = 3;
  /// kstreams: partition count of the topics created on the embedded cluster
  /// (`embedded.cluster.partitions`). Default: 4.
  int embedded_cluster_partitions = 4;
  /// `default.deserialization.exception.handler`. Default: log and fail.
  ErrorHandler default_deserialization_exception_handler = error_handlers::log_and_fail();
  /// `processing.exception.handler`. Default: log and fail.
  ErrorHandler processing_exception_handler = error_handlers::log_and_fail();
  /// `default.production.exception.handler`. Default: log and fail.
  ErrorHandler default_production_exception_handler = error_handlers::log_and_fail();
  /// `errors.dead.letter.queue.topic.name`: where `kDeadLetter` sends records. Required when a
  /// built-in handler is dead_letter. Default: "" (none).
  std::string errors_dead_letter_queue_topic_name = {};
  /// librdkafka properties for both clients ("security.protocol", "sasl.username", ...), and
  /// "consumer.<property>" / "producer.<property>" for one client. Applied after kstreams'
  /// defaults, so they win. Default: none.
  std::map<std::string, std::string> client_properties = {};

  /// Checks the fields; the error (kInvalidArgument) names the offending property.
  [[nodiscard]] Status validate() const;

  /// The commit interval in effect (resolves -1 by processing guarantee).
  [[nodiscard]] std::int64_t effective_commit_interval_ms() const;
  /// True when `bootstrap_servers` asks for the embedded cluster.
  [[nodiscard]] bool uses_embedded_cluster() const;

  /// Builds a config from Kafka Streams property names ("application.id", "num.stream.threads",
  /// "default.deserialization.exception.handler" = LogAndFail | LogAndContinue | DeadLetter, ...).
  /// Keys prefixed "kafka.", "consumer." or "producer." and other valid librdkafka properties go
  /// to `client_properties`. An unknown key or a malformed value is kInvalidArgument naming it.
  static Result<StreamsConfig> from_properties(const std::map<std::string, std::string>& props);
  /// Reads a properties file in java.util.Properties' format (docs/configuration.md) into a map
  /// for `from_properties`. kIo when it cannot be read; kInvalidArgument naming file and line.
  static Result<std::map<std::string, std::string>> read_properties_file(const std::string& path);
  /// Parses command-line "key=value" assignments (repeated --property flags; ':' or a blank also
  /// separates, as in a properties file) into `props`, later ones overriding earlier ones and
  /// what `props` held. kInvalidArgument for one without key or separator (no value shown).
  static Status parse_assignments(const std::vector<std::string>& assignments,
                                  std::map<std::string, std::string>& props);
  /// What a command line's `--config FILE` and repeated `--property key=value` flags give: the
  /// file's properties (none when `path` is empty), then the assignments over them. Errors as
  /// read_properties_file's, and kInvalidArgument starting "--property" for a bad assignment.
  static Result<std::map<std::string, std::string>> read_command_line_properties(
      const std::string& path, const std::vector<std::string>& assignments);
};

}  // namespace kstreams
