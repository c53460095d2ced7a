#include "src/core/logging.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace kstreams::internal {
namespace {

constexpr std::string_view kLoggerName = "kstreams";
constexpr std::string_view kLevelVariable = "KSTREAMS_LOG_LEVEL";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::shared_ptr<spdlog::logger> make_logger() {
  if (auto existing = spdlog::get(std::string(kLoggerName))) return existing;
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto made = std::make_shared<spdlog::logger>(std::string(kLoggerName), std::move(sink));
  made->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%t] %n: %v");

  spdlog::level::level_enum level = spdlog::level::info;
  std::string bad_level;
  if (const char* env = std::getenv(std::string(kLevelVariable).c_str()); env && *env) {
    std::string name = lower(env);
    if (name == "warning") name = "warn";
    if (name == "error") name = "err";
    const spdlog::level::level_enum parsed = spdlog::level::from_str(name);
    // from_str answers `off` for names it does not know.
    if (parsed != spdlog::level::off || name == "off") {
      level = parsed;
    } else {
      bad_level = env;
    }
  }
  made->set_level(level);
  made->flush_on(spdlog::level::warn);
  if (!bad_level.empty()) {
    made->warn(
        "{}={} is not a log level (trace, debug, info, warn, error, critical, off); using info",
        kLevelVariable, bad_level);
  }
  // Registration can race with an application registering the same name; ours still works.
  try {
    spdlog::register_logger(made);
  } catch (const spdlog::spdlog_ex&) {
    if (auto existing = spdlog::get(std::string(kLoggerName))) return existing;
  }
  return made;
}

}  // namespace

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = make_logger();
  return *instance;
}

bool is_secret_config_key(std::string_view key) {
  static constexpr std::array<std::string_view, 7> kSecretFragments = {
      "password", "secret", "sasl.jaas", "ssl.key", "keystore", "token", "sasl.oauthbearer.config"};
  const std::string lowered = lower(key);
  return std::any_of(kSecretFragments.begin(), kSecretFragments.end(), [&](std::string_view part) {
    return lowered.find(part) != std::string::npos;
  });
}

std::string redact_config_value(std::string_view key, std::string_view value) {
  return is_secret_config_key(key) ? std::string("[hidden]") : std::string(value);
}

std::string redact_config_text(std::string text, std::string_view key, std::string_view value) {
  if (value.empty() || !is_secret_config_key(key)) return text;
  constexpr std::string_view kHidden = "[hidden]";
  for (std::size_t at = text.find(value); at != std::string::npos;
       at = text.find(value, at + kHidden.size())) {
    text.replace(at, value.size(), kHidden);
  }
  return text;
}

}  // namespace kstreams::internal
