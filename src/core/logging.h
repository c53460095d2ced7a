// File: src/core/logging.h (private)
//
// The one logger every kstreams component writes to, and the rule that keeps secrets out of it.
// Never included from include/: spdlog stays an implementation detail of the library.
//
//   kstreams::internal::logger().info("partition {} assigned", p);
//
// The level comes from the environment variable KSTREAMS_LOG_LEVEL (trace, debug, info, warn,
// error, critical, off; default info), read once when the logger is first used.
#pragma once

#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace kstreams::internal {

/// The process-wide logger named "kstreams": stderr, "time level [thread] message".
/// Created on first use (thread-safe); if an application registered its own spdlog logger named
/// "kstreams" before that, that one is used instead. spdlog loggers are thread-safe.
spdlog::logger& logger();

/// Whether `key` names a configuration property whose value must never be logged (passwords,
/// secrets, SASL JAAS config, SSL private keys, OAuth tokens). Case-insensitive.
bool is_secret_config_key(std::string_view key);

/// `value` unchanged, or "[hidden]" when `key` is a secret (see is_secret_config_key).
std::string redact_config_value(std::string_view key, std::string_view value);

/// `text` (a message that may quote `value`, such as librdkafka's rejection of it) with every
/// occurrence of `value` replaced by "[hidden]" when `key` is a secret; unchanged otherwise.
std::string redact_config_text(std::string text, std::string_view key, std::string_view value);

}  // namespace kstreams::internal
