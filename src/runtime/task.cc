#include "src/runtime/task.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <utility>

#include "operators/dead_letter.h"
#include "src/core/logging.h"
#include "src/runtime/global_stores.h"
#include "src/topology/topology_definition.h"

namespace kstreams::internal {
namespace {

// Clears the task's "current record" when processing of a record ends, however it ends.
class CurrentRecordScope {
 public:
  CurrentRecordScope(const SourceRecord*& slot, const SourceRecord* record) : slot_(slot) {
    slot_ = record;
  }
  CurrentRecordScope(const CurrentRecordScope&) = delete;
  CurrentRecordScope& operator=(const CurrentRecordScope&) = delete;
  ~CurrentRecordScope() { slot_ = nullptr; }

 private:
  const SourceRecord*& slot_;
};

}  // namespace

Task::Task(TaskId id, const StreamsConfig& config, RecordCollector& collector, WallClock wall_clock)
    : id_(id),
      application_id_(config.application_id),
      config_(config),
      collector_(&collector),
      wall_clock_(std::move(wall_clock)) {
  set_forwards_source_bytes(config.sink_forwards_source_bytes);
}

Task::~Task() { close(); }

Result<std::unique_ptr<Task>> Task::create(const Topology& topology,
                                           const std::vector<int>& subtopologies, TaskId id,
                                           const StreamsConfig& config, RecordCollector& collector,
                                           WallClock wall_clock, StoreEnvironment& environment) {
  const TopologyDefinition& def = TopologyAccess::definition(topology);
  std::unique_ptr<Task> task(new Task(id, config, collector, std::move(wall_clock)));
  task->topology_.emplace(topology);

  std::vector<NodeId> ids;
  for (NodeId n = 0; n < def.nodes.size(); ++n) {
    const int sub = def.subtopology_of[n];
    if (subtopologies.empty() ||
        std::find(subtopologies.begin(), subtopologies.end(), sub) != subtopologies.end()) {
      ids.push_back(n);
    }
  }
  std::vector<const StoreSpec*> specs;
  for (NodeId n : ids) {
    for (const auto& store : def.nodes[n].stores) {
      const StoreSpec* spec = &def.stores.at(store);
      if (std::find(specs.begin(), specs.end(), spec) == specs.end()) specs.push_back(spec);
      task->store_access_.emplace(def.nodes[n].name, store);
    }
  }
  KSTREAMS_ASSIGN_OR_RETURN(
      task->stores_, TaskStores::open(id, config.application_id, specs, environment, collector));
  task->global_stores_ = environment.global_stores;
  std::map<NodeId, Node*> instances;
  for (NodeId n : ids) {
    std::unique_ptr<Node> node = def.nodes[n].factory(def.nodes[n].name);
    instances[n] = node.get();
    task->nodes_.push_back(std::move(node));
  }
  for (NodeId n : ids) {
    for (NodeId child : def.nodes[n].children) {
      KSTREAMS_RETURN_IF_ERROR(instances.at(n)->add_child(*instances.at(child)));
    }
    if (def.nodes[n].kind == NodeKind::kSource) {
      auto* source = dynamic_cast<SourceNodeBase*>(instances.at(n));
      if (source == nullptr) {
        return topology_error("source '" + def.nodes[n].name + "' is not a source node");
      }
      for (const auto& topic : def.nodes[n].topics) task->source_by_topic_[topic] = source;
    }
  }
  try {
    for (auto& node : task->nodes_) node->init(*task);
  } catch (const ProcessingAbort& abort) {
    return abort.status().with_context("task " + id.to_string() + " init");
  }
  return task;
}

std::vector<std::string> Task::source_topics() const {
  std::vector<std::string> topics;
  for (const auto& [topic, source] : source_by_topic_) topics.push_back(topic);
  return topics;
}

Status Task::process(const SourceRecord& record) {
  // Consecutive records usually come from the same topic: skip the map lookup and the copy of
  // the topic name then.
  if (last_source_ == nullptr || record.topic != metadata_.topic) {
    auto it = source_by_topic_.find(record.topic);
    if (it == source_by_topic_.end()) {
      return not_found("task " + id_.to_string() + " has no source for topic '" +
                       std::string(record.topic) + "'");
    }
    last_source_ = it->second;
    metadata_.topic.assign(record.topic);
  }
  const std::int64_t previous_stream_time = stream_time_;
  if (record.timestamp > stream_time_) stream_time_ = record.timestamp;
  if (!stores_->empty()) {
    write_context_.timestamp = record.timestamp;
    write_context_.headers = record.headers;
  }
  ++metrics_.records_processed;
  {
    CurrentRecordScope scope(current_, &record);
    metadata_.partition = record.partition;
    metadata_.offset = record.offset;
    current_undeserializable_ = false;
    try {
      last_source_->process_source(record);
    } catch (const ProcessingAbort& abort) {
      return abort.status();
    } catch (const std::exception& e) {
      return Status(StatusCode::kFatal,
                    std::string("unexpected exception while processing: ") + e.what());
    }
  }
  if (current_undeserializable_) {
    // As Kafka's RecordQueue: a record that cannot be deserialized is dropped before its
    // timestamp counts, so it neither advances stream time nor fires punctuators.
    stream_time_ = previous_stream_time;
    return {};
  }
  if (stream_time_ >= 0 && !stream_time_punctuators_.empty()) {
    return punctuate(stream_time_punctuators_, stream_time_);
  }
  return {};
}

Status Task::punctuate_wall_clock() {
  if (wall_clock_punctuators_.empty()) return {};
  return punctuate(wall_clock_punctuators_, wall_clock_());
}

Status Task::punctuate(PunctuationQueue& queue, std::int64_t now) {
  write_context_.timestamp = now;
  write_context_.headers = Headers{};
  try {
    const int ran = queue.may_punctuate(now, [&](const std::string& node, const Punctuator& p) {
      auto ok = guarded(*this, node, [&] { p(now); });
      static_cast<void>(ok);
    });
    metrics_.punctuations += static_cast<std::uint64_t>(ran);
  } catch (const ProcessingAbort& abort) {
    return abort.status();
  }
  return {};
}

Status Task::flush_state() {
  if (stores_->empty()) return {};
  try {
    Status s = stores_->flush();
    if (!s.ok()) return s.with_context("task " + id_.to_string() + " flushing its stores");
  } catch (const ProcessingAbort& abort) {
    return abort.status();
  } catch (const std::exception& e) {
    return Status(StatusCode::kFatal,
                  "task " + id_.to_string() + ": exception while flushing stores: " + e.what());
  }
  return {};
}

void Task::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& node : nodes_) {
    try {
      node->close();
    } catch (const std::exception& e) {
      logger().warn("task {}: closing '{}' threw: {}", id_.to_string(), node->name(), e.what());
    }
  }
  if (stores_) stores_->close();
}

