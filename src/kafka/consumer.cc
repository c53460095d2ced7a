#include "src/kafka/consumer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>

#include "src/core/logging.h"
#include "src/kafka/error.h"
#include "src/kafka/metadata.h"

namespace kstreams::kafka {
namespace {

// How long close waits for the revoke that unsubscribing starts to be served and applied.
constexpr auto kGiveBackTimeout = std::chrono::seconds(10);

static_assert(kInvalidOffset == RD_KAFKA_OFFSET_INVALID);

void offset_commit_callback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* offsets, void* /*opaque*/) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
      const auto& entry = offsets->elems[i];
      if (entry.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      internal::logger().warn("{}: commit of {}[{}]@{} failed: {}", rd_kafka_name(rk), entry.topic,
                              entry.partition, entry.offset, to_status(entry.err).message());
    }
    return;
  }
  internal::logger().warn("{}: offset commit failed: {}", rd_kafka_name(rk),
                          to_status(err).message());
}

// Calls `attempt(remaining_ms)` until it returns OK or an error `retry` rejects, or `timeout`
// has passed (then its last error), pausing `pause` between attempts. Each attempt gets what is
// left of `timeout`, so the whole call stays within it.
template <class Attempt, class Retry>
Status retry_within(std::chrono::milliseconds timeout, std::chrono::milliseconds pause,
                    Attempt attempt, Retry retry) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    Status status = attempt(static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
    if (status.ok() || !retry(status) || std::chrono::steady_clock::now() + pause >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(pause);
  }
}

// What a method of a consumer whose handle close() destroyed (a static member's) returns.
Status closed_error() { return illegal_state("the consumer is closed"); }

// The first per-partition error in `list`, or OK.
Status first_partition_error(const rd_kafka_topic_partition_list_t* list,
                             std::string_view context) {
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    if (entry.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return to_status(entry.err, std::string(context) + " " + entry.topic + "[" +
                                      std::to_string(entry.partition) + "]");
    }
  }
  return Status();
}

}  // namespace

TopicPartitionListPtr to_list(const std::vector<TopicPartition>& partitions) {
  TopicPartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartition& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        tp.offset;
  }
  return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (list == nullptr) return out;
  out.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    out.push_back(TopicPartition{entry.topic, entry.partition, entry.offset});
  }
  return out;
}

Result<std::unique_ptr<Consumer>> Consumer::create(const ConfigEntries& config,
                                                   RebalanceListener on_rebalance) {
  KSTREAMS_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(config, "consumer"));
  std::unique_ptr<Consumer> consumer(new Consumer(std::move(on_rebalance)));
  rd_kafka_conf_set_opaque(conf.get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Consumer::rebalance_trampoline);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), offset_commit_callback);
  std::array<char, 256> instance_id{};
  std::size_t instance_id_size = instance_id.size();
  // Unset: not RD_KAFKA_CONF_OK. Set: OK, and the size is the length + 1 even when the value
  // does not fit the buffer.
  const rd_kafka_conf_res_t got =
      rd_kafka_conf_get(conf.get(), "group.instance.id", instance_id.data(), &instance_id_size);
  consumer->static_member_ = got == RD_KAFKA_CONF_OK && instance_id_size > 1;

  std::array<char, 512> errstr{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) return invalid_argument(std::string("creating consumer: ") + errstr.data());
  (void)conf.release();  // rd_kafka_new owns it now.
  consumer->rk_.reset(rk);
  // One queue for everything: records, rebalances, commit results, errors and logs.
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_poll_set_consumer(rk), "poll_set_consumer"));
  consumer->queue_.reset(rd_kafka_queue_get_consumer(rk));
  if (!consumer->queue_) return illegal_state("consumer has no consumer queue");
  internal::logger().debug("consumer {} created", rd_kafka_name(rk));
  return consumer;
}

Consumer::~Consumer() {
  if (rk_ && !closed_) {
    // Close while this object is intact: close runs the rebalance listener.
    if (Status status = close(); !status.ok()) {
      internal::logger().warn("closing consumer on destruction: {}", status.to_string());
    }
  }
}

