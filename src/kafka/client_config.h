// File: src/kafka/client_config.h (private)
//
// Turns an ordered list of librdkafka properties into an `rd_kafka_conf_t`, with the errors and
// logging every kstreams client shares: a bad property is an kInvalidArgument Status naming the
// key (and librdkafka's reason), secrets never reach the log, and librdkafka's own log lines and
// error events go to the kstreams logger (src/core/logging.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

#include "src/kafka/handles.h"

namespace kstreams::kafka {

/// librdkafka properties in the order they are applied (a later entry overrides an earlier one).
using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

/// Builds a configuration from `entries` with kstreams' log and error callbacks installed.
/// `role` ("producer", "consumer", ...) prefixes log lines. The result still has to be given to
/// rd_kafka_new; callers may add their own callbacks and opaque first.
Result<ConfPtr> make_conf(const ConfigEntries& entries, std::string_view role);

/// The spdlog level for a syslog level as used by librdkafka's log_cb (0 emerg … 7 debug).
/// Exposed for tests.
int spdlog_level_for_syslog(int syslog_level);

}  // namespace kstreams::kafka
