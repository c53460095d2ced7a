#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string_view>

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>

#include <kstreams/streams_config.h>

#include "operators/dead_letter.h"
#include "src/config/properties_format.h"
#include "src/core/logging.h"

namespace kstreams {
namespace {

bool is_ip_address(const std::string& text) {
  unsigned char address[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), address) == 1 ||
         inet_pton(AF_INET6, text.c_str(), address) == 1;
}

constexpr std::string_view kClientPrefixes[] = {"kafka.", "consumer.", "producer."};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Checks `client_key`=`value` against librdkafka's own property table. Errors name the key as the
// user gave it (`given_key`, which may carry a "kafka.", "consumer." or "producer." prefix) and
// never show the value of a secret.
Status check_client_property(const std::string& given_key, const std::string& client_key,
                             const std::string& value) {
  std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(rd_kafka_conf_new(),
                                                                          &rd_kafka_conf_destroy);
  char error[512] = {0};
  switch (rd_kafka_conf_set(conf.get(), client_key.c_str(), value.c_str(), error, sizeof error)) {
    case RD_KAFKA_CONF_OK:
      return {};
    case RD_KAFKA_CONF_UNKNOWN:
      return invalid_argument("unknown property '" + given_key + "'");
    case RD_KAFKA_CONF_INVALID:
      break;
  }
  const std::string reason = internal::redact_config_text(error, given_key, value);
  return invalid_argument("invalid value for client property '" + given_key + "': " +
                          internal::redact_config_value(given_key, value) + " (" + reason + ")");
}

// How an error message shows `value`: quoted, or "[hidden]" when `key` is a secret.
std::string quoted(const std::string& key, const std::string& value) {
  return internal::is_secret_config_key(key) ? std::string("[hidden]") : "'" + value + "'";
}

bool is_legal_application_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// application.id prefixes topic names (Kafka allows [A-Za-z0-9._-] in them) and names the
// directory <state.dir>/<application.id>, which a cleanup removes recursively: "." or ".." would
// make that state.dir itself or its parent. Empty is left to the callers (the test driver
// substitutes a default; KafkaStreams and from_properties reject it).
Status check_application_id(const std::string& id) {
  if (id == "." || id == "..") {
    return invalid_argument("application.id must not be '" + id +
                            "': it names a directory under state.dir");
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (is_legal_application_id_char(id[i])) continue;
    const auto byte = static_cast<unsigned char>(id[i]);
    char shown[16];
    if (byte >= 0x20 && byte < 0x7f) {
      std::snprintf(shown, sizeof shown, "'%c'", id[i]);
    } else {
      std::snprintf(shown, sizeof shown, "byte 0x%02x", byte);
    }
    return invalid_argument("application.id: " + std::string(shown) + " at position " +
                            std::to_string(i) +
                            " is not allowed; use ASCII letters, digits, '.', '_' and '-' (it "
                            "names topics and a directory under state.dir)");
  }
  return {};
}

template <class Int>
Status parse_int(const std::string& key, const std::string& text, Int& out) {
  const std::string_view v = trim(text);
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    return invalid_argument("property '" + key + "': " + quoted(key, text) + " is not an integer");
  }
  return {};
}

Status parse_bool(const std::string& key, const std::string& text, bool& out) {
  const std::string_view v = trim(text);
  if (v == "true") {
    out = true;
  } else if (v == "false") {
    out = false;
  } else {
    return invalid_argument("property '" + key + "': " + quoted(key, text) +
                            " is not true or false");
  }
  return {};
}

Result<ErrorHandler> parse_handler(const std::string& key, const std::string& value) {
  const std::string_view v = trim(value);
  if (v == "LogAndFail" || v == "log_and_fail" ||
      v == "org.apache.kafka.streams.errors.LogAndFailExceptionHandler" ||
      v == "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler" ||
      v == "org.apache.kafka.streams.errors.DefaultProductionExceptionHandler") {
    return error_handlers::log_and_fail();
  }
  if (v == "LogAndContinue" || v == "log_and_continue" ||
      v == "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler" ||
      v == "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler") {
    return error_handlers::log_and_continue();
  }
  if (v == "DeadLetter" || v == "dead_letter") return error_handlers::dead_letter();
  return invalid_argument("property '" + key + "': unknown handler " + quoted(key, value) +
                          " (use LogAndFail, LogAndContinue or DeadLetter)");
}

}  // namespace

std::string_view to_string(ProcessingGuarantee guarantee) {
  return guarantee == ProcessingGuarantee::kExactlyOnceV2 ? "exactly_once_v2" : "at_least_once";
}

std::int64_t StreamsConfig::effective_commit_interval_ms() const {
  if (commit_interval_ms >= 0) return commit_interval_ms;
  return processing_guarantee == ProcessingGuarantee::kExactlyOnceV2 ? 100 : 30'000;
}