Status Consumer::subscribe(const std::vector<std::string>& topics) {
  if (!rk_) return closed_error();
  TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_subscribe(rk_.get(), list.get()), "subscribe"));
  subscribed_ = true;
  return Status();
}

Status Consumer::assign(const std::vector<TopicPartition>& partitions) {
  if (!rk_) return closed_error();
  return to_status(rd_kafka_assign(rk_.get(), to_list(partitions).get()), "assign");
}

Result<std::vector<MessagePtr>> Consumer::poll_batch(std::size_t max_records,
                                                     std::chrono::milliseconds timeout,
                                                     bool ends_of_partitions) {
  if (!rk_) return closed_error();
  // rd_kafka_consume_batch_queue waits until it has `max_records` messages or the whole timeout
  // has passed, which would add up to `timeout` of latency at low rates. So: take what is
  // queued; only if nothing is, block for one message, then take what queued behind it.
  std::vector<rd_kafka_message_t*> raw(max_records == 0 ? 1 : max_records);
  ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, raw.data(), raw.size());
  if (n < 0) return to_status(rd_kafka_last_error(), "poll");
  if (n == 0 && timeout.count() > 0) {
    rd_kafka_message_t* first =
        rd_kafka_consume_queue(queue_.get(), static_cast<int>(timeout.count()));
    if (first != nullptr) {
      raw[0] = first;
      n = 1;
      if (raw.size() > 1) {
        const ssize_t more =
            rd_kafka_consume_batch_queue(queue_.get(), 0, raw.data() + 1, raw.size() - 1);
        if (more > 0) n += more;
      }
    }
  }

  std::vector<MessagePtr> records;
  records.reserve(static_cast<std::size_t>(n));
  Status fatal;
  for (ssize_t i = 0; i < n; ++i) {
    MessagePtr message(raw[static_cast<std::size_t>(i)]);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      records.push_back(std::move(message));
    } else if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (ends_of_partitions) records.push_back(std::move(message));
    } else if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
      fatal = fatal_error_status(rk_.get());
    } else {
      internal::logger().warn(
          "{}: consumer error: {}", rd_kafka_name(rk_.get()),
          to_status(message->err, rd_kafka_message_errstr(message.get())).message());
    }
  }
  if (!fatal.ok()) return fatal;
  return records;
}

Status Consumer::commit(const std::vector<TopicPartition>& offsets, CommitMode mode) {
  if (!rk_) return closed_error();
  const int async = mode == CommitMode::kAsync ? 1 : 0;
  rd_kafka_resp_err_t err;
  if (offsets.empty()) {
    err = rd_kafka_commit(rk_.get(), nullptr, async);
    // Nothing consumed since the last commit: nothing to do.
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return Status();
  } else {
    err = rd_kafka_commit(rk_.get(), to_list(offsets).get(), async);
  }
  return to_status(err, "commit");
}

Result<std::vector<TopicPartition>> Consumer::committed(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) {
  if (!rk_) return closed_error();
  TopicPartitionListPtr list = to_list(partitions);
  KSTREAMS_RETURN_IF_ERROR(to_status(
      rd_kafka_committed(rk_.get(), list.get(), static_cast<int>(timeout.count())), "committed"));
  KSTREAMS_RETURN_IF_ERROR(first_partition_error(list.get(), "committed"));
  return from_list(list.get());
}

Result<std::vector<TopicPartition>> Consumer::position(
    const std::vector<TopicPartition>& partitions) {
  if (!rk_) return closed_error();
  TopicPartitionListPtr list = to_list(partitions);
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_position(rk_.get(), list.get()), "position"));
  KSTREAMS_RETURN_IF_ERROR(first_partition_error(list.get(), "position"));
  return from_list(list.get());
}

Result<std::vector<TopicPartition>> Consumer::assignment() {
  if (!rk_) return closed_error();
  rd_kafka_topic_partition_list_t* raw = nullptr;
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_assignment(rk_.get(), &raw), "assignment"));
  const TopicPartitionListPtr list(raw);
  return from_list(list.get());
}

