#include <cstdlib>
#include <filesystem>
#include <map>
#include <utility>

#include <kstreams/state/key_value_store.h>
#include <kstreams/testing/test_driver_core.h>

#include "src/runtime/global_stores.h"
#include "src/runtime/record_collector.h"
#include "src/runtime/task.h"
#include "src/runtime/task_stores.h"
#include "src/topology/topology_definition.h"

namespace kstreams::testing::internal {
namespace {

// A record produced to a topic that a source reads is fed back, as Kafka's driver does; bound
// the feedback so that a topology that writes to its own input fails instead of spinning.
constexpr int kMaxFeedbackRecordsPerPipe = 1'000'000;

struct PendingInput {
  std::string topic;
  CapturedRecord record;
};

using kstreams::internal::BytesIterator;
using kstreams::internal::BytesKeyValueStore;
using kstreams::internal::KeyValueBytes;
using kstreams::internal::WriteContext;

// An iterator over a timestamped store that hides the 8-byte timestamp of each value.
class StrippingIterator final : public BytesIterator {
 public:
  explicit StrippingIterator(std::unique_ptr<BytesIterator> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] bool valid() const override { return inner_->valid(); }
  [[nodiscard]] ByteView key() const override { return inner_->key(); }
  [[nodiscard]] ByteView value() const override {
    ByteView v = inner_->value();
    return v.size() >= 8 ? v.substr(8) : v;
  }
  void next() override { inner_->next(); }
  [[nodiscard]] Status status() const override { return inner_->status(); }

 private:
  std::unique_ptr<BytesIterator> inner_;
};

// The plain key-value face of a timestamped store, as Kafka's driver gives for DSL stores:
// reads drop the timestamp, writes add the write context's.
class TimestampStrippingStore final : public BytesKeyValueStore {
 public:
  explicit TimestampStrippingStore(BytesKeyValueStore& inner) : inner_(&inner) {}
  [[nodiscard]] const std::string& name() const override { return inner_->name(); }
  [[nodiscard]] bool persistent() const override { return inner_->persistent(); }
  Result<NullableBytes> get(ByteView key) override {
    KSTREAMS_ASSIGN_OR_RETURN(NullableBytes v, inner_->get(key));
    if (v && v->size() >= 8) v->erase(0, 8);
    return v;
  }
  Status put(ByteView key, NullableByteView value, const WriteContext& context) override {
    if (!value) return inner_->put(key, std::nullopt, context);
    Bytes stamped = kstreams::internal::with_timestamp(context.timestamp, *value);
    return inner_->put(key, ByteView(stamped), context);
  }
  Status put_all(std::span<const KeyValueBytes> entries, const WriteContext& context) override {
    for (const auto& e : entries) KSTREAMS_RETURN_IF_ERROR(put(e.key, view_of(e.value), context));
    return {};
  }
  Result<std::unique_ptr<BytesIterator>> range(NullableByteView from,
                                               NullableByteView to) override {
    KSTREAMS_ASSIGN_OR_RETURN(std::unique_ptr<BytesIterator> it, inner_->range(from, to));
    return std::unique_ptr<BytesIterator>(std::make_unique<StrippingIterator>(std::move(it)));
  }
  Result<std::uint64_t> approximate_num_entries() override {
    return inner_->approximate_num_entries();
  }
  Status flush() override { return inner_->flush(); }
  Status restore_batch(std::span<const KeyValueBytes> entries) override {
    return inner_->restore_batch(entries);
  }
  Status clear() override { return inner_->clear(); }
  void close() override {}
  bool set_flush_listener(kstreams::internal::CacheFlushListener) override { return false; }

 private:
  BytesKeyValueStore* inner_;
};

// A fresh state.dir for one driver, removed with it.
std::filesystem::path make_temp_state_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "kstreams-test-driver-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw StreamsException(Status(StatusCode::kIo, "cannot create a temporary state directory"));
  }
  return pattern;
}

}  // namespace

struct TestDriverCore::Impl final : kstreams::internal::RecordCollector {
  ~Impl() override {
    task.reset();
    global_stores.reset();
    environment.reset();
    std::error_code ignored;
    if (!state_dir.empty()) std::filesystem::remove_all(state_dir, ignored);
  }

