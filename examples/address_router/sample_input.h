// Talking to the cluster from the example's side, with librdkafka directly (as any Kafka client
// would): producing generated addresses, and counting what landed in the output topics.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <kstreams/status.h>

#include "examples/address_router/address_generator.h"

namespace address_router {

/// Produces `count` generated records to `topic`; returns how many of each route it produced.
kstreams::Result<std::map<Route, std::int64_t>> produce_sample_input(
    const std::string& bootstrap_servers, const std::string& topic, std::int64_t count,
    std::uint64_t seed, double invalid_share);

/// The number of records in each of `topics` (sum of the partitions' high watermarks minus low
/// watermarks).
kstreams::Result<std::map<std::string, std::int64_t>> count_records(
    const std::string& bootstrap_servers, const std::vector<std::string>& topics);

}  // namespace address_router