Result<std::pair<std::int64_t, std::int64_t>> Consumer::watermarks(
    const std::string& topic, std::int32_t partition, std::chrono::milliseconds timeout) {
  if (!rk_) return closed_error();
  std::int64_t low = 0;
  std::int64_t high = 0;
  // Any error is retried: a partition created a moment ago has no leader yet.
  KSTREAMS_RETURN_IF_ERROR(retry_within(
      timeout, std::chrono::milliseconds(200),
      [&](int left_ms) {
        return to_status(rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition, &low,
                                                          &high, left_ms),
                         "watermarks of " + topic + "-" + std::to_string(partition));
      },
      [](const Status&) { return true; }));
  return std::make_pair(low, high);
}

Status Consumer::seek(const std::vector<TopicPartition>& offsets,
                      std::chrono::milliseconds timeout) {
  if (!rk_) return closed_error();
  // A partition assigned a moment ago may not accept a seek yet: librdkafka answers _TIMED_OUT
  // at once while its fetcher starts (seen under ASan in the crash test). Retried within
  // `timeout`.
  return retry_within(
      timeout, std::chrono::milliseconds(100),
      [&](int left_ms) {
        TopicPartitionListPtr list = to_list(offsets);
        KSTREAMS_RETURN_IF_ERROR(
            to_status(ErrorPtr(rd_kafka_seek_partitions(rk_.get(), list.get(), left_ms)), "seek"));
        return first_partition_error(list.get(), "seek");
      },
      [](const Status& s) { return s.code() == StatusCode::kTimeout; });
}

Status Consumer::pause(const std::vector<TopicPartition>& partitions) {
  if (!rk_) return closed_error();
  TopicPartitionListPtr list = to_list(partitions);
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_pause_partitions(rk_.get(), list.get()), "pause"));
  return first_partition_error(list.get(), "pause");
}

Status Consumer::resume(const std::vector<TopicPartition>& partitions) {
  if (!rk_) return closed_error();
  TopicPartitionListPtr list = to_list(partitions);
  KSTREAMS_RETURN_IF_ERROR(to_status(rd_kafka_resume_partitions(rk_.get(), list.get()), "resume"));
  return first_partition_error(list.get(), "resume");
}

Status Consumer::close(LeaveGroup leave) {
  if (closed_) return Status();
  closed_ = true;
  if (subscribed_ && static_member_ && leave == LeaveGroup::kUnlessStatic) {
    const char* protocol = rd_kafka_rebalance_protocol(rk_.get());
    if (protocol == nullptr || std::strcmp(protocol, "COOPERATIVE") != 0) {
      close_keeping_membership();
      return Status();
    }
    // Destroying without a consumer close can wait forever for an incremental assign handed
    // over meanwhile (librdkafka before 2.3, upstream #4527): leave instead.
    internal::logger().warn(
        "{}: static member with the cooperative rebalance protocol: leaving the group on close "
        "(librdkafka {} cannot keep the membership safely)",
        rd_kafka_name(rk_.get()), rd_kafka_version_str());
  }
  if (subscribed_) give_back_assignment();
  serve_queued_events();
  return to_status(rd_kafka_consumer_close(rk_.get()), "close");
}

