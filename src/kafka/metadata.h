// File: src/kafka/metadata.h (private)
//
// Cluster metadata queries shared by Producer and Consumer.
#pragma once

#include <chrono>
#include <string>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

namespace kstreams::kafka {

/// The number of partitions of `topic`, asking the cluster (not a cache) within `timeout`.
/// Asks for all topics on purpose: a request naming the topic could make the broker auto-create
/// it, and this call must be usable to check that a topic exists.
/// Errors: kNotFound when the topic does not exist, kTimeout, or the broker's error for the topic.
/// Thread-safe (librdkafka's metadata call is).
Result<int> partition_count(rd_kafka_t* rk, const std::string& topic,
                            std::chrono::milliseconds timeout);

}  // namespace kstreams::kafka
