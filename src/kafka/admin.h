// File: src/kafka/admin.h (private)
//
// Creating the topics an application owns (changelog and repartition topics) through the Admin
// API. Not for the embedded cluster: librdkafka 2.0.2's mock does not answer CreateTopics (use
// EmbeddedCluster::create_topic there).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

namespace kstreams::kafka {

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  ///< -1: the broker's default.
  std::map<std::string, std::string> config;
};

/// Creates `topics` with the client handle `rk` (any producer or consumer). A topic that already
/// exists is not an error here: the caller checks its partition count. Errors name the topic.
/// Thread-safe (librdkafka's admin calls are).
Status create_topics(rd_kafka_t* rk, const std::vector<NewTopic>& topics,
                     std::chrono::milliseconds timeout);

}  // namespace kstreams::kafka
