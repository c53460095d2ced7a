// The librdkafka properties of a stream thread's consumer and producer: kstreams' chosen
// defaults (each explained in docs/configuration.md), then the user's client_properties, which
// win. One place, so that the defaults are visible and testable.
#pragma once

#include <string>
#include <string_view>

#include <kstreams/status.h>
#include <kstreams/streams_config.h>

#include "src/kafka/client_config.h"

namespace kstreams::internal {

struct ClientIdentity {
  std::string bootstrap_servers;  ///< The resolved address (embedded cluster's, if any).
  std::string client_id;          ///< "<application.id>-<process id>-StreamThread-<n>".
  bool embedded = false;          ///< Tuned for librdkafka's mock cluster.
  /// The stream thread's number n (1-based) for its consumer; 0 for every other client. A
  /// group.instance.id (static membership) gets "-<n>", as in Kafka Streams, so that the
  /// threads of one instance are distinct members.
  int thread = 0;
};

/// Rejects (kInvalidArgument, naming the property as given) a user client property that would
/// undo what kstreams relies on: the stream threads' consumer group is application.id and they
/// commit offsets themselves, only after outputs are durable; exactly-once needs read_committed,
/// idempotence and kstreams' own transactional ids; and `copartitioned`, when a sub-topology
/// reads several topics, needs the `range` assignor. A property set to kstreams' own value is
/// accepted (a Kafka Streams configuration may spell its defaults out).
Status check_user_client_properties(const StreamsConfig& config, bool copartitioned);

kafka::ConfigEntries consumer_config(const StreamsConfig& config, const ClientIdentity& id);
kafka::ConfigEntries producer_config(const StreamsConfig& config, const ClientIdentity& id);
/// A consumer that is only ever assigned partitions (restoration, global tables, end-offset
/// queries): it never subscribes nor commits, so its group id `<application.id>-<role>` only
/// satisfies librdkafka's consumer queue, and it carries no group.instance.id.
/// `read_uncommitted` overrides the isolation level.
kafka::ConfigEntries assigned_consumer_config(const StreamsConfig& config, const ClientIdentity& id,
                                              std::string_view role, bool read_uncommitted = false);

}  // namespace kstreams::internal
