// conformance-runner: runs scenario files through kstreams' TopologyTestDriver and writes what
// came out, in the format of tests/conformance/README.md (conformance.py compares it with Kafka
// Streams' output for the same scenarios).
//
//   conformance-runner SCENARIO_DIR OUTPUT_DIR
//
// Each topology here has a twin with the same name in reference/src/Reference.java; keep the two
// in step (same predicates over the same bytes). Keys and values are std::optional<std::string>:
// Java's String serde reads a Kafka null as null, and std::optional is its kstreams spelling.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "examples/address_router/address_router.h"

namespace kstreams::conformance {
namespace {

using S = std::optional<std::string>;
using L = std::optional<std::int64_t>;
using KV = KeyValue<S, S>;

constexpr std::int64_t kInitialWallClockMs = 1'700'000'000'000;

/// What peek/foreach saw, drained after each step as the pseudo-topics "peek", "foreach", ...
std::vector<std::tuple<std::string, S, S>> side_effects;

bool starts_with(const S& s, std::string_view prefix) { return s && s->starts_with(prefix); }

/// Dumps a store's final contents as `store` lines (sorted by key bytes), for the scenario's
/// `store NAME` lines; registered by the stateful topologies.
using StoreDumper = std::function<std::vector<std::string>(testing::TopologyTestDriver&)>;
std::map<std::string, StoreDumper> store_dumpers;

std::string encode_bytes(const S& b);

template <class K, class V>
void dumpable_store(const std::string& name) {
  store_dumpers[name] = [name](testing::TopologyTestDriver& driver) {
    Serde<K> key_serde = default_serde<K>();
    Serde<V> value_serde = default_serde<V>();
    std::vector<std::string> lines;
    for (const auto& kv : driver.get_key_value_store<K, V>(name).all().to_vector()) {
      NullableBytes k;
      NullableBytes v;
      if (!key_serde.serialize(kv.key, k).ok() || !value_serde.serialize(kv.value, v).ok()) {
        throw std::runtime_error("store " + name + ": cannot serialize an entry");
      }
      auto str = [](const NullableBytes& b) {
        return b ? S(std::string(b->begin(), b->end())) : S();
      };
      lines.push_back("store\t" + name + "\t" + encode_bytes(str(k)) + "\t" + encode_bytes(str(v)) +
                      "\n");
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
}

/// KTable<K, S>::to_stream() gives std::optional<S>: a delete (outer) or a value (never null).
S flat(const std::optional<S>& v) { return v ? *v : S(); }
std::string group_of(const std::string& v) { return "g" + std::to_string(v.size() % 3); }

struct Built {
  Topology topology;
  StreamsConfig config;
};

/// Adds a header naming the value, drops "h1", and moves the record 1 ms later.
class HeaderStamper final : public Processor<S, S, S, S> {
 public:
  void init(ProcessorContext<S, S>& context) override { ctx_ = &context; }
  void process(Record<S, S> record) override {
    record.headers.remove("h1");
    record.headers.add("seen", record.value);
    record.timestamp += 1;
    ctx_->forward(std::move(record));
  }

 private:
  ProcessorContext<S, S>* ctx_ = nullptr;
};

/// Writes where the record came from and the task's clocks into headers.
class MetadataStamper final : public Processor<S, S, S, S> {
 public:
  void init(ProcessorContext<S, S>& context) override { ctx_ = &context; }
  void process(Record<S, S> record) override {
    const RecordMetadata* m = ctx_->record_metadata();
    if (m == nullptr) throw std::logic_error("no record metadata while processing a record");
    record.headers.add("md.topic", m->topic);
    record.headers.add("md.partition", std::to_string(m->partition));
    record.headers.add("md.offset", std::to_string(m->offset));
    record.headers.add("md.stream-time", std::to_string(ctx_->current_stream_time_ms()));
    record.headers.add("md.system-time", std::to_string(ctx_->current_system_time_ms()));
    ctx_->forward(std::move(record));
  }

 private:
  ProcessorContext<S, S>* ctx_ = nullptr;
};

/// Forwards records, and a record per stream-time (5 s) and wall-clock (1 s) punctuation.
class Punctuating final : public Processor<S, S, S, S> {
 public:
  void init(ProcessorContext<S, S>& context) override {
    ctx_ = &context;
    ctx_->schedule(std::chrono::seconds(1), PunctuationType::kWallClockTime,
                   [this](std::int64_t t) {
                     ctx_->forward(Record<S, S>{S("wall"), S(std::to_string(t)), t, {}});
                   });
    ctx_->schedule(std::chrono::seconds(5), PunctuationType::kStreamTime, [this](std::int64_t t) {
      ctx_->forward(Record<S, S>{S("stream"), S(std::to_string(t)), t, {}});
    });
  }
  void process(Record<S, S> record) override { ctx_->forward(std::move(record)); }

 private:
  ProcessorContext<S, S>* ctx_ = nullptr;
};

std::map<std::string, std::function<void(StreamsBuilder&, StreamsConfig&)>> topologies() {
  std::map<std::string, std::function<void(StreamsBuilder&, StreamsConfig&)>> t;
  t["address-router"] = [](StreamsBuilder& b, StreamsConfig& c) {
    address_router::build(b);
    address_router::configure(c);
    // The suite compares bytes with Kafka Streams, which serializes every output; the router's
    // forwarding of its input bytes (same messages, the producer's encoding) is checked by
    // SourceBytesTest and the router's own tests.
    c.sink_forwards_source_bytes = false;
  };
  t["filter"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.filter([](const S&, const S& v) { return v && v->size() % 2 == 0; }).to("even");
    in.filter_not([](const S& k, const S&) { return !k || starts_with(k, "k1"); }).to("not-k1");
  };
  t["map-values"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.map_values([](const S& v) { return v ? S(*v + "!") : S(); }).to("bang");
    in.map_values([](const S& k, const S& v) {
        return S(k.value_or("~") + "=" + v.value_or("~"));
      }).to("kv");
  };
  t["map"] = [](StreamsBuilder& b, StreamsConfig&) {
    b.stream<S, S>("in").map([](const S& k, const S& v) { return KV{v, k}; }).to("swapped");
  };
  t["select-key"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.select_key([](const S&, const S& v) { return v; }).to("by-value");
    in.select_key([](const S& k, const S&) { return k ? S() : S("none"); }).to("flipped");
  };
  t["flat-map"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.flat_map([](const S& k, const S& v) {
        std::vector<KV> out;
        if (!v) return out;
        for (std::size_t i = 0; i < v->size() % 3; ++i) {
          out.push_back(KV{k.value_or("") + "-" + std::to_string(i), v});
        }
        return out;
      }).to("fm");
    in.flat_map_values([](const S& v) {
        return v ? std::vector<S>{v, *v + *v} : std::vector<S>{S()};
      }).to("fmv");
  };
  t["merge"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto a = b.stream<S, S>("in-a").map_values([](const S& v) { return v ? S("a:" + *v) : S(); });
    auto c = b.stream<S, S>("in-b").filter([](const S& k, const S&) { return k.has_value(); });
    a.merge(c).to("merged");
    c.merge(a, "merge-again")
        .map_values([](const S& v) { return S(v.value_or("~")); })
        .to("merged2");
  };
  t["peek"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.peek([](const S& k, const S& v) { side_effects.emplace_back("peek", k, v); })
        .filter([](const S&, const S& v) { return v.has_value(); })
        .peek([](const S& k, const S& v) { side_effects.emplace_back("peek2", k, v); })
        .to("out");
    in.foreach ([](const S& k, const S& v) { side_effects.emplace_back("foreach", k, v); });
  };
  t["split"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    auto [null, k1, even, rest] =
        in.split("s-")
            .branch([](const S&, const S& v) { return !v; }, "null")
            .branch([](const S& k, const S&) { return starts_with(k, "k1"); }, "k1")
            // Kafka Streams calls this with a null value never (the first branch took those).
            .branch([](const S&, const S& v) { return v->size() % 2 == 0; }, "even")
            .default_branch("rest");
    null.to("split-null");
    k1.to("split-k1");
    even.to("split-even");
    rest.to("split-rest");
    auto [nokey, empty] = in.split("t-")
                              .branch([](const S& k, const S&) { return !k; }, "nokey")
                              .branch([](const S&, const S& v) { return v && v->empty(); }, "empty")
                              .no_default_branch();
    nokey.to("split-nokey");
    empty.to("split-empty");
  };
  t["headers"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.process([] { return std::make_unique<HeaderStamper>(); }).to("stamped");
    in.to("plain");
  };
  t["long-values"] = [](StreamsBuilder& b, StreamsConfig& c) {
    b.stream<S, L>("in")
        .map_values([](const L& v) {
          // Java's long arithmetic wraps; do it in unsigned to get the same bits without UB.
          return v ? L(static_cast<std::int64_t>(static_cast<std::uint64_t>(*v) * 31U + 7U)) : L();
        })
        .filter([](const S&, const L& v) { return !v || *v % 3 != 0; })
        .to("out");
    c.default_deserialization_exception_handler = error_handlers::log_and_continue();
  };
  t["to-extractor"] = [](StreamsBuilder& b, StreamsConfig&) {
    b.stream<S, S>("in").to([](const S&, const S& v) {
      return v ? "dyn-" + std::to_string(v->size() % 3) : std::string("dyn-null");
    });
  };
  t["feedback"] = [](StreamsBuilder& b, StreamsConfig&) {
    b.stream<S, S>("in").map_values([](const S& v) { return v ? S(*v + "+") : S(); }).to("mid");
    b.stream<S, S>("mid").filter([](const S& k, const S&) { return k.has_value(); }).to("out");
  };
  t["metadata"] = [](StreamsBuilder& b, StreamsConfig&) {
    b.stream<S, S>("in").process([] { return std::make_unique<MetadataStamper>(); }).to("mid");
    b.stream<S, S>("mid").process([] { return std::make_unique<MetadataStamper>(); }).to("out");
  };
  t["punctuate"] = [](StreamsBuilder& b, StreamsConfig&) {
    b.stream<S, S>("in").process([] { return std::make_unique<Punctuating>(); }).to("out");
  };
  // ---------------------------------------------------------------- stateful ----
  // Keys are std::string (not S) where Kafka Streams drops null-key records: a C++ key cannot be
  // null, kstreams refuses them at deserialization (log_and_continue here); deviation D5.
  t["stream-count"] = [](StreamsBuilder& b, StreamsConfig& c) {
    auto g = b.stream<std::string, S>("in").group_by_key();
    g.count(Materialized<std::string, std::int64_t>::as("counts")).to_stream().to("counts");
    g.reduce([](const S& agg, const S& v) { return S(agg.value_or("~") + "|" + v.value_or("~")); },
             Materialized<std::string, S>::as("reduced").with_caching_disabled())
        .to_stream()
        .map_values(flat)
        .to("reduced");
    g.aggregate([] { return std::int64_t{0}; },
                [](const std::string&, const S& v, std::int64_t agg) {
                  return static_cast<std::int64_t>(static_cast<std::uint64_t>(agg) * 31U +
                                                   (v ? v->size() : 1000U));
                },
                Materialized<std::string, std::int64_t>::as("lengths"))
        .to_stream()
        .to("lengths");
    dumpable_store<std::string, std::int64_t>("counts");
    dumpable_store<std::string, S>("reduced");
    dumpable_store<std::string, std::int64_t>("lengths");
    c.default_deserialization_exception_handler = error_handlers::log_and_continue();
  };
  t["stream-group-by"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto in = b.stream<S, S>("in");
    in.group_by([](const S&, const S& v) { return v ? group_of(*v) : std::string("nullv"); })
        .count(Materialized<std::string, std::int64_t>::as("by-len"))
        .to_stream()
        .to("counts");
    in.group_by([](const S& k, const S& v) {
        return k.value_or("~").substr(0, 2) + "/" + (v ? std::to_string(v->size() % 2) : "n");
      })
        .aggregate([] { return std::string(); },
                   [](const std::string&, const S& v, std::string agg) {
                     return agg + "," + v.value_or("~");
                   },
                   Materialized<std::string, std::string>::as("by-prefix").with_caching_disabled())
        .to_stream()
        .to("aggs");
    in.select_key([](const S& k, const S&) { return k.value_or("~") + "#"; })
        .group_by_key()
        .reduce([](const S& agg, const S& v) { return S(agg.value_or("~") + v.value_or("~")); },
                Materialized<std::string, S>::as("rekeyed"))
        .to_stream()
        .map_values(flat)
        .to("rekeyed");
    dumpable_store<std::string, std::int64_t>("by-len");
    dumpable_store<std::string, std::string>("by-prefix");
    dumpable_store<std::string, S>("rekeyed");
  };
  auto table = [](bool caching) {
    return [caching](StreamsBuilder& b, StreamsConfig& c) {
      auto m = Materialized<std::string, std::string>::as("table");
      if (!caching) m = std::move(m).with_caching_disabled();
      auto tbl = b.table<std::string, std::string>("in", std::move(m));
      tbl.to_stream().to("all");
      tbl.filter([](const std::string&, const std::string& v) { return v.size() % 2 == 0; })
          .to_stream()
          .to("even");
      tbl.filter_not([](const std::string& k, const std::string&) { return k.starts_with("k1"); })
          .to_stream()
          .to("not-k1");
      tbl.map_values([](const std::string& v) { return v + "!"; })
          .filter([](const std::string& k, const std::string& v) { return k.size() != v.size(); })
          .to_stream()
          .to("bang");
      dumpable_store<std::string, std::string>("table");
      c.default_deserialization_exception_handler = error_handlers::log_and_continue();
    };
  };
  t["table"] = table(true);
  t["table-nocache"] = table(false);
  t["table-group-by"] = [](StreamsBuilder& b, StreamsConfig& c) {
    auto rows =
        b.table<std::string, std::string>("in", Materialized<std::string, std::string>::as("rows"));
    rows.group_by([](const std::string&, const std::string& v) {
          return KeyValue<std::string, std::string>{group_of(v), v};
        })
        .count(Materialized<std::string, std::int64_t>::as("group-counts"))
        .to_stream()
        .to("counts");
    rows.group_by([](const std::string& k, const std::string& v) {
          return KeyValue<std::string, std::int64_t>{k.substr(0, 2),
                                                     static_cast<std::int64_t>(v.size())};
        })
        .reduce([](std::int64_t agg, std::int64_t v) { return agg + v; },
                [](std::int64_t agg, std::int64_t v) { return agg - v; },
                Materialized<std::string, std::int64_t>::as("group-sums").with_caching_disabled())
        .to_stream()
        .to("sums");
    rows.group_by([](const std::string& k, const std::string& v) {
          return KeyValue<std::string, std::string>{group_of(k + v), k};
        })
        .aggregate(
            [] { return std::string(); },
            [](const std::string&, const std::string& v, std::string agg) { return agg + "+" + v; },
            [](const std::string&, const std::string& v, std::string agg) { return agg + "-" + v; },
            Materialized<std::string, std::string>::as("group-aggs"))
        .to_stream()
        .to("aggs");
    // Old values through a filter and map_values: a row leaving the filter is a retraction.
    rows.filter([](const std::string&, const std::string& v) { return v.size() % 2 == 0; })
        .map_values([](const std::string& v) { return v + "!"; })
        .group_by([](const std::string& k, const std::string& v) {
          return KeyValue<std::string, std::string>{group_of(k), v};
        })
        .count(Materialized<std::string, std::int64_t>::as("filtered-counts"))
        .to_stream()
        .to("filtered-counts");
    dumpable_store<std::string, std::string>("rows");
    dumpable_store<std::string, std::int64_t>("filtered-counts");
    dumpable_store<std::string, std::int64_t>("group-counts");
    dumpable_store<std::string, std::int64_t>("group-sums");
    dumpable_store<std::string, std::string>("group-aggs");
    c.default_deserialization_exception_handler = error_handlers::log_and_continue();
  };
  t["to-table"] = [](StreamsBuilder& b, StreamsConfig& c) {
    auto in = b.stream<std::string, S>("in");
    in.to_table(Materialized<std::string, S>::as("latest"))
        .to_stream()
        .map_values(flat)
        .to("latest");
    in.select_key([](const std::string& k, const S& v) {
        return k.substr(0, 2) + ":" + (v ? std::to_string(v->size() % 3) : std::string("n"));
      })
        .to_table(Materialized<std::string, S>::as("rekeyed").with_caching_disabled())
        .to_stream()
        .map_values(flat)
        .to("rekeyed");
    dumpable_store<std::string, S>("latest");
    dumpable_store<std::string, S>("rekeyed");
    c.default_deserialization_exception_handler = error_handlers::log_and_continue();
  };
  t["stream-table-join"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto customers =
        b.table<S, std::string>("table-in", Materialized<S, std::string>::as("joined-table"));
    auto in = b.stream<S, S>("in");
    in.join(customers, [](const S& v, const std::string& row) {
        return S(*v + "|" + row);
      }).to("joined");
    in.left_join(customers, [](const S& k, const S& v, const std::optional<std::string>& row) {
        return S(k.value_or("~") + ":" + *v + "|" + row.value_or("-"));
      }).to("left-joined");
    // A new key, unnamed: the repartition topic is named after the select_key node.
    in.select_key([](const S& k, const S&) { return S(k ? k->substr(0, 2) : std::string("k1")); })
        .left_join(customers,
                   [](const S& v, const std::optional<std::string>& row) {
                     return S(*v + "~" + row.value_or("-"));
                   })
        .to("prefix-joined");
    // A new key: the stream goes through the repartition topic "rekeyed-join-repartition" first.
    in.select_key([](const S& v) { return S("k" + std::to_string(v ? v->size() % 4 : 0)); })
        .join(
            customers, [](const S& v, const std::string& row) { return S(row + "/" + *v); },
            Named("rekeyed-join"))
        .to("rekeyed-joined");
    dumpable_store<S, std::string>("joined-table");
  };
  t["stream-globaltable-join"] = [](StreamsBuilder& b, StreamsConfig&) {
    auto rows = b.global_table<S, std::string>("global-in",
                                               Materialized<S, std::string>::as("global-rows"));
    auto in = b.stream<S, S>("in");
    // The row picked by a prefix of the record's key, else of its value; keys "k1..." map to a
    // null row key (dropped, also by the left join), as does a null key with a null value.
    auto prefix_key = [](const S& k, const S& v) {
      if (!k) return v ? S(v->substr(0, 2)) : S();
      return k->starts_with("k1") ? S() : S(k->substr(0, 2));
    };
    in.join(rows, prefix_key, [](const S& v, const std::string& row) {
        return S(*v + "|" + row);
      }).to("joined");
    in.left_join(rows, prefix_key,
                 [](const S& k, const S& v, const std::optional<std::string>& row) {
                   return S(k.value_or("~") + ":" + *v + "|" + row.value_or("-"));
                 })
        .to("left-joined");
    dumpable_store<S, std::string>("global-rows");
  };
  return t;
}

// ------------------------------------------------------------------ scenario I/O ----
std::vector<std::string> split_tabs(const std::string& line, char sep = '\t') {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    auto pos = line.find(sep, start);
    out.push_back(line.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

S decode_bytes(const std::string& s) {
  if (s == "null") return std::nullopt;
  if (s.empty() || s[0] != 'x') throw std::runtime_error("bad bytes field: " + s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string encode_bytes(const S& b) {
  if (!b) return "null";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "x";
  for (unsigned char c : *b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Headers decode_headers(const std::string& s) {
  Headers h;
  if (s == "-") return h;
  for (const std::string& one : split_tabs(s, ';')) {
    auto eq = one.find('=');
    h.add(*decode_bytes(one.substr(0, eq)), decode_bytes(one.substr(eq + 1)));
  }
  return h;
}

std::string encode_headers(const Headers& headers) {
  std::string out;
  for (const Header& h : headers) {
    if (!out.empty()) out += ";";
    out += encode_bytes(h.key) + "=" + encode_bytes(h.value);
  }
  return out.empty() ? "-" : out;
}

Serde<S> raw() { return OptionalSerde<std::string>(Serde<std::string>(StringSerde{})); }

void run_scenario(const std::filesystem::path& scenario, const std::filesystem::path& out_dir) {
  std::ifstream in(scenario);
  std::vector<std::vector<std::string>> lines;
  std::string line;
  std::string topology_name;
  std::ostringstream out;
  out << "kstreams-conformance-output\t1\n";
  while (std::getline(in, line)) {
    lines.push_back(split_tabs(line));
    if (lines.back()[0] == "topology") topology_name = lines.back()[1];
    if (lines.back()[0] == "topology" || lines.back()[0] == "seed") out << line << "\n";
  }
  static const auto kTopologies = topologies();
  auto it = kTopologies.find(topology_name);
  if (it == kTopologies.end()) throw std::runtime_error("unknown topology: " + topology_name);
  StreamsBuilder builder;
  StreamsConfig config;
  config.application_id = "conformance-" + topology_name;
  store_dumpers.clear();
  it->second(builder, config);  // also registers the topology's store dumpers
  Result<Topology> topology = builder.build();
  if (!topology.ok()) throw StreamsException(topology.status());
  side_effects.clear();

  testing::TopologyTestDriver driver(
      topology.value(), config,
      std::chrono::system_clock::time_point(std::chrono::milliseconds(kInitialWallClockMs)));
  int step = -1;
  for (const auto& f : lines) {
    if (f[0] == "pipe") {
      ++step;
      auto topic = driver.create_input_topic<S, S>(f[1], raw(), raw());
      try {
        topic.pipe_input(decode_bytes(f[3]), decode_bytes(f[4]), decode_headers(f[5]),
                         std::stoll(f[2]));
      } catch (const StreamsException& e) {
        out << "error\t" << step << "\tStreamsException\n";
      }
    } else if (f[0] == "advance") {
      ++step;
      driver.advance_wall_clock_time(std::chrono::milliseconds(std::stoll(f[1])));
    } else if (f[0] == "store") {
      auto dumper = store_dumpers.find(f[1]);
      if (dumper == store_dumpers.end()) throw std::runtime_error("no dumper for store " + f[1]);
      for (const std::string& l : dumper->second(driver)) out << l;
      continue;
    } else {
      continue;
    }
    for (const std::string& name : driver.produced_topic_names()) {
      auto topic = driver.create_output_topic<S, S>(name, raw(), raw());
      for (const auto& r : topic.read_records_to_list()) {
        out << "out\t" << step << "\t" << name << "\t" << r.timestamp.value_or(-1) << "\t"
            << encode_bytes(r.key) << "\t" << encode_bytes(r.value) << "\t"
            << encode_headers(r.headers) << "\n";
      }
    }
    for (const auto& [name, k, v] : side_effects) {
      out << "out\t" << step << "\t" << name << "\t0\t" << encode_bytes(k) << "\t"
          << encode_bytes(v) << "\t-\n";
    }
    side_effects.clear();
  }
  out << "end\n";
  std::string file = scenario.filename().string();
  file.replace(file.size() - 4, 4, ".out");
  std::ofstream(out_dir / file) << out.str();
}

}  // namespace
}  // namespace kstreams::conformance

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: conformance-runner SCENARIO_DIR OUTPUT_DIR\n";
    return 2;
  }
  std::filesystem::create_directories(argv[2]);
  std::vector<std::filesystem::path> scenarios;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".scn") scenarios.push_back(entry.path());
  }
  std::sort(scenarios.begin(), scenarios.end());
  for (const auto& p : scenarios) {
    try {
      kstreams::conformance::run_scenario(p, argv[2]);
    } catch (const std::exception& e) {
      // The output file stays without its "end" line: conformance.py reports it as incomplete.
      std::cerr << "conformance-runner: " << p.filename().string() << ": " << e.what() << "\n";
    }
  }
  std::cerr << "conformance-runner: ran " << scenarios.size() << " scenarios\n";
  return 0;
}
