// kstreams-e2e-bench: the address router on KafkaStreams against the best raw librdkafka loop a
// user could hand-write for the same job, in one run on one cluster.
//
//   kstreams-e2e-bench                       # in-process embedded cluster (librdkafka mock)
//   kstreams-e2e-bench --bootstrap-servers 127.0.0.1:9092   # a real broker
//
// The parent process owns the cluster (or talks to the given one). It pre-loads the input topic
// `addresses` with generated addresses (AddressGenerator, 10% invalid by default), then runs each
// contender in a child process of its own (this binary re-executed with --mode), one after the
// other, so that CPU time and peak RSS are clean per contender and the broker's own CPU (the mock
// thread, in the parent) is not charged to either:
//
//   raw       consume -> parse protobuf Address -> route -> produce to addresses.{shipping,
//             billing,invalid} or addresses.dlq (garbage, with error headers) -> every
//             commit interval: flush, then commit the processed offsets (at-least-once). The
//             consumer and producer properties are exactly those of kstreams' stream threads
//             (src/runtime/client_configs.cc), with the same overrides.
//   kstreams  address_router::build() on KafkaStreams, at-least-once, same commit interval.
//
// Phase 1 (throughput), --repeat rounds with the contenders interleaved: each child joins a fresh
// consumer group and reads the whole pre-loaded input from the start; measured from the first
// record consumed until the group's committed offsets cover the whole input (every output
// acknowledged and every offset committed; watched by a consumer of the child's own that polls
// OffsetFetch every millisecond without joining the group; the group join is excluded):
// records/s, CPU seconds per million records, peak RSS. Phase 2 (latency), per contender: a child
// with a fresh group that starts at the end of the input (auto.offset.reset=latest); the parent
// then produces --latency-records fresh records at --latency-rate records/s and measures, for each
// output record, the time from the input record's produce timestamp (CreateTime, which both
// contenders carry over to the output) to its arrival at a consumer of the output topics in the
// parent. Latency runs last so that its one-record batches never enter a throughput round.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>

#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"
#include "examples/address_router/sample_input.h"
#include "src/kafka/embedded_cluster.h"
#include "src/runtime/client_configs.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
using address_router::Address;

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string bootstrap_servers;  // empty: embedded cluster
  std::int64_t records = 0;       // 0: the workload's default (router 150 000, count 600 000)
  int partitions = 4;
  double invalid_share = 0.1;
  std::uint64_t seed = 42;
  std::int64_t latency_records = 2'000;
  double latency_rate = 1'000;
  std::int64_t commit_interval_ms = 100;
  int max_poll_records = 1000;
  std::vector<std::string> contenders = {"raw", "kstreams"};
  bool raw_sync_commit = false;
  bool raw_reserialize = false;
  bool raw_headers = false;
  bool verbose = false;
  std::vector<std::string> kstreams_properties;  // extra "key=value" for the kstreams contender
  std::int32_t kstreams_buffered_records = 0;    // 0: kstreams' default
  std::int64_t kstreams_poll_ms = -1;            // -1: kstreams' default
  // Child-only (set by the parent).
  std::string mode;
  std::string group;
  std::int64_t expected = 0;
  bool embedded = true;
  bool from_latest = false;  // latency child: start at the end of the input
  int repeat = 3;
  // --workload count (see run_parent_count).
  std::string workload = "router";
  std::int64_t keys = 10'000;
  std::int64_t cache_bytes = -1;  // -1: kstreams' default statestore.cache.max.bytes
  std::string output_topic;       // child-only: this run's output topic
};

const std::vector<std::string> kOutputTopics = {
    std::string(address_router::kShippingTopic), std::string(address_router::kBillingTopic),
    std::string(address_router::kInvalidTopic), std::string(address_router::kDeadLetterTopic)};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kstreams-e2e-bench: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

double now_epoch_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The StreamsConfig both contenders derive their client properties from.
kstreams::StreamsConfig streams_config(const Options& opt) {
  kstreams::StreamsConfig config;
  config.application_id = opt.group;
  config.bootstrap_servers = opt.bootstrap_servers;
  config.commit_interval_ms = opt.commit_interval_ms;
  config.max_poll_records = opt.max_poll_records;
  config.metrics_log_interval_ms = 0;
  if (opt.embedded) {
    // kstreams applies these itself when it owns the embedded cluster; here the cluster lives in
    // the parent process, so the child names it by address and passes the same tuning.
    config.client_properties["consumer.fetch.wait.max.ms"] = "10";
    config.client_properties["consumer.session.timeout.ms"] = "4000";
    config.client_properties["consumer.heartbeat.interval.ms"] = "300";
  }
  if (opt.from_latest) config.client_properties["consumer.auto.offset.reset"] = "latest";
  if (opt.workload == "router") address_router::configure(config);
  return config;
}

// ---------------------------------------------------------------------------------------------
// Child <-> parent protocol: the child writes "EVENT key=value ..." lines to stdout; the parent
// writes "STOP\n" to the child's stdin once it has measured latency.

void emit(const std::string& event, const std::map<std::string, std::string>& fields) {
  std::string line = event;
  for (const auto& [k, v] : fields) line += " " + k + "=" + v;
  line += "\n";
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

bool stdin_says_stop(int timeout_ms) {
  pollfd fd{.fd = 0, .events = POLLIN, .revents = 0};
  if (poll(&fd, 1, timeout_ms) <= 0) return false;
  char buf[64];
  const ssize_t n = read(0, buf, sizeof buf);
  return n <= 0 ||
         std::string_view(buf, static_cast<std::size_t>(n)).find("STOP") != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Raw librdkafka contender

rd_kafka_conf_t* make_rd_conf(const kstreams::kafka::ConfigEntries& entries) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : entries) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      die("config " + k + "=" + v + ": " + err);
    }
  }
  return conf;
}

std::atomic<std::int64_t> g_delivery_failures{0};

void raw_delivery_cb(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++g_delivery_failures;
}

class OffsetTracker;

// A raw contender's clients, with exactly the properties of kstreams' stream threads
// (src/runtime/client_configs.cc), the consumer subscribed to `input_topic`.
struct RawClients {
  rd_kafka_t* producer = nullptr;
  rd_kafka_t* consumer = nullptr;
  rd_kafka_queue_t* queue = nullptr;

  RawClients(const Options& opt, const std::string& input_topic) {
    const kstreams::StreamsConfig config = streams_config(opt);
    const kstreams::internal::ClientIdentity identity{opt.bootstrap_servers, opt.group + "-raw",
                                                      false};
    char err[512];
    rd_kafka_conf_t* pconf = make_rd_conf(kstreams::internal::producer_config(config, identity));
    rd_kafka_conf_set_dr_msg_cb(pconf, raw_delivery_cb);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
    if (producer == nullptr) die(std::string("producer: ") + err);
    rd_kafka_conf_t* cconf = make_rd_conf(kstreams::internal::consumer_config(config, identity));
    consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
    if (consumer == nullptr) die(std::string("consumer: ") + err);
    rd_kafka_poll_set_consumer(consumer);
    queue = rd_kafka_queue_get_consumer(consumer);
    rd_kafka_topic_partition_list_t* sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, input_topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer, sub); e) die(rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(sub);
  }

  // Closes the consumer, destroys the producer's topic handles, then the clients.
  void close(const std::vector<rd_kafka_topic_t*>& topics) {
    rd_kafka_consumer_close(consumer);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(consumer);
    for (rd_kafka_topic_t* t : topics) rd_kafka_topic_destroy(t);
    rd_kafka_destroy(producer);
  }

  // Flushes the producer, then commits `offsets` (at-least-once).
  void flush_then_commit(OffsetTracker& offsets, bool sync);
};

// The raw loop's processed and committed input offsets, per partition (-1: none).
class OffsetTracker {
 public:
  explicit OffsetTracker(std::string topic) : topic_(std::move(topic)) {}

  void processed(std::int32_t partition, std::int64_t offset) {
    const auto p = static_cast<std::size_t>(partition);
    if (p >= next_.size()) {
      next_.resize(p + 1, -1);
      committed_.resize(p + 1, -1);
    }
    next_[p] = offset + 1;
  }

  // Commits what was processed since the last commit; counts the commits that had something.
  void commit(rd_kafka_t* consumer, bool sync) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(4);
    for (std::size_t p = 0; p < next_.size(); ++p) {
      if (next_[p] > committed_[p]) {
        rd_kafka_topic_partition_list_add(list, topic_.c_str(), static_cast<int32_t>(p))->offset =
            next_[p];
        committed_[p] = next_[p];
      }
    }
    if (list->cnt > 0) {
      rd_kafka_resp_err_t e = rd_kafka_commit(consumer, list, sync ? 0 : 1);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "raw: commit: %s\n", rd_kafka_err2str(e));
      }
      ++commits;
    }
    rd_kafka_topic_partition_list_destroy(list);
  }

  std::atomic<std::int64_t> commits{0};

 private:
  std::string topic_;
  std::vector<std::int64_t> next_;
  std::vector<std::int64_t> committed_;
};