BytesKeyValueStore* Task::state_store(std::string_view node, std::string_view store) {
  if (!store_access_.contains(std::make_pair(std::string(node), std::string(store)))) {
    return nullptr;
  }
  return stores_->get(store);
}

namespace {

// A global store read under the lock the global thread writes it with.
class LockedGlobalStore final : public GlobalStoreReader {
 public:
  LockedGlobalStore(const GlobalStores& stores, BytesKeyValueStore& store)
      : stores_(stores), store_(store) {}
  Result<NullableBytes> get(ByteView key) override {
    std::lock_guard lock(stores_.mutex());
    return store_.get(key);
  }

 private:
  const GlobalStores& stores_;
  BytesKeyValueStore& store_;
};

}  // namespace

GlobalStoreReader* Task::global_store(std::string_view store) {
  if (auto it = global_readers_.find(store); it != global_readers_.end()) return it->second.get();
  BytesKeyValueStore* global = global_stores_ == nullptr ? nullptr : global_stores_->get(store);
  if (global == nullptr) return nullptr;
  auto reader = std::make_unique<LockedGlobalStore>(*global_stores_, *global);
  GlobalStoreReader* out = reader.get();
  global_readers_.emplace(std::string(store), std::move(reader));
  return out;
}

void Task::send(const OutputRecord& record) {
  Status status = collector_->send(record);
  if (status.code() == StatusCode::kTransactionAbortable) {
    // Not the record's fault: the whole transaction is redone (the stream thread aborts it).
    throw ProcessingAbort(std::move(status));
  }
  if (!status.ok()) {
    on_production_error(record.node, status.with_context("send to " + std::string(record.topic)));
    return;
  }
  ++metrics_.records_produced;
}

Cancellable Task::schedule(std::string_view node, std::chrono::milliseconds interval,
                           PunctuationType type, Punctuator punctuator) {
  const std::int64_t ms = interval.count();
  if (ms <= 0) {
    throw StreamsException(
        invalid_argument("punctuation interval of '" + std::string(node) + "' must be > 0 ms"));
  }
  if (type == PunctuationType::kStreamTime) {
    // Aligned to 0: fires as soon as there is data.
    return stream_time_punctuators_.add(std::string(node), ms, 0, std::move(punctuator));
  }
  return wall_clock_punctuators_.add(std::string(node), ms, wall_clock_() + ms,
                                     std::move(punctuator));
}

