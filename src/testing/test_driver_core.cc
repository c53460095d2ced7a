#include <map>
#include <utility>

#include <kstreams/testing/test_driver_core.h>

#include "src/runtime/record_collector.h"
#include "src/runtime/task.h"

namespace kstreams::testing::internal {
namespace {

// A record produced to a topic that a source reads is fed back, as Kafka's driver does; bound
// the feedback so that a topology that writes to its own input fails instead of spinning.
constexpr int kMaxFeedbackRecordsPerPipe = 1'000'000;

struct PendingInput {
  std::string topic;
  CapturedRecord record;
};

}  // namespace

struct TestDriverCore::Impl final : kstreams::internal::RecordCollector {
  StreamsConfig config;
  std::int64_t wall_clock_ms = 0;
  std::unique_ptr<kstreams::internal::Task> task;
  std::set<std::string> source_topics;
  std::map<std::string, std::deque<CapturedRecord>, std::less<>> outputs;
  std::map<std::string, std::int64_t, std::less<>> next_offset;
  std::deque<PendingInput> feedback;

  Status send(const kstreams::internal::OutputRecord& record) override {
    CapturedRecord captured{record.key ? NullableBytes(Bytes(*record.key)) : std::nullopt,
                            record.value ? NullableBytes(Bytes(*record.value)) : std::nullopt,
                            record.timestamp,
                            record.headers != nullptr ? *record.headers : Headers{}};
    auto [it, inserted] = outputs.try_emplace(std::string(record.topic));
    if (source_topics.contains(it->first)) {
      feedback.push_back(PendingInput{it->first, captured});
    }
    it->second.push_back(std::move(captured));
    return {};
  }

  void process(const std::string& topic, const CapturedRecord& record) {
    kstreams::internal::SourceRecord source;
    source.topic = topic;
    source.partition = 0;
    source.offset = next_offset[topic]++;
    source.timestamp = record.timestamp;
    source.key = view_of(record.key);
    source.value = view_of(record.value);
    source.headers = record.headers;
    Status status = task->process(source);
    if (!status.ok()) throw StreamsException(std::move(status));
  }
};

TestDriverCore::TestDriverCore(const Topology& topology, StreamsConfig config,
                               std::int64_t wall_clock_ms)
    : impl_(std::make_unique<Impl>()) {
  if (config.application_id.empty()) config.application_id = "test-driver";
  if (Status s = config.validate(); !s.ok()) throw StreamsException(std::move(s));
  impl_->config = std::move(config);
  impl_->wall_clock_ms = wall_clock_ms;
  for (const auto& topic : topology.source_topics()) impl_->source_topics.insert(topic);
  Impl* impl = impl_.get();
  auto task = kstreams::internal::Task::create(topology, {}, TaskId{0, 0}, impl_->config, *impl_,
                                               [impl] { return impl->wall_clock_ms; });
  if (!task.ok()) throw StreamsException(task.status());
  impl_->task = std::move(task).value();
}

TestDriverCore::~TestDriverCore() {
  if (impl_ && impl_->task) impl_->task->close();
}

bool TestDriverCore::is_source_topic(const std::string& topic) const {
  return impl_->source_topics.contains(topic);
}

void TestDriverCore::pipe(const std::string& topic, NullableBytes key, NullableBytes value,
                          std::int64_t timestamp, Headers headers) {
  if (!is_source_topic(topic)) {
    throw StreamsException(invalid_argument("Unknown topic: " + topic));
  }
  impl_->feedback.clear();
  impl_->process(topic,
                 CapturedRecord{std::move(key), std::move(value), timestamp, std::move(headers)});
  for (int i = 0; !impl_->feedback.empty(); ++i) {
    if (i >= kMaxFeedbackRecordsPerPipe) {
      impl_->feedback.clear();
      throw StreamsException(illegal_state(
          "more than 1000000 records fed back into source topics by one input record; does "
          "the topology write to its own input topic?"));
    }
    PendingInput next = std::move(impl_->feedback.front());
    impl_->feedback.pop_front();
    impl_->process(next.topic, next.record);
  }
}

std::deque<CapturedRecord>* TestDriverCore::output(const std::string& topic) {
  auto it = impl_->outputs.find(topic);
  return it == impl_->outputs.end() ? nullptr : &it->second;
}

void TestDriverCore::advance_wall_clock(std::int64_t ms) {
  if (ms < 0) throw StreamsException(invalid_argument("advance_wall_clock_time: negative"));
  impl_->wall_clock_ms += ms;
  Status status = impl_->task->punctuate_wall_clock();
  if (!status.ok()) throw StreamsException(std::move(status));
}

std::int64_t TestDriverCore::wall_clock_ms() const { return impl_->wall_clock_ms; }

std::set<std::string> TestDriverCore::produced_topic_names() const {
  std::set<std::string> names;
  for (const auto& [topic, records] : impl_->outputs) names.insert(topic);
  return names;
}

ProcessingMetrics TestDriverCore::metrics() const { return impl_->task->metrics(); }

}  // namespace kstreams::testing::internal