bool StreamsConfig::uses_embedded_cluster() const {
  return bootstrap_servers.empty() || bootstrap_servers == "embedded";
}

Status StreamsConfig::validate() const {
  KSTREAMS_RETURN_IF_ERROR(check_application_id(application_id));
  const bool needs_dlq =
      internal::is_dead_letter_handler(default_deserialization_exception_handler) ||
      internal::is_dead_letter_handler(processing_exception_handler) ||
      internal::is_dead_letter_handler(default_production_exception_handler);
  if (needs_dlq && errors_dead_letter_queue_topic_name.empty()) {
    return invalid_argument(
        "errors.dead.letter.queue.topic.name must be set when an exception handler is "
        "dead_letter");
  }
  if (!default_deserialization_exception_handler) {
    return invalid_argument("default.deserialization.exception.handler must not be empty");
  }
  if (!processing_exception_handler) {
    return invalid_argument("processing.exception.handler must not be empty");
  }
  if (!default_production_exception_handler) {
    return invalid_argument("default.production.exception.handler must not be empty");
  }
  if (num_stream_threads < 1) return invalid_argument("num.stream.threads must be >= 1");
  if (commit_interval_ms < -1) return invalid_argument("commit.interval.ms must be >= 0");
  if (max_task_idle_ms < -1) return invalid_argument("max.task.idle.ms must be >= -1");
  if (buffered_records_per_partition < 1) {
    return invalid_argument("buffered.records.per.partition must be >= 1");
  }
  if (poll_ms < 0) return invalid_argument("poll.ms must be >= 0");
  if (max_poll_records < 1) return invalid_argument("max.poll.records must be >= 1");
  if (metrics_log_interval_ms < 0) return invalid_argument("metrics.log.interval.ms must be >= 0");
  if (metrics_port < -1 || metrics_port > 65535) {
    return invalid_argument("metrics.port must be -1 (no endpoint), 0 (any free port) or 1-65535");
  }
  if (metrics_port >= 0 && !is_ip_address(metrics_host)) {
    return invalid_argument("metrics.host must be an IPv4 or IPv6 address, not '" + metrics_host +
                            "'");
  }
  if (embedded_cluster_brokers < 1) {
    return invalid_argument("embedded.cluster.brokers must be >= 1");
  }
  if (embedded_cluster_partitions < 1) {
    return invalid_argument("embedded.cluster.partitions must be >= 1");
  }
  if (state_dir.empty()) return invalid_argument("state.dir must not be empty");
  if (statestore_cache_max_bytes < 0) {
    return invalid_argument("statestore.cache.max.bytes must be >= 0");
  }
  if (rocksdb_block_cache_bytes < 1024 * 1024) {
    return invalid_argument("rocksdb.block.cache.bytes must be >= 1048576");
  }
  if (rocksdb_write_buffer_bytes < 1024 * 1024) {
    return invalid_argument("rocksdb.write.buffer.bytes must be >= 1048576");
  }
  if (replication_factor == 0 || replication_factor < -1) {
    return invalid_argument("replication.factor must be -1 (broker default) or >= 1");
  }
  for (const auto& [key, value] : client_properties) {
    // "kafka.X" is X for both clients: with both set, which one won would be an accident of
    // their order.
    if (key.starts_with("kafka.") && client_properties.contains(key.substr(6))) {
      return invalid_argument("client properties '" + key.substr(6) + "' and '" + key +
                              "' are the same property; set one of them");
    }
    std::string client_key = key;
    for (std::string_view prefix : kClientPrefixes) {
      if (key.starts_with(prefix)) client_key = key.substr(prefix.size());
    }
    KSTREAMS_RETURN_IF_ERROR(check_client_property(key, client_key, value));
  }
  return {};
}

