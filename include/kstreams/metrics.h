// File: kstreams/metrics.h
//
// Counters of record processing, per task, summed over tasks where reported per thread or per
// application. A snapshot is a plain value.
#pragma once

#include <cstdint>

namespace kstreams {

struct ProcessingMetrics {
  std::uint64_t records_processed = 0;      ///< Input records handed to a source.
  std::uint64_t records_produced = 0;       ///< Records sent to sinks (including dead letters).
  std::uint64_t records_skipped = 0;        ///< Dropped by a handler answering kContinue.
  std::uint64_t records_dead_lettered = 0;  ///< Sent to the dead-letter topic.
  std::uint64_t punctuations = 0;           ///< Punctuator calls.

  ProcessingMetrics& operator+=(const ProcessingMetrics& other) {
    records_processed += other.records_processed;
    records_produced += other.records_produced;
    records_skipped += other.records_skipped;
    records_dead_lettered += other.records_dead_lettered;
    punctuations += other.punctuations;
    return *this;
  }
};

}  // namespace kstreams
