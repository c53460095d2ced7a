// File: tests/integration/kafka/kafka_test_util.h
//
// Helpers for tests of src/kafka against the embedded cluster: fast client settings and bounded
// consume loops.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "src/kafka/client_config.h"
#include "src/kafka/consumer.h"

namespace kstreams::kafka::testing {

/// Settings every test client gets: 127.0.0.1 only, short timeouts, mock-friendly fetching.
inline ConfigEntries test_config(const std::string& bootstrap, ConfigEntries extra = {}) {
  ConfigEntries entries = {
      {"bootstrap.servers", bootstrap},
      {"broker.address.family", "v4"},
      {"socket.timeout.ms", "5000"},
  };
  for (auto& entry : extra) entries.push_back(std::move(entry));
  return entries;
}

/// Consumer settings for the mock: fast fetches, fast (3 s) rebalances, reads from the start.
inline ConfigEntries consumer_config(const std::string& bootstrap, const std::string& group,
                                     ConfigEntries extra = {}) {
  ConfigEntries entries = test_config(bootstrap, {
                                                     {"group.id", group},
                                                     {"auto.offset.reset", "earliest"},
                                                     {"enable.auto.commit", "false"},
                                                     {"fetch.wait.max.ms", "10"},
                                                     {"session.timeout.ms", "4000"},
                                                     {"heartbeat.interval.ms", "300"},
                                                     {"queued.min.messages", "1000000"},
                                                 });
  for (auto& entry : extra) entries.push_back(std::move(entry));
  return entries;
}

/// Polls until `count` records arrived or `limit` passed (bounded in time and iterations).
inline std::vector<MessagePtr> consume_at_least(Consumer& consumer, std::size_t count,
                                                std::chrono::milliseconds limit) {
  std::vector<MessagePtr> out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int round = 0;
       round < 10000 && out.size() < count && std::chrono::steady_clock::now() < deadline;
       ++round) {
    auto batch = consumer.poll_batch(1000, std::chrono::milliseconds(50));
    if (!batch.ok()) {
      ADD_FAILURE() << "poll_batch: " << batch.status();
      break;
    }
    for (auto& message : *batch) out.push_back(std::move(message));
  }
  return out;
}

/// Every partition of `topic` (0..partitions-1) from the beginning.
inline std::vector<TopicPartition> all_from_beginning(const std::string& topic, int partitions) {
  std::vector<TopicPartition> out;
  for (int p = 0; p < partitions; ++p) {
    out.push_back(TopicPartition{topic, p, -2 /* RD_KAFKA_OFFSET_BEGINNING */});
  }
  return out;
}

}  // namespace kstreams::kafka::testing
