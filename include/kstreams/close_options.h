// File: kstreams/close_options.h
//
// `CloseOptions`: how KafkaStreams::close ends the client (Kafka Streams' CloseOptions).
//
//   app.close(kstreams::CloseOptions{.timeout = std::chrono::seconds(10), .leave_group = true});
#pragma once

#include <chrono>

namespace kstreams {

struct CloseOptions {
  /// How long close() waits for the stream threads to stop.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  /// Whether a static member (group.instance.id set) leaves the group too, so that the other
  /// instances take its partitions at once: for an instance that is not coming back. Without it
  /// a static member keeps its place until session.timeout.ms, and a restart with the same id
  /// takes its partitions back without a rebalance. A dynamic member always leaves. Applies to
  /// the stream threads still running when close() is called (a thread that died of an error
  /// has closed already).
  bool leave_group = false;
};

}  // namespace kstreams