void RawClients::flush_then_commit(OffsetTracker& offsets, bool sync) {
  if (rd_kafka_flush(producer, 30'000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("flush timed out");
  if (g_delivery_failures.load() != 0) die("delivery failures");
  offsets.commit(consumer, sync);
}

// The raw consume loop: takes whatever is queued without waiting; blocks (up to 100 ms) for one
// record only when nothing is (rd_kafka_consume_batch_queue would wait for a full batch or the
// timeout). After each round, serves the producer's callbacks and calls `tick`, which returns true
// to stop.
template <class Handle, class Tick>
void raw_loop(const Options& opt, RawClients& clients, Handle handle, Tick tick) {
  std::vector<rd_kafka_message_t*> batch(static_cast<std::size_t>(opt.max_poll_records));
  for (;;) {
    const ssize_t n = rd_kafka_consume_batch_queue(clients.queue, 0, batch.data(), batch.size());
    if (n < 0) die("consume_batch_queue failed");
    for (ssize_t i = 0; i < n; ++i) handle(batch[static_cast<std::size_t>(i)]);
    if (n == 0) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(clients.consumer, 100)) handle(m);
    }
    rd_kafka_poll(clients.producer, 0);
    if (tick()) return;
  }
}

rd_kafka_t* make_client(rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = make_rd_conf(props);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) die(std::string("client: ") + err);
  return rk;
}