void Consumer::close_keeping_membership() {
  // A static member keeps its place in the group until session.timeout.ms (KIP-345), so that a
  // restart with the same group.instance.id takes its partitions back without a rebalance.
  // Unsubscribing would send a LeaveGroup, and so would rd_kafka_consumer_close under a
  // rebalance; instead the listener gets the revocation here (after any rebalance already
  // handed over), and the handle is destroyed with RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE: no
  // LeaveGroup, and librdkafka unassigns by itself rather than hand a revoke to a listener that
  // is gone, so the close race of give_back_assignment cannot happen either.
  serve_queued_events();
  Result<std::vector<TopicPartition>> assigned = assignment();
  if (assigned.ok() && !assigned->empty()) {
    internal::logger().info(
        "{}: static member closing: revoked {} partitions; they stay its own "
        "in the group until its session times out",
        rd_kafka_name(rk_.get()), assigned->size());
    notify(RebalanceEvent::kRevoked, *assigned);
  }
  queue_.reset();
  rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void Consumer::give_back_assignment() {
  // rd_kafka_consumer_close hands the final revoke to the listener only after it has set the
  // group on its way out; a revoke handed over before (another member left: a rebalance) is
  // then served after the group stopped waiting for it, and the listener's rd_kafka_assign()
  // can wait forever for a group that terminated meanwhile (librdkafka 2.0.2; upstream issue
  // confluentinc/librdkafka#4884). Unsubscribing first revokes everything through the ordinary
  // path, where the group waits for the listener's unassign; close then has nothing to revoke.
  if (const rd_kafka_resp_err_t err = rd_kafka_unsubscribe(rk_.get()); err != 0) {
    internal::logger().warn("{}: unsubscribe before close: {}", rd_kafka_name(rk_.get()),
                            rd_kafka_err2str(err));
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + kGiveBackTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    serve_queued_events();
    Result<std::vector<TopicPartition>> assigned = assignment();
    if (!assigned.ok() || assigned->empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  internal::logger().warn(
      "{}: partitions still assigned {} ms after unsubscribing; closing anyway",
      rd_kafka_name(rk_.get()),
      std::chrono::duration_cast<std::chrono::milliseconds>(kGiveBackTimeout).count());
}

void Consumer::serve_queued_events() {
  // Runs the rebalance callbacks waiting in the queue (see give_back_assignment). Records queued
  // with them are dropped: nothing is processed after a close.
  constexpr std::size_t kBatch = 256;
  std::array<rd_kafka_message_t*, kBatch> drained{};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, drained.data(), kBatch);
    for (ssize_t m = 0; m < n; ++m) rd_kafka_message_destroy(drained[static_cast<std::size_t>(m)]);
    if (n < static_cast<ssize_t>(kBatch)) break;
  }
}

GroupMetadataPtr Consumer::group_metadata() {
  if (!rk_) return nullptr;
  return GroupMetadataPtr(rd_kafka_consumer_group_metadata(rk_.get()));
}

Result<int> Consumer::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
  if (!rk_) return closed_error();
  return kafka::partition_count(rk_.get(), topic, timeout);
}

void Consumer::rebalance_trampoline(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Consumer*>(opaque)->on_rebalance(err, partitions);
}

void Consumer::notify(RebalanceEvent event, const std::vector<TopicPartition>& partitions) {
  if (!on_rebalance_) return;
  // An exception must not unwind through librdkafka's C frames.
  try {
    on_rebalance_(event, partitions);
  } catch (const std::exception& e) {
    internal::logger().error("rebalance listener threw: {}", e.what());
  } catch (...) {
    internal::logger().error("rebalance listener threw a non-standard exception");
  }
}

void Consumer::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = rk_.get();
  // NULL when the consumer is not (or no longer) in a group, e.g. while closing.
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  const bool cooperative = protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
  const std::vector<TopicPartition> changed = from_list(partitions);
  Status applied;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    applied = cooperative ? to_status(ErrorPtr(rd_kafka_incremental_assign(rk, partitions)),
                                      "incremental_assign")
                          : to_status(rd_kafka_assign(rk, partitions), "assign");
    internal::logger().info("{}: assigned {} partitions", rd_kafka_name(rk), changed.size());
    notify(RebalanceEvent::kAssigned, changed);
  } else {
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      internal::logger().error("{}: rebalance failed: {}", rd_kafka_name(rk),
                               to_status(err).message());
    }
    const bool lost = rd_kafka_assignment_lost(rk) != 0;
    internal::logger().info("{}: {} {} partitions", rd_kafka_name(rk), lost ? "lost" : "revoked",
                            changed.size());
    notify(lost ? RebalanceEvent::kLost : RebalanceEvent::kRevoked, changed);
    applied = cooperative ? to_status(ErrorPtr(rd_kafka_incremental_unassign(rk, partitions)),
                                      "incremental_unassign")
                          : to_status(rd_kafka_assign(rk, nullptr), "unassign");
  }
  if (!applied.ok()) {
    internal::logger().error("{}: applying rebalance: {}", rd_kafka_name(rk), applied.to_string());
  }
}

}  // namespace kstreams::kafka
