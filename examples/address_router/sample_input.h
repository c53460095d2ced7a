// Talking to the cluster from the example's side, with librdkafka directly (as any Kafka client
// would): producing generated addresses, and counting what landed in the output topics.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <kstreams/status.h>
#include <kstreams/streams_config.h>

#include "examples/address_router/address_generator.h"

namespace address_router {

/// librdkafka properties, applied in order (a later one wins).
using ClientProperties = std::vector<std::pair<std::string, std::string>>;

/// The properties of a plain client to the cluster the application's producer talks to:
/// `bootstrap_servers`, then `config.client_properties` as the application's producer gets them
/// (those for both clients with "kafka." stripped, then "producer.<property>" ones, which win), so
/// that security settings (security.protocol, sasl.*, ssl.*) reach the cluster the same way.
/// "consumer." properties and group.instance.id are left out.
ClientProperties sample_client_properties(const kstreams::StreamsConfig& config,
                                          const std::string& bootstrap_servers);

/// What produce_sample_input generates.
struct SampleInput {
  std::string topic;
  std::int64_t count = 0;
  std::uint64_t seed = 42;
  double invalid_share = 0.1;  ///< Share of invalid records (AddressGenerator).
};

/// Produces `input.count` generated records to `input.topic`; returns how many of each route it
/// produced (all delivered). `stop_requested`, when given, is asked every 1000 records and while
/// the producer's queue is full: once it says true, no more records are generated, and those
/// produced so far are delivered within 5 s. kInvalidArgument naming a property librdkafka
/// rejects; kIo when the producer cannot be created (e.g. an unreadable ssl.ca.location);
/// kTimeout when records are not delivered in time.
kstreams::Result<std::map<Route, std::int64_t>> produce_sample_input(
    const ClientProperties& client, const SampleInput& input,
    const std::function<bool()>& stop_requested = {});

/// The number of records in each of `topics` (sum of the partitions' high watermarks minus low
/// watermarks).
kstreams::Result<std::map<std::string, std::int64_t>> count_records(
    const ClientProperties& client, const std::vector<std::string>& topics);

}  // namespace address_router