// The group's committed offsets of the input, read by a consumer of its own that never joins the
// group.
class CommitWatcher {
 public:
  CommitWatcher(const Options& opt, std::string topic)
      : topic_(std::move(topic)), partitions_(opt.partitions) {
    rk_ = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", opt.bootstrap_servers},
                                          {"group.id", opt.group},
                                          {"enable.auto.commit", "false"}});
  }
  CommitWatcher(const CommitWatcher&) = delete;
  CommitWatcher& operator=(const CommitWatcher&) = delete;
  ~CommitWatcher() { rd_kafka_destroy(rk_); }

  // Sum of the committed offsets (the input starts at offset 0: records committed); -1 on error.
  std::int64_t committed() {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
    for (int p = 0; p < partitions_; ++p)
      rd_kafka_topic_partition_list_add(list, topic_.c_str(), p);
    std::int64_t total = -1;
    if (rd_kafka_committed(rk_, list, 5'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      total = 0;
      for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].offset > 0) total += list->elems[i].offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
    return total;
  }

  void wait_for(std::int64_t records) {
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (committed() < records) {
      if (Clock::now() > deadline) {
        die("offsets not committed within 120 s of the last record: " +
            std::to_string(committed()) + " of " + std::to_string(records));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

 private:
  std::string topic_;
  int partitions_;
  rd_kafka_t* rk_ = nullptr;
};

// The end of a raw loop's measurement, on a thread of its own: once `done` is set (every input
// record processed), waits until the group's committed offsets of `topic` cover the input (every
// output acknowledged, every offset committed), then emits DRAINED for the window that began at
// `t0` (CPU `cpu0`), with the fields `more()` returns.
std::thread emit_drained_when_committed(const Options& opt, std::string topic,
                                        const std::atomic<bool>& done, const Clock::time_point& t0,
                                        const double& cpu0,
                                        std::function<std::map<std::string, std::string>()> more) {
  return std::thread([&opt, topic = std::move(topic), &done, &t0, &cpu0, more = std::move(more)] {
    CommitWatcher w(opt, topic);
    while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    w.wait_for(opt.expected);
    std::map<std::string, std::string> fields = more();
    fields["records"] = std::to_string(opt.expected);
    fields["seconds"] = fmt(seconds_between(t0, Clock::now()));
    fields["cpu"] = fmt(cpu_seconds() - cpu0);
    fields["rss_kb"] = std::to_string(peak_rss_kb());
    emit("DRAINED", fields);
  });
}

// A consumed message that is an error: logs it (unless end of partition) and destroys it.
bool consumer_error(rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    std::fprintf(stderr, "raw: consumer error: %s\n", rd_kafka_message_errstr(m));
  }
  rd_kafka_message_destroy(m);
  return true;
}

int run_raw(const Options& opt) {
  const std::string input_topic(address_router::kInputTopic);
  RawClients clients(opt, input_topic);
  rd_kafka_t* const producer = clients.producer;
  rd_kafka_t* const consumer = clients.consumer;

  // Topic handles once, so produce does no lookup by name.
  std::vector<rd_kafka_topic_t*> out;
  for (const auto& t : kOutputTopics)
    out.push_back(rd_kafka_topic_new(producer, t.c_str(), nullptr));
  rd_kafka_topic_t* const shipping = out[0];
  rd_kafka_topic_t* const billing = out[1];
  rd_kafka_topic_t* const invalid = out[2];
  rd_kafka_topic_t* const dlq = out[3];

  OffsetTracker offsets(input_topic);
  std::int64_t processed = 0;
  std::int64_t routed[4] = {0, 0, 0, 0};
  bool started = false;
  bool drained = opt.from_latest;
  bool ready = false;
  Clock::time_point t0;
  double cpu0 = 0;
  auto last_commit = Clock::now();
  Address address;
  std::string reserialized;

  // The end of the measurement: the group's committed offsets cover the input, as for kstreams.
  std::atomic<bool> done{false};
  std::thread watcher;
  if (!opt.from_latest) {
    watcher = emit_drained_when_committed(opt, input_topic, done, t0, cpu0, [&] {
      return std::map<std::string, std::string>{{"commits", std::to_string(offsets.commits.load())},
                                                {"shipping", std::to_string(routed[0])},
                                                {"billing", std::to_string(routed[1])},
                                                {"invalid", std::to_string(routed[2])},
                                                {"dlq", std::to_string(routed[3])}};
    });
  }

  auto commit = [&](bool sync) {
    clients.flush_then_commit(offsets, sync);
    last_commit = Clock::now();
  };

  auto handle = [&](rd_kafka_message_t* m) {
    if (consumer_error(m)) return;
    if (!started) {
      started = true;
      t0 = Clock::now();
      cpu0 = cpu_seconds();
    }
    rd_kafka_timestamp_type_t tstype;
    const std::int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    const bool parsed = address.ParsePartialFromArray(m->payload, static_cast<int>(m->len));
    rd_kafka_topic_t* target = dlq;
    int route = 3;
    if (parsed) {
      const bool complete = address_router::has_required_fields(address);
      if (address.type() == address_router::SHIPPING && complete) {
        target = shipping;
        route = 0;
      } else if (address.type() == address_router::BILLING && complete) {
        target = billing;
        route = 1;
      } else {
        target = invalid;
        route = 2;
      }
    }
    const void* value = m->payload;
    std::size_t value_len = m->len;
    if (parsed && opt.raw_reserialize) {
      address.SerializeToString(&reserialized);
      value = reserialized.data();
      value_len = reserialized.size();
    }
    // The input record's headers, passed on as kstreams does (--raw-headers); null when none.
    rd_kafka_headers_t* input_headers = nullptr;
    if (opt.raw_headers &&
        rd_kafka_message_headers(m, &input_headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      input_headers = nullptr;
    }
    rd_kafka_headers_t* headers = nullptr;
    std::string partition_text;
    std::string offset_text;
    if (route == 3) {
      // Dead letter: the original record plus what went wrong and where it came from.
      partition_text = std::to_string(m->partition);
      offset_text = std::to_string(m->offset);
    }
    for (;;) {
      rd_kafka_vu_t fields[6];
      std::size_t count = 0;
      fields[count].vtype = RD_KAFKA_VTYPE_RKT;
      fields[count++].u.rkt = target;
      fields[count].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
      fields[count++].u.i = RD_KAFKA_MSG_F_COPY;
      fields[count].vtype = RD_KAFKA_VTYPE_KEY;
      fields[count].u.mem.ptr = m->key;
      fields[count++].u.mem.size = m->key_len;
      fields[count].vtype = RD_KAFKA_VTYPE_VALUE;
      fields[count].u.mem.ptr = const_cast<void*>(value);
      fields[count++].u.mem.size = value_len;
      fields[count].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
      fields[count++].u.i64 = ts;
      if (route == 3) {
        headers = input_headers != nullptr ? rd_kafka_headers_copy(input_headers)
                                           : rd_kafka_headers_new(5);
        rd_kafka_header_add(headers, "__streams.errors.exception", -1, "DeserializationError", -1);
        rd_kafka_header_add(headers, "__streams.errors.message", -1,
                            "not a protobuf address_router.Address", -1);
        rd_kafka_header_add(headers, "__streams.errors.topic", -1, input_topic.c_str(), -1);
        rd_kafka_header_add(headers, "__streams.errors.partition", -1, partition_text.c_str(), -1);
        rd_kafka_header_add(headers, "__streams.errors.offset", -1, offset_text.c_str(), -1);
        fields[count].vtype = RD_KAFKA_VTYPE_HEADERS;
        fields[count++].u.headers = headers;
      } else if (input_headers != nullptr) {
        headers = rd_kafka_headers_copy(input_headers);
        fields[count].vtype = RD_KAFKA_VTYPE_HEADERS;
        fields[count++].u.headers = headers;
      }
      rd_kafka_error_t* error = rd_kafka_produceva(producer, fields, count);
      if (error == nullptr) break;  // the producer owns the headers now
      if (headers != nullptr) rd_kafka_headers_destroy(headers);
      const rd_kafka_resp_err_t e = rd_kafka_error_code(error);
      const std::string text = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: " + text);
      rd_kafka_poll(producer, 10);
    }
    ++routed[route];
    offsets.processed(m->partition, m->offset);
    rd_kafka_message_destroy(m);
    ++processed;
    if (!drained && processed >= opt.expected) {
      drained = true;
      done.store(true);
    }
  };

  raw_loop(opt, clients, handle, [&] {
    if (opt.from_latest && !ready) {
      rd_kafka_topic_partition_list_t* assigned = nullptr;
      if (rd_kafka_assignment(consumer, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ready = assigned->cnt > 0;
        rd_kafka_topic_partition_list_destroy(assigned);
        if (ready) emit("READY", {});
      }
    }
    if (Clock::now() - last_commit >= std::chrono::milliseconds(opt.commit_interval_ms)) {
      commit(opt.raw_sync_commit);
      if (drained && stdin_says_stop(0)) return true;
    }
    return false;
  });
  if (watcher.joinable()) watcher.join();
  commit(true);
  emit("DONE", {{"rss_kb", std::to_string(peak_rss_kb())},
                {"records", std::to_string(processed)},
                {"commits", std::to_string(offsets.commits.load())}});
  clients.close(out);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// kstreams contender

// streams_config plus the --kstreams-* options.
kstreams::StreamsConfig kstreams_config(const Options& opt) {
  kstreams::StreamsConfig config = streams_config(opt);
  for (const std::string& kv : opt.kstreams_properties) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) die("--kstreams-property wants key=value: " + kv);
    config.client_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (opt.kstreams_buffered_records > 0) {
    config.buffered_records_per_partition = opt.kstreams_buffered_records;
  }
  if (opt.kstreams_poll_ms >= 0) config.poll_ms = opt.kstreams_poll_ms;
  return config;
}

void die_if_failed(const kstreams::KafkaStreams& app) {
  if (app.state() == kstreams::StreamsState::kError) die("kstreams: " + app.error().to_string());
}

// Consumed records and commits over the app's stream threads.
void thread_totals(const kstreams::KafkaStreams& app, std::uint64_t& consumed,
                   std::uint64_t& commits) {
  consumed = 0;
  commits = 0;
  for (const auto& t : app.thread_metrics()) {
    consumed += t.records_consumed;
    commits += t.commits;
  }
}

struct Window {
  Clock::time_point t0;
  double cpu0 = 0;
  std::uint64_t processed0 = 0;
};

// The stream thread publishes its counters after each loop iteration; sample them every
// millisecond. The window starts at the first sample that shows a consumed record; the records
// processed before that sample are not counted (rate = processed in window / window).
Window wait_first_consumed(const kstreams::KafkaStreams& app) {
  std::uint64_t consumed = 0;
  std::uint64_t commits = 0;
  for (;;) {
    thread_totals(app, consumed, commits);
    if (consumed > 0) return Window{Clock::now(), cpu_seconds(), app.metrics().records_processed};
    die_if_failed(app);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Waits until the group's committed offsets cover `records` input records (the app failing
// ends the run). As the raw loops' watcher: asks the broker only once every record is processed
// (until then it reads the app's counters, every millisecond), so that the harness costs the
// kstreams child, and the broker, what it costs the raw one. (Until 2026-11-23 it sent an
// OffsetFetch every millisecond through the whole window, on the kstreams child's CPU and the
// broker's, where the raw child sent none.)
void wait_committed(const kstreams::KafkaStreams& app, CommitWatcher& watcher,
                    std::int64_t records) {
  const auto deadline = Clock::now() + std::chrono::seconds(600);
  while (app.metrics().records_processed < static_cast<std::uint64_t>(records)) {
    die_if_failed(app);
    if (Clock::now() > deadline) die("kstreams: input not processed within 600 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (watcher.committed() < records) {
    die_if_failed(app);
    if (Clock::now() > deadline) die("kstreams: input not committed within 600 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

int run_kstreams(const Options& opt) {
  kstreams::StreamsBuilder builder;
  address_router::build(builder);
  kstreams::Result<kstreams::Topology> topology = builder.build();
  if (!topology.ok()) die("topology: " + topology.status().to_string());
  kstreams::StreamsConfig config = kstreams_config(opt);
  kstreams::KafkaStreams app(std::move(topology).value(), config);
  if (kstreams::Status s = app.start(); !s.ok()) die("start: " + s.to_string());

  if (opt.from_latest) {
    if (!app.wait_for_state(kstreams::StreamsState::kRunning, std::chrono::seconds(60))) {
      die("kstreams: not RUNNING after 60 s");
    }
    emit("READY", {});
    while (!stdin_says_stop(100)) {
      if (app.state() == kstreams::StreamsState::kError)
        die("kstreams: " + app.error().to_string());
    }
    const kstreams::Status closed = app.close(std::chrono::seconds(30));
    emit("DONE", {{"rss_kb", std::to_string(peak_rss_kb())},
                  {"records", std::to_string(app.metrics().records_processed)},
                  {"close", closed.ok() ? "ok" : "timeout"}});
    return 0;
  }
  CommitWatcher watcher(opt, std::string(address_router::kInputTopic));
  const auto [t0, cpu0, processed0] = wait_first_consumed(app);
  // The end of the measurement: the group's committed offsets cover the input (every output
  // acknowledged, every offset committed), watched as for the raw loop.
  wait_committed(app, watcher, opt.expected);
  const auto t1 = Clock::now();
  kstreams::ProcessingMetrics m = app.metrics();
  const double cpu1 = cpu_seconds();
  std::uint64_t consumed = 0;
  std::uint64_t commits = 0;
  thread_totals(app, consumed, commits);
  emit("DRAINED", {{"records", std::to_string(m.records_processed - processed0)},
                   {"seconds", fmt(seconds_between(t0, t1))},
                   {"cpu", fmt(cpu1 - cpu0)},
                   {"rss_kb", std::to_string(peak_rss_kb())},
                   {"commits", std::to_string(commits)},
                   {"produced", std::to_string(m.records_produced)},
                   {"dlq", std::to_string(m.records_dead_lettered)},
                   {"skipped", std::to_string(m.records_skipped)}});
  while (!stdin_says_stop(100)) {
    if (app.state() == kstreams::StreamsState::kError) die("kstreams: " + app.error().to_string());
  }
  const kstreams::Status closed = app.close(std::chrono::seconds(30));
  m = app.metrics();
  emit("DONE", {{"rss_kb", std::to_string(peak_rss_kb())},
                {"records", std::to_string(m.records_processed)},
                {"close", closed.ok() ? "ok" : "timeout"}});
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent: cluster, input, children, latency phase, report

class Child {
 public:
  Child(const std::vector<std::string>& args, bool verbose) {
    int to_child[2];
    int from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) die("pipe failed");
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int devnull = verbose ? -1 : open("/dev/null", O_WRONLY);
    pid_ = fork();
    if (pid_ < 0) die("fork failed");
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      if (devnull >= 0) dup2(devnull, 2);
      close(to_child[0]);
      close(to_child[1]);
      close(from_child[0]);
      close(from_child[1]);
      execv("/proc/self/exe", argv.data());
      _exit(127);
    }
    if (devnull >= 0) close(devnull);
    close(to_child[0]);
    close(from_child[1]);
    to_ = to_child[1];
    from_ = fdopen(from_child[0], "r");
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (to_ >= 0) close(to_);
    if (from_ != nullptr) fclose(from_);
    if (pid_ > 0) {
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  // The next "EVENT k=v ..." line, or die after `timeout`.
  std::map<std::string, std::string> expect(const std::string& event,
                                            std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string line;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0)
        die("child: no " + event + " within " + std::to_string(timeout.count()) + " s");
      pollfd fd{.fd = fileno(from_), .events = POLLIN, .revents = 0};
      if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      if (fgets(buf, sizeof buf, from_) == nullptr) {
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        die("child exited before " + event + " (status " + std::to_string(status) +
            "; rerun with --verbose for its log)");
      }
      line = buf;
      std::istringstream in(line);
      std::string word;
      in >> word;
      if (word != event) continue;
      std::map<std::string, std::string> fields;
      while (in >> word) {
        const auto eq = word.find('=');
        if (eq != std::string::npos) fields[word.substr(0, eq)] = word.substr(eq + 1);
      }
      return fields;
    }
  }

  void stop() {
    const char msg[] = "STOP\n";
    if (write(to_, msg, sizeof msg - 1) < 0) die("write to child failed");
  }

  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  FILE* from_ = nullptr;
};

std::int64_t input_record_count(
    const std::string& bootstrap, int partitions, bool check_low,
    const std::string& topic = std::string(address_router::kInputTopic)) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  std::int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10'000) != 0) {
      die("watermarks of " + topic);
    }
    if (check_low && low != 0) {
      die("the input no longer starts at offset 0 in partition " + std::to_string(p) +
          " (the mock keeps ~5 MiB per partition): use fewer --records");
    }
    total += high - low;
  }
  rd_kafka_destroy(rk);
  return total;
}

// Records ever written to the output topics: the sum of their high watermarks (the mock drops
// old segments, so high - low would undercount).
std::int64_t output_record_count(const std::string& bootstrap) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  std::int64_t total = 0;
  for (const auto& t : kOutputTopics) {
    for (int p = 0; p < 64; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(rk, t.c_str(), p, &low, &high, 10'000) != 0) break;
      total += high;
    }
  }
  rd_kafka_destroy(rk);
  return total;
}

struct Latency {
  std::int64_t sent = 0;
  std::int64_t received = 0;
  std::int64_t warmup = 0;  // records sent before measuring
  double p50 = NAN;
  double p99 = NAN;
  double max = NAN;
};

// Produces `count` records at `rate`/s into the input and measures produce timestamp -> arrival
// at this consumer of the output topics.
Latency measure_latency(const Options& opt, std::uint64_t seed) {
  Latency result;
  if (opt.latency_records <= 0) return result;
  rd_kafka_t* reader = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", opt.bootstrap_servers},
                                                       {"group.id", "e2e-bench-latency-reader"},
                                                       {"enable.auto.commit", "false"},
                                                       {"fetch.wait.max.ms", "10"},
                                                       {"queued.min.messages", "1000000"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(16);
  for (const auto& t : kOutputTopics) {
    for (int p = 0; p < opt.partitions; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_query_watermark_offsets(reader, t.c_str(), p, &low, &high, 10'000) != 0) {
        die("watermarks of " + t);
      }
      rd_kafka_topic_partition_list_add(list, t.c_str(), p)->offset = high;
    }
  }
  if (rd_kafka_assign(reader, list) != 0) die("assign outputs");
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_poll_set_consumer(reader);
  // Let the reader's fetchers start before the clock does.
  for (int i = 0; i < 20; ++i) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(reader, 10)) rd_kafka_message_destroy(m);
  }

  rd_kafka_t* writer = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", opt.bootstrap_servers},
                                                       {"linger.ms", "0"},
                                                       {"partitioner", "murmur2_random"}});
  const std::string topic(address_router::kInputTopic);
  address_router::AddressGenerator generator(seed, opt.invalid_share);
  auto send = [&]() {
    address_router::GeneratedRecord record = generator.next();
    rd_kafka_vu_t all[4];
    all[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    all[0].u.cstr = topic.c_str();
    all[1].vtype = RD_KAFKA_VTYPE_KEY;
    all[1].u.mem.ptr = record.key.data();
    all[1].u.mem.size = record.key.size();
    all[2].vtype = RD_KAFKA_VTYPE_VALUE;
    all[2].u.mem.ptr = record.value.data();
    all[2].u.mem.size = record.value.size();
    all[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    all[3].u.i = RD_KAFKA_MSG_F_COPY;
    if (rd_kafka_error_t* error = rd_kafka_produceva(writer, all, 4)) {
      const std::string text = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      die("latency produce: " + text);
    }
    rd_kafka_poll(writer, 0);
  };
  // Warm-up: one record every 100 ms until outputs flow for a whole second (the contender has
  // its start position and its fetchers and producer connections are up). Not measured.
  {
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    std::optional<Clock::time_point> first_output;
    while (!first_output || Clock::now() - *first_output < std::chrono::seconds(1)) {
      if (Clock::now() > give_up) die("latency warm-up: no output within 60 s");
      send();
      ++result.warmup;
      const auto until = Clock::now() + std::chrono::milliseconds(100);
      while (Clock::now() < until) {
        if (rd_kafka_message_t* m = rd_kafka_consumer_poll(reader, 10)) {
          if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && !first_output) first_output = Clock::now();
          rd_kafka_message_destroy(m);
        }
      }
    }
    while (rd_kafka_message_t* m = rd_kafka_consumer_poll(reader, 200)) rd_kafka_message_destroy(m);
  }
  const double start_ms = std::ceil(now_epoch_ms()) + 1;
  while (now_epoch_ms() < start_ms) std::this_thread::sleep_for(std::chrono::microseconds(200));
  const auto start = Clock::now();
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(opt.latency_records));
  auto drain = [&](int timeout_ms) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(reader, timeout_ms);
    while (m != nullptr) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const double arrived = now_epoch_ms();
        const auto ts = static_cast<double>(rd_kafka_message_timestamp(m, nullptr));
        if (ts >= start_ms) latencies.push_back(arrived - ts);
      }
      rd_kafka_message_destroy(m);
      m = rd_kafka_consumer_poll(reader, 0);
    }
  };
  const auto interval = std::chrono::duration<double>(1.0 / opt.latency_rate);
  for (std::int64_t i = 0; i < opt.latency_records; ++i) {
    const auto due =
        start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
    while (Clock::now() < due) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
      drain(static_cast<int>(std::min<std::int64_t>(left.count(), 1)));
    }
    send();
    ++result.sent;
  }
  rd_kafka_flush(writer, 10'000);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (static_cast<std::int64_t>(latencies.size()) < result.sent && Clock::now() < deadline) {
    drain(10);
  }
  result.received = static_cast<std::int64_t>(latencies.size());
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double q) {
      const auto idx =
          static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies.size())) - 1);
      return latencies[std::min(idx, latencies.size() - 1)];
    };
    result.p50 = pct(0.50);
    result.p99 = pct(0.99);
    result.max = latencies.back();
  }
  rd_kafka_destroy(writer);
  rd_kafka_consumer_close(reader);
  rd_kafka_destroy(reader);
  return result;
}