  StreamsConfig config;
  std::filesystem::path state_dir;
  std::unique_ptr<kstreams::internal::StoreEnvironment> environment;
  std::unique_ptr<kstreams::internal::GlobalStores> global_stores;
  std::map<std::string, std::unique_ptr<TimestampStrippingStore>, std::less<>> plain_stores;
  WriteContext store_write_context;
  std::map<std::string, kstreams::internal::StoreSpec> task_topology_stores;  // for global ones
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
    if (global_stores && global_stores->topics().contains(topic)) {
      Status status = global_stores->apply(topic, 0, next_offset[topic]++, view_of(record.key),
                                           view_of(record.value), record.timestamp);
      if (!status.ok()) throw StreamsException(std::move(status));
      return;
    }
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
    // Kafka's driver commits after every record: caches flush and emit their updates now.
    status = task->flush_state();
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
  const Topology resolved =
      kstreams::internal::resolve_internal_topics(topology, impl_->config.application_id);
  const kstreams::internal::TopologyDefinition& definition =
      kstreams::internal::TopologyAccess::definition(resolved);
  for (const auto& topic : resolved.source_topics()) impl_->source_topics.insert(topic);
  for (const auto& [topic, store] : definition.global_store_by_topic) {
    impl_->source_topics.insert(topic);
  }
  Impl* impl = impl_.get();
  impl->environment = std::make_unique<kstreams::internal::StoreEnvironment>();
  if (!definition.stores.empty()) {
    impl->state_dir = make_temp_state_dir();
    auto directory =
        kstreams::internal::StateDirectory::open(impl->state_dir, impl_->config.application_id);
    if (!directory.ok()) throw StreamsException(directory.status());
    impl->environment->directory.emplace(std::move(directory).value());
    impl->environment->rocksdb = kstreams::internal::RocksDbResources::create(
        static_cast<std::size_t>(impl_->config.rocksdb_block_cache_bytes),
        static_cast<std::size_t>(impl_->config.rocksdb_write_buffer_bytes),
        impl_->config.rocksdb_config_setter);
    impl->environment->cache = std::make_shared<kstreams::internal::CacheBudget>(
        static_cast<std::size_t>(impl_->config.statestore_cache_max_bytes));
  }
  impl->task_topology_stores = definition.stores;
  auto global = kstreams::internal::GlobalStores::open(definition, *impl->environment);
  if (!global.ok()) throw StreamsException(global.status());
  impl->global_stores = std::move(global).value();
  impl->environment->global_stores = impl->global_stores.get();
  auto task = kstreams::internal::Task::create(
      resolved, {}, TaskId{0, 0}, impl_->config, *impl_, [impl] { return impl->wall_clock_ms; },
      *impl->environment);
  if (!task.ok()) throw StreamsException(task.status());
  impl_->task = std::move(task).value();
}

TestDriverCore::~TestDriverCore() {
  if (impl_ && impl_->task) {
    Status flushed = impl_->task->flush_state();
    static_cast<void>(flushed);  // a destructor cannot report; the driver is going away
    impl_->task->close();
  }
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

kstreams::internal::BytesKeyValueStore* TestDriverCore::store(const std::string& name) {
  kstreams::internal::BytesKeyValueStore* store = impl_->task->stores().get(name);
  const kstreams::internal::StoreSpec* spec = store_spec(name);
  if (store == nullptr && impl_->global_stores) store = impl_->global_stores->get(name);
  if (store == nullptr || spec == nullptr) return nullptr;
  if (!spec->timestamped) return store;
  auto& plain = impl_->plain_stores[name];
  if (!plain) plain = std::make_unique<TimestampStrippingStore>(*store);
  return plain.get();
}

const kstreams::internal::StoreSpec* TestDriverCore::store_spec(const std::string& name) const {
  if (const auto* spec = impl_->task->stores().spec(name)) return spec;
  const auto& stores = impl_->task_topology_stores;
  auto it = stores.find(name);
  return it == stores.end() ? nullptr : &it->second;
}

const kstreams::internal::WriteContext& TestDriverCore::write_context() const {
  impl_->store_write_context.timestamp = impl_->wall_clock_ms;
  return impl_->store_write_context;
}

}  // namespace kstreams::testing::internal
