// The librdkafka properties of a stream thread's consumer and producer: kstreams' chosen
// defaults (each explained in docs/configuration.md), then the user's client_properties, which
// win. One place, so that the defaults are visible and testable.
#pragma once

#include <string>

#include <kstreams/streams_config.h>

#include "src/kafka/client_config.h"

namespace kstreams::internal {

struct ClientIdentity {
  std::string bootstrap_servers;  ///< The resolved address (embedded cluster's, if any).
  std::string client_id;          ///< "<application.id>-<process id>-StreamThread-<n>".
  bool embedded = false;          ///< Tuned for librdkafka's mock cluster.
};

kafka::ConfigEntries consumer_config(const StreamsConfig& config, const ClientIdentity& id);
kafka::ConfigEntries producer_config(const StreamsConfig& config, const ClientIdentity& id);

}  // namespace kstreams::internal