Result<StreamsConfig> StreamsConfig::from_properties(
    const std::map<std::string, std::string>& props) {
  StreamsConfig config;
  for (const auto& [key, value] : props) {
    if (key == "application.id") {
      config.application_id = value;
    } else if (key == "bootstrap.servers") {
      config.bootstrap_servers = value;
    } else if (key == "processing.guarantee") {
      if (value == "at_least_once") {
        config.processing_guarantee = ProcessingGuarantee::kAtLeastOnce;
      } else if (value == "exactly_once_v2" || value == "exactly_once_beta") {
        config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
      } else {
        return invalid_argument("property 'processing.guarantee': " + quoted(key, value) +
                                " is not at_least_once or exactly_once_v2");
      }
    } else if (key == "num.stream.threads") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.num_stream_threads));
    } else if (key == "commit.interval.ms") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.commit_interval_ms));
    } else if (key == "state.dir") {
      config.state_dir = value;
    } else if (key == "statestore.cache.max.bytes" || key == "cache.max.bytes.buffering") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.statestore_cache_max_bytes));
    } else if (key == "rocksdb.block.cache.bytes") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.rocksdb_block_cache_bytes));
    } else if (key == "rocksdb.write.buffer.bytes") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.rocksdb_write_buffer_bytes));
    } else if (key == "replication.factor") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.replication_factor));
    } else if (key == "max.task.idle.ms") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.max_task_idle_ms));
    } else if (key == "buffered.records.per.partition") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.buffered_records_per_partition));
    } else if (key == "poll.ms") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.poll_ms));
    } else if (key == "max.poll.records") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.max_poll_records));
    } else if (key == "sink.forwards.source.bytes") {
      KSTREAMS_RETURN_IF_ERROR(parse_bool(key, value, config.sink_forwards_source_bytes));
    } else if (key == "metrics.log.interval.ms") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.metrics_log_interval_ms));
    } else if (key == "metrics.port") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.metrics_port));
    } else if (key == "metrics.host") {
      config.metrics_host = value;
    } else if (key == "embedded.cluster.brokers") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.embedded_cluster_brokers));
    } else if (key == "embedded.cluster.partitions") {
      KSTREAMS_RETURN_IF_ERROR(parse_int(key, value, config.embedded_cluster_partitions));
    } else if (key == "default.deserialization.exception.handler" ||
               key == "deserialization.exception.handler") {
      KSTREAMS_ASSIGN_OR_RETURN(config.default_deserialization_exception_handler,
                                parse_handler(key, value));
    } else if (key == "processing.exception.handler") {
      KSTREAMS_ASSIGN_OR_RETURN(config.processing_exception_handler, parse_handler(key, value));
    } else if (key == "default.production.exception.handler" ||
               key == "production.exception.handler") {
      KSTREAMS_ASSIGN_OR_RETURN(config.default_production_exception_handler,
                                parse_handler(key, value));
    } else if (key == "errors.dead.letter.queue.topic.name") {
      config.errors_dead_letter_queue_topic_name = value;
    } else {
      std::string client_key = key;
      std::string stored_key = key;
      if (key.starts_with("kafka.")) {
        client_key = key.substr(6);
        stored_key = client_key;
        if (props.contains(client_key)) {
          return invalid_argument("properties '" + client_key + "' and '" + key +
                                  "' are the same property; set one of them");
        }
      } else if (key.starts_with("consumer.") || key.starts_with("producer.")) {
        client_key = key.substr(key.find('.') + 1);
      }
      KSTREAMS_RETURN_IF_ERROR(check_client_property(key, client_key, value));
      config.client_properties[stored_key] = value;
    }
  }
  // Kafka Streams' StreamsConfig requires it too (same message); KafkaStreams would only find out
  // at start.
  if (!props.contains("application.id")) {
    return invalid_argument(
        "Missing required configuration \"application.id\" which has no default value.");
  }
  if (config.application_id.empty()) return invalid_argument("application.id must not be empty");
  KSTREAMS_RETURN_IF_ERROR(config.validate());
  return config;
}

Result<std::map<std::string, std::string>> StreamsConfig::read_properties_file(
    const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status(StatusCode::kIo, "cannot read properties file '" + path + "'");
  // istream::read turns a read error (e.g. a directory) into badbit; streambuf iterators throw.
  std::string text;
  char buffer[4096];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(file.gcount()));
  }
  if (file.bad()) return Status(StatusCode::kIo, "cannot read properties file '" + path + "'");
  KSTREAMS_ASSIGN_OR_RETURN(auto entries, internal::parse_properties(text, path));
  std::map<std::string, std::string> props;
  for (auto& [key, value] : entries) props[std::move(key)] = std::move(value);
  return props;
}

// Split like a properties-file line ('=', ':' or whitespace), but without escapes or
// continuations: the shell has already done the quoting. Errors never show a value.
Status StreamsConfig::parse_assignments(const std::vector<std::string>& assignments,
                                        std::map<std::string, std::string>& props) {
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    std::string_view text = assignments[i];
    while (!text.empty() && internal::is_properties_blank(text.front())) text.remove_prefix(1);
    const internal::KeyValueSplit split = internal::split_key_value(text, /*escapes=*/false);
    if (split.key_end == 0) {
      return invalid_argument("assignment " + std::to_string(i + 1) +
                              " has an empty key: expected key=value");
    }
    if (!split.has_separator) {
      // No separator: all of it is the key.
      return invalid_argument("'" + std::string(text) + "': expected key=value");
    }
    props[std::string(text.substr(0, split.key_end))] = std::string(text.substr(split.value_begin));
  }
  return Status();
}

Result<std::map<std::string, std::string>> StreamsConfig::read_command_line_properties(
    const std::string& path, const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> props;
  if (!path.empty()) {
    KSTREAMS_ASSIGN_OR_RETURN(props, read_properties_file(path));
  }
  if (Status s = parse_assignments(assignments, props); !s.ok()) {
    return invalid_argument("--property " + s.message());
  }
  return props;
}

}  // namespace kstreams
