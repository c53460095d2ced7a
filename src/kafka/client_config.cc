#include "src/kafka/client_config.h"

#include <array>
#include <string>

#include <spdlog/spdlog.h>

#include "src/core/logging.h"

namespace kstreams::kafka {
namespace {

void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  auto& log = internal::logger();
  const auto spd_level = static_cast<spdlog::level::level_enum>(spdlog_level_for_syslog(level));
  if (!log.should_log(spd_level)) return;
  log.log(spd_level, "librdkafka {} {}: {}", rk != nullptr ? rd_kafka_name(rk) : "-", facility,
          text);
}

// Without an error_cb librdkafka would only log these; routing them here keeps the format and
// marks which ones are fatal (the client is then unusable; see fatal_error_status()).
void error_callback(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    internal::logger().error("{}: fatal error: {}", rd_kafka_name(rk), reason);
  } else {
    internal::logger().warn("{}: {} ({})", rd_kafka_name(rk), reason, rd_kafka_err2name(code));
  }
}

}  // namespace

int spdlog_level_for_syslog(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::critical;
  if (syslog_level == 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

Result<ConfPtr> make_conf(const ConfigEntries& entries, std::string_view role) {
  ConfPtr conf(rd_kafka_conf_new());
  std::array<char, 512> errstr{};
  std::string described;
  for (const auto& [key, value] : entries) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
        RD_KAFKA_CONF_OK) {
      std::string reason = errstr.data();
      reason = internal::redact_config_text(std::move(reason), key, value);
      return invalid_argument(std::string(role) + " config property '" + key + "' = '" +
                              internal::redact_config_value(key, value) + "': " + reason);
    }
    if (!described.empty()) described += ", ";
    described += key + "=" + internal::redact_config_value(key, value);
  }
  rd_kafka_conf_set_log_cb(conf.get(), log_callback);
  rd_kafka_conf_set_error_cb(conf.get(), error_callback);
  internal::logger().debug("{} config: {}", role, described);
  return conf;
}

}  // namespace kstreams::kafka