struct Outcome {
  std::string name;
  std::int64_t records = 0;
  double seconds = 0;
  double cpu = 0;
  long rss_kb = 0;
  std::int64_t commits = 0;
  Latency latency;
  std::int64_t outputs_expected = 0;
  std::int64_t outputs_seen = 0;
  [[nodiscard]] double rate() const {
    return seconds > 0 ? static_cast<double>(records) / seconds : 0;
  }
};

// Deletes and re-creates the topics on a real broker (the mock has no Admin API; the parent
// creates them there directly).
void recreate_topics(const std::string& bootstrap, const std::vector<std::string>& topics,
                     int partitions) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  std::vector<rd_kafka_DeleteTopic_t*> dels;
  for (const auto& t : topics) dels.push_back(rd_kafka_DeleteTopic_new(t.c_str()));
  rd_kafka_DeleteTopics(rk, dels.data(), dels.size(), nullptr, q);
  if (rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30'000)) rd_kafka_event_destroy(ev);
  rd_kafka_DeleteTopic_destroy_array(dels.data(), dels.size());
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::vector<rd_kafka_NewTopic_t*> news;
    char err[256];
    for (const auto& t : topics)
      news.push_back(rd_kafka_NewTopic_new(t.c_str(), partitions, 1, err, sizeof err));
    rd_kafka_CreateTopics(rk, news.data(), news.size(), nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30'000);
    bool retry = false;
    if (ev == nullptr) die("CreateTopics timed out");
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    std::size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (std::size_t i = 0; i < n; ++i) {
      const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        retry = true;  // deletion still in progress
      } else if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        die(std::string("CreateTopics ") + rd_kafka_topic_result_name(results[i]) + ": " +
            rd_kafka_err2str(e));
      }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_NewTopic_destroy_array(news.data(), news.size());
    if (!retry) break;
    if (Clock::now() > deadline) die("topics still being deleted after 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // Delete again whatever exists (the ones created this round included) and retry.
    std::vector<rd_kafka_DeleteTopic_t*> again;
    for (const auto& t : topics) again.push_back(rd_kafka_DeleteTopic_new(t.c_str()));
    rd_kafka_DeleteTopics(rk, again.data(), again.size(), nullptr, q);
    if (rd_kafka_event_t* e2 = rd_kafka_queue_poll(q, 30'000)) rd_kafka_event_destroy(e2);
    rd_kafka_DeleteTopic_destroy_array(again.data(), again.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // metadata propagation
}

// The embedded cluster with `topics` (when no --bootstrap-servers), or the given cluster with
// `topics` deleted and re-created; sets opt.bootstrap_servers and opt.embedded.
std::unique_ptr<kstreams::kafka::EmbeddedCluster> prepare_cluster(
    Options& opt, const std::vector<std::string>& topics) {
  std::unique_ptr<kstreams::kafka::EmbeddedCluster> cluster;
  if (opt.bootstrap_servers.empty()) {
    auto started = kstreams::kafka::EmbeddedCluster::start(3);
    if (!started.ok()) die("embedded cluster: " + started.status().to_string());
    cluster = std::move(started).value();
    for (const auto& t : topics) {
      if (kstreams::Status s = cluster->create_topic(t, opt.partitions); !s.ok()) {
        die("create " + t + ": " + s.to_string());
      }
    }
    opt.bootstrap_servers = cluster->bootstrap_servers();
    opt.embedded = true;
  } else {
    opt.embedded = false;
    recreate_topics(opt.bootstrap_servers, topics, opt.partitions);
  }
  return cluster;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Workload "count": count by key, end to end.
//
// Input `counts.in`: --records records keyed by one of --keys keys ("k0000000".."k<keys-1>",
// uniform, seeded), 8-byte values, partitioned by key (murmur2). Contenders:
//   raw       consume -> ++count in an std::unordered_map (in memory: no RocksDB, no changelog)
//             -> every commit interval: produce each key updated since the last commit once
//             (its latest count, 8 bytes big-endian, the latest input timestamp of the key), flush,
//             then commit the processed offsets. What one would hand-write with librdkafka.
//   kstreams  stream.group_by_key().count(Materialized::as("counts")).to_stream().to(out):
//             RocksDB store + changelog, record cache (statestore.cache.max.bytes, default
//             10 MiB, --cache-bytes), at-least-once, same commit interval.
// Each child writes to an output topic of its own (counts.out.<run>); the parent checks that the
// last count of every key there equals the number of input records of that key. Throughput is
// end to end: from the first record consumed until the group's committed offsets cover the
// whole input (so every count is durable in the output and every offset committed), watched by
// the same polling consumer (OffsetFetch every ms, never joins the group) in both children.

const std::string kCountInput = "counts.in";

std::string count_key(std::int64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "k%07lld", static_cast<long long>(k));
  return buf;
}

std::string count_output_topic(int run) { return "counts.out." + std::to_string(run); }

std::string child_group(const std::string& name, int run) {
  return "e2e-bench-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(run);
}

int run_raw_count(const Options& opt) {
  RawClients clients(opt, kCountInput);
  rd_kafka_topic_t* out = rd_kafka_topic_new(clients.producer, opt.output_topic.c_str(), nullptr);

  struct Entry {
    std::int64_t count = 0;
    std::int64_t timestamp = 0;
    bool dirty = false;
  };
  std::unordered_map<std::string, Entry> counts;  // node-based: pointers stay valid
  std::vector<std::pair<const std::string, Entry>*> dirty;
  std::string key;

  OffsetTracker offsets(kCountInput);
  std::int64_t processed = 0;
  std::int64_t produced = 0;
  bool started = false;
  bool drained = false;
  Clock::time_point t0;
  double cpu0 = 0;
  std::atomic<bool> done{false};
  auto last_commit = Clock::now();

  // The end of the measurement: the committed offsets cover the input.
  std::thread watcher = emit_drained_when_committed(opt, kCountInput, done, t0, cpu0, [&] {
    return std::map<std::string, std::string>{{"commits", std::to_string(offsets.commits.load())}};
  });

  auto commit = [&](bool sync) {
    // The updated counts, once per key (what a record cache does), then flush, then offsets.
    for (auto* entry : dirty) {
      Entry& e = entry->second;
      e.dirty = false;
      unsigned char value[8];
      const auto v = static_cast<std::uint64_t>(e.count);
      for (int b = 0; b < 8; ++b) value[b] = static_cast<unsigned char>(v >> (56 - 8 * b));
      for (;;) {
        rd_kafka_vu_t fields[5];
        fields[0].vtype = RD_KAFKA_VTYPE_RKT;
        fields[0].u.rkt = out;
        fields[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        fields[1].u.i = RD_KAFKA_MSG_F_COPY;
        fields[2].vtype = RD_KAFKA_VTYPE_KEY;
        fields[2].u.mem.ptr = const_cast<char*>(entry->first.data());
        fields[2].u.mem.size = entry->first.size();
        fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
        fields[3].u.mem.ptr = value;
        fields[3].u.mem.size = sizeof value;
        fields[4].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
        fields[4].u.i64 = e.timestamp;
        rd_kafka_error_t* error = rd_kafka_produceva(clients.producer, fields, 5);
        if (error == nullptr) break;
        const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
        const std::string text = rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: " + text);
        rd_kafka_poll(clients.producer, 10);
      }
      ++produced;
    }
    dirty.clear();
    clients.flush_then_commit(offsets, sync);
    last_commit = Clock::now();
  };

  auto handle = [&](rd_kafka_message_t* m) {
    if (consumer_error(m)) return;
    if (!started) {
      started = true;
      t0 = Clock::now();
      cpu0 = cpu_seconds();
    }
    const std::int64_t ts = rd_kafka_message_timestamp(m, nullptr);
    key.assign(static_cast<const char*>(m->key), m->key_len);
    auto it = counts.try_emplace(key).first;
    Entry& e = it->second;
    ++e.count;
    e.timestamp = std::max(e.timestamp, ts);
    if (!e.dirty) {
      e.dirty = true;
      dirty.push_back(&*it);
    }
    offsets.processed(m->partition, m->offset);
    rd_kafka_message_destroy(m);
    if (++processed >= opt.expected && !drained) {
      drained = true;
      done.store(true);
    }
  };

  raw_loop(opt, clients, handle, [&] {
    if (Clock::now() - last_commit < std::chrono::milliseconds(opt.commit_interval_ms)) {
      return false;
    }
    commit(opt.raw_sync_commit);
    return drained && stdin_says_stop(0);
  });
  watcher.join();
  commit(true);
  emit("DONE", {{"rss_kb", std::to_string(peak_rss_kb())},
                {"records", std::to_string(processed)},
                {"produced", std::to_string(produced)},
                {"commits", std::to_string(offsets.commits.load())}});
  clients.close({out});
  return 0;
}

int run_kstreams_count(const Options& opt) {
  kstreams::StreamsBuilder builder;
  builder.stream<std::string, std::string>(kCountInput)
      .group_by_key()
      .count(kstreams::Materialized<std::string, std::int64_t>::as("counts"))
      .to_stream()
      .to(opt.output_topic);
  kstreams::Result<kstreams::Topology> topology = builder.build();
  if (!topology.ok()) die("topology: " + topology.status().to_string());
  kstreams::StreamsConfig config = kstreams_config(opt);
  if (opt.cache_bytes >= 0) config.statestore_cache_max_bytes = opt.cache_bytes;
  const std::filesystem::path state_dir =
      std::filesystem::temp_directory_path() / ("kstreams-e2e-bench-" + opt.group);
  std::filesystem::remove_all(state_dir);
  config.state_dir = state_dir.string();

  CommitWatcher watcher(opt, kCountInput);
  std::optional<kstreams::KafkaStreams> app;
  app.emplace(std::move(topology).value(), config);
  if (kstreams::Status s = app->start(); !s.ok()) die("start: " + s.to_string());
  const auto [t0, cpu0, processed0] = wait_first_consumed(*app);
  wait_committed(*app, watcher, opt.expected);
  const auto t1 = Clock::now();
  const double cpu1 = cpu_seconds();
  std::uint64_t consumed = 0;
  std::uint64_t commits = 0;
  thread_totals(*app, consumed, commits);
  kstreams::ProcessingMetrics m = app->metrics();
  emit("DRAINED",
       {{"records", std::to_string(static_cast<std::uint64_t>(opt.expected) - processed0)},
        {"seconds", fmt(seconds_between(t0, t1))},
        {"cpu", fmt(cpu1 - cpu0)},
        {"rss_kb", std::to_string(peak_rss_kb())},
        {"commits", std::to_string(commits)},
        {"produced", std::to_string(m.records_produced)}});
  while (!stdin_says_stop(100)) die_if_failed(*app);
  const kstreams::Status closed = app->close(std::chrono::seconds(30));
  m = app->metrics();
  emit("DONE", {{"rss_kb", std::to_string(peak_rss_kb())},
                {"records", std::to_string(m.records_processed)},
                {"produced", std::to_string(m.records_produced)},
                {"close", closed.ok() ? "ok" : "timeout"}});
  app.reset();
  std::filesystem::remove_all(state_dir);
  return 0;
}

// Pre-loads the input; returns the expected count of every key.
std::vector<std::int64_t> load_count_input(const Options& opt) {
  std::vector<std::int64_t> expected(static_cast<std::size_t>(opt.keys), 0);
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", opt.bootstrap_servers},
                                                   {"linger.ms", "20"},
                                                   {"partitioner", "murmur2_random"},
                                                   {"queue.buffering.max.messages", "1000000"}});
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, kCountInput.c_str(), nullptr);
  std::mt19937_64 random(opt.seed);
  std::uniform_int_distribution<std::int64_t> pick(0, opt.keys - 1);
  for (std::int64_t i = 0; i < opt.records; ++i) {
    const std::int64_t k = pick(random);
    ++expected[static_cast<std::size_t>(k)];
    const std::string key = count_key(k);
    char value[8];
    std::memcpy(value, &i, sizeof value);
    while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, sizeof value,
                            key.data(), key.size(), nullptr) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("pre-load produce failed");
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 60'000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("pre-load flush timed out");
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
  return expected;
}

struct CountCheck {
  std::int64_t records = 0;  // output records
  std::int64_t wrong = 0;    // keys whose last count is not the expected one (missing included)
  std::int64_t extra = 0;    // keys that are not in the input
  std::string first_wrong;
};

// Reads a whole output topic and compares the last count of every key with `expected`.
CountCheck check_counts(const Options& opt, const std::string& topic,
                        const std::vector<std::int64_t>& expected) {
  CountCheck result;
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", opt.bootstrap_servers},
                                                   {"group.id", "e2e-bench-count-checker"},
                                                   {"enable.auto.commit", "false"},
                                                   {"fetch.wait.max.ms", "10"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(opt.partitions);
  std::vector<std::int64_t> high(static_cast<std::size_t>(opt.partitions), 0);
  std::int64_t remaining = 0;
  for (int p = 0; p < opt.partitions; ++p) {
    std::int64_t low = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high[p], 10'000) != 0) {
      die("watermarks of " + topic);
    }
    if (low != 0) die(topic + " lost its first records (the mock's ~5 MiB per partition)");
    remaining += high[p];
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = 0;
  }
  result.records = remaining;
  if (rd_kafka_assign(rk, list) != 0) die("assign " + topic);
  rd_kafka_topic_partition_list_destroy(list);
  std::unordered_map<std::string, std::int64_t> last;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (remaining > 0) {
    if (Clock::now() > deadline) die("reading " + topic + " timed out");
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::int64_t v = -1;
      if (m->len == 8) {
        std::uint64_t u = 0;
        for (int b = 0; b < 8; ++b) u = (u << 8) | static_cast<const unsigned char*>(m->payload)[b];
        v = static_cast<std::int64_t>(u);
      }
      last[std::string(static_cast<const char*>(m->key), m->key_len)] = v;
      --remaining;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_destroy(rk);
  for (std::int64_t k = 0; k < opt.keys; ++k) {
    const std::int64_t want = expected[static_cast<std::size_t>(k)];
    const auto it = last.find(count_key(k));
    const std::int64_t got = it == last.end() ? 0 : it->second;
    if (it != last.end()) last.erase(it);
    if (got != want) {
      if (result.wrong++ == 0) {
        result.first_wrong =
            count_key(k) + ": " + std::to_string(got) + " instead of " + std::to_string(want);
      }
    }
  }
  result.extra = static_cast<std::int64_t>(last.size());
  return result;
}

int run_parent_count(Options opt, const std::string& command_line) {
  const int runs_total = opt.repeat * static_cast<int>(opt.contenders.size());
  std::vector<std::string> topics = {kCountInput};
  for (int run = 1; run <= runs_total; ++run) topics.push_back(count_output_topic(run));
  const std::unique_ptr<kstreams::kafka::EmbeddedCluster> cluster = prepare_cluster(opt, topics);
  std::printf(
      "kstreams-e2e-bench --workload count: %s cluster at %s; %lld input records over %lld keys, "
      "%d partitions, commit every %lld ms, kstreams cache %s\n",
      opt.embedded ? "embedded (librdkafka mock, in the parent process)" : "external",
      opt.bootstrap_servers.c_str(), static_cast<long long>(opt.records),
      static_cast<long long>(opt.keys), opt.partitions,
      static_cast<long long>(opt.commit_interval_ms),
      opt.cache_bytes < 0 ? "default (statestore.cache.max.bytes 10 MiB)"
                          : (std::to_string(opt.cache_bytes) + " bytes").c_str());
  std::fflush(stdout);
  const auto load_start = Clock::now();
  const std::vector<std::int64_t> expected = load_count_input(opt);
  const std::int64_t loaded =
      input_record_count(opt.bootstrap_servers, opt.partitions, opt.embedded, kCountInput);
  if (loaded != opt.records) {
    die("pre-loaded " + std::to_string(loaded) + " of " + std::to_string(opt.records) + " records");
  }
  std::printf("pre-loaded %lld records in %.1f s\n", static_cast<long long>(loaded),
              seconds_between(load_start, Clock::now()));
  std::fflush(stdout);

  std::map<std::string, std::vector<Outcome>> runs;
  std::map<std::string, std::vector<std::int64_t>> outputs;
  bool counts_ok = true;
  int run = 0;
  for (int r = 0; r < opt.repeat; ++r) {
    for (const std::string& name : opt.contenders) {
      ++run;
      const std::string group = child_group(name, run);
      if (cluster) {
        // The mock has no CreateTopics: the changelog is created here (else the first metadata
        // request would auto-create it with 4 partitions).
        if (kstreams::Status s = cluster->create_topic(group + "-counts-changelog", opt.partitions);
            !s.ok()) {
          die("create changelog: " + s.to_string());
        }
      }
      std::vector<std::string> args = {
          "kstreams-e2e-bench",
          "--workload=count",
          "--mode=" + name,
          "--bootstrap-servers=" + opt.bootstrap_servers,
          "--group=" + group,
          "--expected=" + std::to_string(opt.records),
          "--commit-interval-ms=" + std::to_string(opt.commit_interval_ms),
          "--max-poll-records=" + std::to_string(opt.max_poll_records),
          "--partitions=" + std::to_string(opt.partitions),
          "--output-topic=" + count_output_topic(run),
          "--cache-bytes=" + std::to_string(opt.cache_bytes),
          std::string("--embedded-tuning=") + (opt.embedded ? "1" : "0")};
      if (opt.raw_sync_commit) args.emplace_back("--raw-sync-commit");
      for (const auto& kv : opt.kstreams_properties) args.push_back("--kstreams-property=" + kv);
      args.push_back("--kstreams-buffered-records=" +
                     std::to_string(opt.kstreams_buffered_records));
      args.push_back("--kstreams-poll-ms=" + std::to_string(opt.kstreams_poll_ms));
      Child child(args, opt.verbose);
      auto drained = child.expect("DRAINED", std::chrono::seconds(600));
      Outcome o;
      o.name = name;
      o.records = std::stoll(drained["records"]);
      o.seconds = std::stod(drained["seconds"]);
      o.cpu = std::stod(drained["cpu"]);
      o.commits = std::stoll(drained["commits"]);
      child.stop();
      auto done = child.expect("DONE", std::chrono::seconds(120));
      o.rss_kb = std::stol(done["rss_kb"]);
      if (int status = child.wait(); !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        die(name + " exited with status " + std::to_string(status));
      }
      const CountCheck c = check_counts(opt, count_output_topic(run), expected);
      const bool ok = c.wrong == 0 && c.extra == 0;
      counts_ok = counts_ok && ok;
      std::printf(
          "round %d %-8s %lld records in %.3f s = %.0f records/s, cpu %.2f s, %lld commits, "
          "peak RSS %.1f MiB, %lld output records, counts %s%s\n",
          r + 1, name.c_str(), static_cast<long long>(o.records), o.seconds, o.rate(), o.cpu,
          static_cast<long long>(o.commits), static_cast<double>(o.rss_kb) / 1024,
          static_cast<long long>(c.records), ok ? "ok" : "WRONG",
          ok ? ""
             : (" (" + std::to_string(c.wrong) + " wrong, " + std::to_string(c.extra) +
                " unknown keys; first " + c.first_wrong + ")")
                   .c_str());
      std::fflush(stdout);
      runs[name].push_back(o);
      outputs[name].push_back(c.records);
    }
  }

  std::printf("\n%s\n\n", command_line.c_str());
  std::printf(
      "| contender | records/s (median of %d) | rounds | CPU s / 1M records | peak RSS MiB | "
      "output records per round | commits | counts |\n",
      opt.repeat);
  std::printf("|---|---:|---|---:|---:|---:|---:|---|\n");
  for (const std::string& name : opt.contenders) {
    std::vector<double> rates, cpus, rss, outs, commits;
    std::string list;
    for (std::size_t i = 0; i < runs[name].size(); ++i) {
      const Outcome& o = runs[name][i];
      rates.push_back(o.rate());
      cpus.push_back(o.cpu / static_cast<double>(o.records) * 1e6);
      rss.push_back(static_cast<double>(o.rss_kb) / 1024);
      outs.push_back(static_cast<double>(outputs[name][i]));
      commits.push_back(static_cast<double>(o.commits));
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.0fk", list.empty() ? "" : ", ", o.rate() / 1000);
      list += buf;
    }
    std::printf("| %s | %.0f | %s | %.2f | %.1f | %.0f | %.0f | %s |\n", name.c_str(),
                median(rates), list.c_str(), median(cpus), median(rss), median(outs),
                median(commits), counts_ok ? "ok" : "WRONG");
  }
  if (runs.count("raw") && runs.count("kstreams")) {
    std::vector<double> ratios;
    std::string list;
    for (std::size_t i = 0; i < std::min(runs["raw"].size(), runs["kstreams"].size()); ++i) {
      ratios.push_back(runs["kstreams"][i].rate() / runs["raw"][i].rate());
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.2f", list.empty() ? "" : ", ", ratios.back());
      list += buf;
    }
    std::printf("\nkstreams / raw per round: %s; min %.2f, median %.2f\n", list.c_str(),
                *std::min_element(ratios.begin(), ratios.end()), median(ratios));
  }
  std::printf(
      "\nrecords/s: %lld pre-loaded records, first record consumed -> the group's committed "
      "offsets cover the whole input (every count durable in the output); group join excluded. "
      "raw: counts in an std::unordered_map, no RocksDB, no changelog; emits each updated key once "
      "per commit. CPU and peak RSS: the contender's own process (broker excluded).\n",
      static_cast<long long>(opt.records));
  std::fflush(stdout);
  if (!counts_ok) die("a contender's counts do not match its input (see above)");
  return 0;
}

int run_parent(Options opt, const std::string& command_line) {
  std::vector<std::string> topics = kOutputTopics;
  topics.insert(topics.begin(), std::string(address_router::kInputTopic));
  const std::unique_ptr<kstreams::kafka::EmbeddedCluster> cluster = prepare_cluster(opt, topics);

  std::printf(
      "kstreams-e2e-bench: %s cluster at %s; %lld input records (%.0f%% invalid), "
      "%d partitions, commit every %lld ms\n",
      opt.embedded ? "embedded (librdkafka mock, in the parent process)" : "external",
      opt.bootstrap_servers.c_str(), static_cast<long long>(opt.records), opt.invalid_share * 100,
      opt.partitions, static_cast<long long>(opt.commit_interval_ms));
  std::fflush(stdout);
  const auto load_start = Clock::now();
  auto produced =
      address_router::produce_sample_input({{"bootstrap.servers", opt.bootstrap_servers}},
                                           {.topic = std::string(address_router::kInputTopic),
                                            .count = opt.records,
                                            .seed = opt.seed,
                                            .invalid_share = opt.invalid_share});
  if (!produced.ok()) die("pre-load: " + produced.status().to_string());
  const std::int64_t loaded =
      input_record_count(opt.bootstrap_servers, opt.partitions, opt.embedded);
  if (loaded != opt.records) {
    die("pre-loaded " + std::to_string(loaded) + " of " + std::to_string(opt.records) + " records");
  }
  std::printf("pre-loaded %lld records in %.1f s\n", static_cast<long long>(loaded),
              seconds_between(load_start, Clock::now()));
  std::fflush(stdout);

  auto child_args = [&](const std::string& name, int run, std::int64_t expected, bool latest) {
    std::vector<std::string> args = {
        "kstreams-e2e-bench",
        "--mode=" + name,
        "--bootstrap-servers=" + opt.bootstrap_servers,
        "--group=e2e-bench-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(run),
        "--expected=" + std::to_string(expected),
        "--commit-interval-ms=" + std::to_string(opt.commit_interval_ms),
        "--max-poll-records=" + std::to_string(opt.max_poll_records),
        "--partitions=" + std::to_string(opt.partitions),
        std::string("--embedded-tuning=") + (opt.embedded ? "1" : "0")};
    if (latest) args.emplace_back("--from-latest");
    if (opt.raw_sync_commit) args.emplace_back("--raw-sync-commit");
    if (opt.raw_reserialize) args.emplace_back("--raw-reserialize");
    if (opt.raw_headers) args.emplace_back("--raw-headers");
    for (const auto& kv : opt.kstreams_properties) args.push_back("--kstreams-property=" + kv);
    args.push_back("--kstreams-buffered-records=" + std::to_string(opt.kstreams_buffered_records));
    args.push_back("--kstreams-poll-ms=" + std::to_string(opt.kstreams_poll_ms));
    return args;
  };
  auto check_exit = [](Child& child, const std::string& name) {
    if (int status = child.wait(); !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      die(name + " exited with status " + std::to_string(status));
    }
  };

  // Phase 1, throughput: --repeat rounds, contenders interleaved, each child a fresh group
  // reading the whole pre-loaded input.
  std::map<std::string, std::vector<Outcome>> runs;
  int run = 0;
  for (int r = 0; r < opt.repeat; ++r) {
    for (const std::string& name : opt.contenders) {
      Outcome o;
      o.name = name;
      const std::int64_t outputs_before = output_record_count(opt.bootstrap_servers);
      Child child(child_args(name, ++run, opt.records, false), opt.verbose);
      auto drained = child.expect("DRAINED", std::chrono::seconds(600));
      o.records = std::stoll(drained["records"]);
      o.seconds = std::stod(drained["seconds"]);
      o.cpu = std::stod(drained["cpu"]);
      o.commits = std::stoll(drained["commits"]);
      child.stop();
      auto done = child.expect("DONE", std::chrono::seconds(120));
      o.rss_kb = std::stol(done["rss_kb"]);
      check_exit(child, name);
      o.outputs_expected = opt.records;
      o.outputs_seen = output_record_count(opt.bootstrap_servers) - outputs_before;
      std::printf(
          "round %d %-8s %lld records in %.3f s = %.0f records/s, cpu %.2f s, %lld "
          "commits, peak RSS %.1f MiB, outputs %lld/%lld\n",
          r + 1, name.c_str(), static_cast<long long>(o.records), o.seconds, o.rate(), o.cpu,
          static_cast<long long>(o.commits), static_cast<double>(o.rss_kb) / 1024,
          static_cast<long long>(o.outputs_seen), static_cast<long long>(o.outputs_expected));
      std::fflush(stdout);
      runs[name].push_back(o);
    }
  }

  // Phase 2, latency: per contender a child that starts at the end of the input
  // (auto.offset.reset=latest, fresh group), then fresh records at a steady rate.
  std::map<std::string, Latency> latencies;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> latency_outputs;
  std::uint64_t latency_seed = opt.seed + 1000;
  if (opt.latency_records > 0) {
    for (const std::string& name : opt.contenders) {
      const std::int64_t outputs_before = output_record_count(opt.bootstrap_servers);
      Child child(child_args(name, ++run, 0, true), opt.verbose);
      child.expect("READY", std::chrono::seconds(120));
      Latency l = measure_latency(opt, latency_seed++);
      child.stop();
      child.expect("DONE", std::chrono::seconds(120));
      check_exit(child, name);
      latency_outputs[name] = {output_record_count(opt.bootstrap_servers) - outputs_before,
                               l.sent + l.warmup};
      std::printf(
          "latency %-8s p50 %.1f ms, p99 %.1f ms, max %.1f ms (%lld of %lld records "
          "seen)\n",
          name.c_str(), l.p50, l.p99, l.max, static_cast<long long>(l.received),
          static_cast<long long>(l.sent));
      std::fflush(stdout);
      latencies[name] = l;
    }
  }

  struct Summary {
    double rate = NAN;
    double cpu_per_m = NAN;
    double rss_mib = NAN;
    std::string rates;
    bool outputs_ok = true;
  };
  std::map<std::string, Summary> summary;
  for (const auto& [name, list] : runs) {
    std::vector<double> rates;
    std::vector<double> cpus;
    std::vector<double> rss;
    Summary sm;
    for (const auto& o : list) {
      rates.push_back(o.rate());
      cpus.push_back(o.cpu / static_cast<double>(o.records) * 1e6);
      rss.push_back(static_cast<double>(o.rss_kb) / 1024);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.0fk", sm.rates.empty() ? "" : ", ", o.rate() / 1000);
      sm.rates += buf;
      sm.outputs_ok = sm.outputs_ok && o.outputs_seen == o.outputs_expected;
    }
    sm.rate = median(rates);
    sm.cpu_per_m = median(cpus);
    sm.rss_mib = median(rss);
    summary[name] = sm;
  }
  for (const auto& [name, counts] : latency_outputs) {
    summary[name].outputs_ok = summary[name].outputs_ok && counts.first == counts.second;
  }
  const double raw_rate = summary.count("raw") ? summary["raw"].rate : NAN;

  std::printf("\n%s\n\n", command_line.c_str());
  std::printf(
      "| contender | records/s (median of %d) | runs | vs raw | p50 ms | p99 ms | "
      "CPU s / 1M records | peak RSS MiB | outputs |\n",
      opt.repeat);
  std::printf("|---|---:|---|---:|---:|---:|---:|---:|---|\n");
  bool outputs_ok = true;
  for (const std::string& name : opt.contenders) {
    const Summary& sm = summary[name];
    const Latency l = latencies.count(name) ? latencies[name] : Latency{};
    outputs_ok = outputs_ok && sm.outputs_ok;
    std::printf("| %s | %.0f | %s | %.2f | %.1f | %.1f | %.2f | %.1f | %s |\n", name.c_str(),
                sm.rate, sm.rates.c_str(), sm.rate / raw_rate, l.p50, l.p99, sm.cpu_per_m,
                sm.rss_mib, sm.outputs_ok ? "ok" : "MISMATCH");
  }
  std::printf(
      "\nrecords/s: %lld pre-loaded records, first record consumed -> the group's committed "
      "offsets cover the whole input, group join excluded; median over rounds. Latency: produce "
      "timestamp of "
      "%lld fresh records at %.0f/s -> arrival at a consumer of the output topics. CPU "
      "and peak RSS: the contender's own process (broker excluded), median over "
      "rounds.\n",
      static_cast<long long>(opt.records), static_cast<long long>(opt.latency_records),
      opt.latency_rate);
  std::fflush(stdout);
  if (!outputs_ok) die("an output count does not match its input (see above)");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App cli{
      "kstreams-e2e-bench: the address router on KafkaStreams against the best hand-written raw "
      "librdkafka consume -> parse -> route -> produce -> commit loop, in one run on one cluster. "
      "Pre-loads the input topic, runs each contender in a child process with a fresh consumer "
      "group, and prints records/s, the ratio to the raw loop, p50/p99 end-to-end latency, CPU "
      "seconds per million records and peak RSS."};
  cli.add_option("--bootstrap-servers", opt.bootstrap_servers,
                 "A running Kafka cluster (its topics addresses* are deleted and re-created). "
                 "Default: an embedded cluster (librdkafka mock) in this process");
  cli.add_option("--records,-n", opt.records,
                 "Input records to pre-load (default: router 150000 on the embedded cluster and "
                 "1000000 with --bootstrap-servers, count 600000). The mock keeps ~5 MiB per "
                 "partition: stay under ~40k address records or ~150k count records per partition")
      ->check(CLI::PositiveNumber);
  cli.add_option("--partitions", opt.partitions, "Partitions of the input and output topics")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--invalid-share", opt.invalid_share,
                 "Share of invalid input records (half of them undecodable -> dead letters)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--seed", opt.seed, "Generator seed")->capture_default_str();
  cli.add_option("--latency-records", opt.latency_records,
                 "Records produced at --latency-rate after the backlog to measure latency "
                 "(0: skip)")
      ->capture_default_str();
  cli.add_option("--latency-rate", opt.latency_rate, "records/s of the latency phase")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--commit-interval-ms", opt.commit_interval_ms,
                 "commit.interval.ms of both contenders")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--max-poll-records", opt.max_poll_records,
                 "max.poll.records of kstreams, and the raw loop's batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--contenders", opt.contenders, "Which to run, in this order: raw, kstreams")
      ->delimiter(',')
      ->check(CLI::IsMember({"raw", "kstreams"}))
      ->capture_default_str();
  cli.add_flag("--raw-sync-commit", opt.raw_sync_commit,
               "Raw loop commits synchronously as kstreams does (default: async after flush)");
  cli.add_flag("--raw-reserialize", opt.raw_reserialize,
               "Raw loop re-serializes the Address it parsed as kstreams does (default: forwards "
               "the input bytes)");
  cli.add_flag("--raw-headers", opt.raw_headers,
               "Raw loop reads each record's headers and passes them on (dead letters included) "
               "as kstreams does (default: reads none)");
  cli.add_option("--kstreams-property", opt.kstreams_properties,
                 "Extra librdkafka property for the kstreams contender's clients, key=value "
                 "(\"consumer.\"/\"producer.\" prefixes as in StreamsConfig); repeatable");
  cli.add_option("--repeat", opt.repeat,
                 "Throughput rounds (contenders interleaved); the table shows the median")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--kstreams-buffered-records", opt.kstreams_buffered_records,
                 "buffered.records.per.partition of the kstreams contender (0: kstreams' default)")
      ->capture_default_str();
  cli.add_option("--kstreams-poll-ms", opt.kstreams_poll_ms,
                 "poll.ms of the kstreams contender (-1: kstreams' default)")
      ->capture_default_str();
  cli.add_option("--workload", opt.workload,
                 "router: the address router (latency phase included). count: count by key, "
                 "kstreams group_by_key().count() (RocksDB, changelog, record cache) vs a raw loop "
                 "counting in an std::unordered_map; throughput only, every count checked")
      ->check(CLI::IsMember({"router", "count"}))
      ->capture_default_str();
  cli.add_option("--keys", opt.keys, "count: distinct keys of the input")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--cache-bytes", opt.cache_bytes,
                 "count: statestore.cache.max.bytes of kstreams (-1: its default, 10 MiB; 0: no "
                 "record cache)")
      ->capture_default_str();
  cli.add_flag("--verbose,-v", opt.verbose, "Show the contenders' logs (stderr)");
  int embedded_tuning = 1;
  cli.add_option("--mode", opt.mode, "internal: run one contender (raw|kstreams)")->group("");
  cli.add_option("--group", opt.group, "internal: consumer group")->group("");
  cli.add_option("--output-topic", opt.output_topic, "internal: count output topic")->group("");
  cli.add_option("--expected", opt.expected, "internal: records to process")->group("");
  cli.add_flag("--from-latest", opt.from_latest, "internal: latency mode")->group("");
  cli.add_option("--embedded-tuning", embedded_tuning, "internal")->group("");
  CLI11_PARSE(cli, argc, argv);
  opt.embedded = embedded_tuning != 0;
  if (opt.records == 0) {
    // On a real broker a longer window: at ~0.5-0.8 M records/s, 150 000 records take 0.2-0.3 s,
    // and when the last commit lands (commit.interval.ms 100) moves the result by a third.
    const bool real_broker = opt.mode.empty() && !opt.bootstrap_servers.empty();
    opt.records = opt.workload == "count" ? 600'000 : real_broker ? 1'000'000 : 150'000;
  }

  std::signal(SIGPIPE, SIG_IGN);
  if (!opt.mode.empty() && opt.workload == "count") {
    if (opt.mode == "raw") return run_raw_count(opt);
    if (opt.mode == "kstreams") return run_kstreams_count(opt);
    die("unknown --mode " + opt.mode);
  }
  if (!opt.mode.empty()) {
    if (opt.mode == "raw") return run_raw(opt);
    if (opt.mode == "kstreams") return run_kstreams(opt);
    die("unknown --mode " + opt.mode);
  }
  if (std::getenv("KSTREAMS_LOG_LEVEL") == nullptr) setenv("KSTREAMS_LOG_LEVEL", "warn", 1);
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  if (opt.workload == "count") return run_parent_count(opt, command_line);
  return run_parent(opt, command_line);
}