void Task::on_deserialization_error(std::string_view node, const Status& error) {
  current_undeserializable_ = true;
  handle_error(ErrorKind::kDeserialization, config_.default_deserialization_exception_handler, node,
               error, "kstreams::SerializationException");
}

void Task::on_processing_exception(std::string_view node, std::exception_ptr error) {
  ExceptionDescription described = describe_exception(std::move(error));
  // A failing store (I/O, corruption, closed) is not the record's fault: no handler can skip it.
  const StatusCode code = described.status.code();
  if (code == StatusCode::kIo || code == StatusCode::kIllegalState ||
      code == StatusCode::kTaskCorrupted) {
    throw ProcessingAbort(described.status.with_context("'" + std::string(node) + "'"));
  }
  handle_error(ErrorKind::kProcessing, config_.processing_exception_handler, node, described.status,
               described.class_name);
}

void Task::on_production_error(std::string_view node, const Status& error) {
  handle_error(ErrorKind::kProduction, config_.default_production_exception_handler, node, error,
               "kstreams::SerializationException");
}

void Task::handle_error(ErrorKind kind, const ErrorHandler& handler, std::string_view node,
                        const Status& error, std::string_view exception_class) {
  ErrorContext context;
  context.kind = kind;
  context.node = node;
  context.error = &error;
  if (current_ != nullptr) {
    context.topic = current_->topic;
    context.partition = current_->partition;
    context.offset = current_->offset;
    context.timestamp = current_->timestamp;
  }
  ErrorAction action = ErrorAction::kFail;
  try {
    action = handler ? handler(context) : ErrorAction::kFail;
  } catch (const std::exception& e) {
    throw ProcessingAbort(Status(StatusCode::kFatal, "the " + std::string(to_string(kind)) +
                                                         " exception handler threw: " + e.what()));
  }
  // Built only for a log line or an exception: most records of a stream of bad ones need neither.
  auto description = [&] {
    const std::string where = current_ != nullptr ? std::string(current_->topic) + "-" +
                                                        std::to_string(current_->partition) + "@" +
                                                        std::to_string(current_->offset)
                                                  : std::string("punctuation");
    return std::string(to_string(kind)) + " error in '" + std::string(node) + "' (task " +
           id_.to_string() + ", " + where + "): " + error.to_string();
  };
  // Every failure is counted; the log shows the first ones and then one in kLogEvery, so that a
  // stream of bad records cannot flood the log.
  constexpr std::uint64_t kLogFirst = 5;
  constexpr std::uint64_t kLogEvery = 1000;
  ++handled_errors_;
  const bool log_this = action == ErrorAction::kFail || handled_errors_ <= kLogFirst ||
                        handled_errors_ % kLogEvery == 0;
  auto suppressed = [&] {
    return handled_errors_ > kLogFirst
               ? " (" + std::to_string(handled_errors_) +
                     " handled errors so far in this task; logging one in " +
                     std::to_string(kLogEvery) + ")"
               : std::string();
  };
  switch (action) {
    case ErrorAction::kFail: {
      std::string text = description();
      logger().error("{}; failing (handler answered fail)", text);
      throw ProcessingAbort(Status(error.code(), std::move(text)));
    }
    case ErrorAction::kContinue:
      if (log_this) logger().warn("{}; skipping the record{}", description(), suppressed());
      ++metrics_.records_skipped;
      return;
    case ErrorAction::kDeadLetter:
      break;
  }
  if (config_.errors_dead_letter_queue_topic_name.empty()) {
    throw ProcessingAbort(invalid_argument(
        description() +
        "; the handler answered dead-letter but errors.dead.letter.queue.topic.name is not set"));
  }
  if (current_ == nullptr) {
    logger().warn("{}; no input record to dead-letter (punctuation), skipping", description());
    ++metrics_.records_skipped;
    return;
  }
  if (log_this) {
    logger().warn("{}; sent to dead-letter topic {}{}", description(),
                  config_.errors_dead_letter_queue_topic_name, suppressed());
  }
  const Headers headers =
      dead_letter_headers(current_->headers, context, exception_class, wall_clock_());
  Status sent = collector_->send(OutputRecord{.node = node,
                                              .topic = config_.errors_dead_letter_queue_topic_name,
                                              .key = current_->key,
                                              .value = current_->value,
                                              .timestamp = current_->timestamp,
                                              .headers = &headers,
                                              .partition = std::nullopt});
  if (!sent.ok()) {
    throw ProcessingAbort(sent.with_context(description() +
                                            "; could not send it to dead-letter "
                                            "topic " +
                                            config_.errors_dead_letter_queue_topic_name));
  }
  ++metrics_.records_dead_lettered;
  ++metrics_.records_produced;
}

}  // namespace kstreams::internal
