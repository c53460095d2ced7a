// File: kstreams/kstream.h
//
// `KStream<K, V>`: a stream of records in a topology being built. Every operator returns a new
// handle; nothing runs until the built Topology is started (KafkaStreams) or driven
// (testing::TopologyTestDriver). Names and semantics follow Kafka Streams' KStream.
//
//   builder.stream<std::string, std::string>("words")
//       .filter([](const std::string& word) { return !word.empty(); })
//       .map_values([](const std::string& word) { return word.size(); }, "length")
//       .to("word-lengths");
//
// Functions may take `(value)` or `(key, value)`. Each task gets its own copy of every function
// (so a function must be copy-constructible, and state it captures by value is per task). A
// function that throws sends the record to the processing exception handler.
//
// A KStream is a cheap, copyable handle into its StreamsBuilder; it is valid as long as the
// builder lives. Not thread-safe (building is single-threaded).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>

#include <kstreams/branched.h>
#include <kstreams/consumed.h>
#include <kstreams/global_ktable.h>
#include <kstreams/grouped.h>
#include <kstreams/internal/callables.h>
#include <kstreams/internal/graph_builder.h>
#include <kstreams/internal/join_nodes.h>
#include <kstreams/internal/line_writer.h>
#include <kstreams/internal/stateful_nodes.h>
#include <kstreams/internal/stateless_nodes.h>
#include <kstreams/internal/store_registration.h>
#include <kstreams/internal/type_name.h>
#include <kstreams/materialized.h>
#include <kstreams/named.h>
#include <kstreams/printed.h>
#include <kstreams/processor.h>
#include <kstreams/produced.h>
#include <kstreams/record.h>
#include <kstreams/serdes.h>

namespace kstreams {

class StreamsBuilder;
template <class K, class V, std::size_t N>
class BranchedKStream;
template <class K, class V>
class KTable;
template <class K, class V>
class KGroupedStream;

namespace internal {
template <class F>
inline constexpr bool kCopyableFunction = std::is_copy_constructible_v<F>;

/// Print: formats "[label]: key, value" and writes the line.
template <class K, class V>
class PrintNode final : public Input<K, V> {
 public:
  PrintNode(std::string name, Printed<K, V> printed)
      : Input<K, V>(std::move(name)), printed_(std::move(printed)) {}
  void init(TaskContext& ctx) override {
    Node::init(ctx);
    Result<std::shared_ptr<LineWriter>> writer = LineWriter::open(printed_.path());
    if (!writer.ok()) throw ProcessingAbort(writer.status().with_context(this->name()));
    writer_ = std::move(writer).value();
    label_ = "[" + (printed_.label().empty() ? this->name() : printed_.label()) + "]: ";
  }
  void process(Record<K, V>&& record) override {
    auto line = guarded(this->ctx(), this->name(),
                        [&] { return label_ + printed_.mapper()(record.key, record.value); });
    if (line) writer_->write_line(*line);
  }

 private:
  Printed<K, V> printed_;
  std::shared_ptr<LineWriter> writer_;
  std::string label_;
};
}  // namespace internal

template <class K, class V>
class KStream {
 public:
  using KeyType = K;
  using ValueType = V;

  /// Keeps the records for which `predicate` holds.
  template <class F>
  requires RecordPredicate<F, K, V> KStream filter(F predicate, Named named = {})
  const {
    return add<internal::FilterNode<K, V, F, false>, K, V>("KSTREAM-FILTER-", named,
                                                           std::move(predicate));
  }

  /// Drops the records for which `predicate` holds.
  template <class F>
  requires RecordPredicate<F, K, V> KStream filter_not(F predicate, Named named = {})
  const {
    return add<internal::FilterNode<K, V, F, true>, K, V>("KSTREAM-FILTER-", named,
                                                          std::move(predicate));
  }

  /// Replaces each value: `V2 f(value)` or `V2 f(key, value)`.
  template <class F, class V2 = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires ValueMapper<F, K, V> KStream<K, V2> map_values(F mapper, Named named = {})
  const {
    return add<internal::MapValuesNode<K, V, V2, F>, K, V2>("KSTREAM-MAPVALUES-", named,
                                                            std::move(mapper));
  }

  /// Replaces key and value: `KeyValue<K2, V2> f(key, value)`.
  template <class F, class R = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires KeyValueMapper<F, K, V>
  auto map(F mapper, Named named = {}) const {
    using K2 = std::remove_cvref_t<typename internal::KeyValueTraits<R>::Key>;
    using V2 = std::remove_cvref_t<typename internal::KeyValueTraits<R>::Value>;
    return add<internal::MapNode<K, V, K2, V2, F>, K2, V2>("KSTREAM-MAP-", named, std::move(mapper))
        .key_changed();
  }

  /// Replaces the key: `K2 f(key, value)` (or `K2 f(value)`).
  template <class F, class K2 = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires ValueMapper<F, K, V> KStream<K2, V> select_key(F selector, Named named = {})
  const {
    return add<internal::SelectKeyNode<K, V, K2, F>, K2, V>("KSTREAM-KEY-SELECT-", named,
                                                            std::move(selector))
        .key_changed();
  }

  /// Zero or more values per record: `f(value)` or `f(key, value)` returns a range of V2.
  template <class F, class R = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires ValuesMapper<F, K, V>
  auto flat_map_values(F mapper, Named named = {}) const {
    using V2 = std::remove_cvref_t<std::ranges::range_value_t<R>>;
    return add<internal::FlatMapValuesNode<K, V, V2, F>, K, V2>("KSTREAM-FLATMAPVALUES-", named,
                                                                std::move(mapper));
  }

  /// Zero or more records per record: `f(key, value)` returns a range of KeyValue<K2, V2>.
  template <class F, class R = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires KeyValuesMapper<F, K, V>
  auto flat_map(F mapper, Named named = {}) const {
    using KV = std::remove_cvref_t<std::ranges::range_value_t<R>>;
    using K2 = std::remove_cvref_t<typename internal::KeyValueTraits<KV>::Key>;
    using V2 = std::remove_cvref_t<typename internal::KeyValueTraits<KV>::Value>;
    return add<internal::FlatMapNode<K, V, K2, V2, F>, K2, V2>("KSTREAM-FLATMAP-", named,
                                                               std::move(mapper))
        .key_changed();
  }

  /// Calls `action` on each record and forwards it unchanged.
  template <class F>
  requires RecordAction<F, K, V> KStream peek(F action, Named named = {})
  const {
    return add<internal::PeekNode<K, V, F>, K, V>("KSTREAM-PEEK-", named, std::move(action));
  }

  /// Calls `action` on each record (terminal).
  template <class F>
  requires RecordAction<F, K, V>
  void foreach (F action, Named named = {}) const {
    add<internal::PeekNode<K, V, F>, K, V>("KSTREAM-FOREACH-", named, std::move(action));
  }

  /// Splits the stream by predicates (see BranchedKStream).
  BranchedKStream<K, V, 0> split(Named named = {}) const;

  /// The records of this stream and `other`, interleaved as they arrive.
  KStream merge(const KStream& other, Named named = {}) const {
    if (other.graph_ != graph_) {
      graph_->record_error(topology_error("merge: the two streams belong to different builders"));
      return *this;
    }
    std::string name = graph_->name_or_generate(named, "KSTREAM-MERGE-");
    internal::NodeId id = graph_->add_processor(
        name, {node_, other.node_}, [](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::PassThroughNode<K, V>>(n);
        });
    KStream merged(graph_, id);
    merged.repartition_required_ = repartition_required_ || other.repartition_required_;
    return merged;
  }

  /// Groups the records by their key, for count / reduce / aggregate. Goes through a
  /// repartition topic when an operator upstream may have changed the key.
  KGroupedStream<K, V> group_by_key(Grouped<K, V> grouped = {}) const {
    return KGroupedStream<K, V>(graph_, node_, repartition_required_, std::move(grouped));
  }
  /// Groups the records by a new key, `K2 selector(key, value)` (or `selector(value)`), through
  /// a repartition topic.
  template <class F, class K2 = std::remove_cvref_t<internal::record_result_t<F, K, V>>>
  requires ValueMapper<F, K, V> KGroupedStream<K2, V> group_by(F selector,
                                                               Grouped<K2, V> grouped = {})
  const { return select_key(std::move(selector)).group_by_key(std::move(grouped)); }

  /// Writes the records to the repartition topic `<application.id>-<name>-repartition` and
  /// reads them back (partitioned by key, murmur2 as Java's producer), in a new sub-topology.
  KStream repartition(Repartitioned<K, V> repartitioned = {}) const {
    std::string base =
        repartitioned.name.empty() ? graph_->new_name("KSTREAM-REPARTITION-") : repartitioned.name;
    internal::NodeId source = internal::add_repartition<K, V>(
        *graph_, node_, base + "-repartition",
        internal::serde_or_default(std::move(repartitioned.key_serde)),
        internal::serde_or_default(std::move(repartitioned.value_serde)),
        repartitioned.number_of_partitions);
    return KStream(graph_, source);
  }

  /// The stream as a table: the latest value per key, kept in a state store.
  KTable<K, V> to_table(Materialized<K, V> materialized = {}, Named named = {}) const {
    std::string store = internal::register_store(
        *graph_, materialized, "KSTREAM-TOTABLE-STATE-STORE-", /*timestamped=*/true);
    std::string name = graph_->name_or_generate(named, "KSTREAM-TOTABLE-");
    internal::NodeId parent = node_;
    if (repartition_required_) {
      parent = internal::add_repartition<K, V>(*graph_, node_, store + "-repartition",
                                               materialized.key_serde, materialized.value_serde, 0);
    }
    internal::TimestampedStore<K, V> view(store, materialized.key_serde, materialized.value_serde);
    internal::NodeId id = graph_->add_processor(
        name, {parent}, [view](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::TableSourceNode<K, V, V>>(n, view);
        });
    graph_->connect_store(id, store);
    return KTable<K, V>(graph_, id, store);
  }

  /// Kafka Streams' join(KTable): a record whose key the table holds when the record is processed
  /// becomes `joiner(value, table_value)` (or `joiner(key, value, table_value)`), keeping its key,
  /// timestamp and headers; other records are dropped. Updates of the table join nothing. A record
  /// with a null key or value is dropped.
  ///
  /// The stream and the table's input topic must be co-partitioned (the same number of
  /// partitions, keys partitioned alike): partition p of both goes to one task, checked at start.
  /// When an operator upstream may have changed the key, the stream goes through the repartition
  /// topic `<application.id>-<name>-repartition` first, with the default serdes of K and V
  /// (`name` is the join's when it is named, else that of the operator before the join, as in
  /// Kafka Streams); it gets the table topic's partition count. The table must be materialized:
  /// from `StreamsBuilder::table`, `to_table` or an aggregation (a filtered or mapped table is not;
  /// `to_stream().to_table()` materializes it).
  template <class VT, class F>
  requires ValueJoiner<F, K, V, VT>
  auto join(const KTable<K, VT>& table, F joiner, Named named = {}) const {
    using VR = std::remove_cvref_t<internal::joiner_result_t<F, K, V, VT>>;
    return join_table<VT, VR, false>(table, std::move(joiner), named, "KSTREAM-JOIN-");
  }
  /// Kafka Streams' leftJoin(KTable): as join(), but a record whose key the table does not hold
  /// is joined too, with nullopt: `joiner(value, const std::optional<VT>&)`. A record with a null
  /// key joins with nullopt as well (KIP-962); one with a null value is dropped.
  template <class VT, class F>
  requires ValueJoiner<F, K, V, std::optional<VT>>
  auto left_join(const KTable<K, VT>& table, F joiner, Named named = {}) const {
    using VR = std::remove_cvref_t<internal::joiner_result_t<F, K, V, std::optional<VT>>>;
    return join_table<VT, VR, true>(table, std::move(joiner), named, "KSTREAM-LEFTJOIN-");
  }

  /// Kafka Streams' join(GlobalKTable, KeyValueMapper, ValueJoiner): `key_mapper(key, value)`
  /// (or `key_mapper(value)`) gives the key of the global table's row to join with; a record whose
  /// row the table holds becomes `joiner(value, row)` (or `joiner(key, value, row)`), keeping its
  /// key, timestamp and headers. The global table is a full copy on every instance, so nothing
  /// needs to be co-partitioned or repartitioned; updates of the global table join nothing. A
  /// record with a null value, or whose mapped key is null, is dropped (Kafka Streams 3.9).
  template <class KG, class VG, class M, class F>
  requires ValueMapper<M, K, V> && ValueJoiner<F, K, V, VG>
  auto join(const GlobalKTable<KG, VG>& table, M key_mapper, F joiner, Named named = {}) const {
    using VR = std::remove_cvref_t<internal::joiner_result_t<F, K, V, VG>>;
    return join_global<KG, VG, VR, false>(table, std::move(key_mapper), std::move(joiner), named,
                                          "KSTREAM-JOIN-");
  }
  /// Kafka Streams' leftJoin(GlobalKTable, ...): as join(), but a record whose row the table does
  /// not hold is joined with nullopt: `joiner(value, const std::optional<VG>&)`; so is a record
  /// with a null key whose mapped key is null (KIP-962). A record with a non-null key whose mapped
  /// key is null is dropped, as in Kafka Streams 3.9.
  template <class KG, class VG, class M, class F>
  requires ValueMapper<M, K, V> && ValueJoiner<F, K, V, std::optional<VG>>
  auto left_join(const GlobalKTable<KG, VG>& table, M key_mapper, F joiner,
                 Named named = {}) const {
    using VR = std::remove_cvref_t<internal::joiner_result_t<F, K, V, std::optional<VG>>>;
    return join_global<KG, VG, VR, true>(table, std::move(key_mapper), std::move(joiner), named,
                                         "KSTREAM-LEFTJOIN-");
  }

  /// Writes every record to `topic` with the default serdes of K and V (a compile error when
  /// there is none: pass a Produced).
  void to(std::string topic) const {
    add_sink<std::nullptr_t>(std::move(topic), nullptr, default_serde<K>(), default_serde<V>(), {},
                             {});
  }
  /// Writes every record to `topic` with the serdes and name in `produced`.
  void to(std::string topic, Produced<K, V> produced) const {
    add_sink<std::nullptr_t>(std::move(topic), nullptr,
                             internal::serde_or_default(std::move(produced.key_serde)),
                             internal::serde_or_default(std::move(produced.value_serde)),
                             std::move(produced.name), std::move(produced.partitioner));
  }
  /// Writes each record to the topic `extractor(key, value)` names (content-based routing).
  template <class F>
  requires TopicNameExtractor<F, K, V>
  void to(F extractor, Produced<K, V> produced = {}) const {
    add_sink<F>({}, std::move(extractor), internal::serde_or_default(std::move(produced.key_serde)),
                internal::serde_or_default(std::move(produced.value_serde)),
                std::move(produced.name), std::move(produced.partitioner));
  }

  /// Prints every record (terminal), "[label]: key, value".
  void print(Printed<K, V> printed = Printed<K, V>::to_sys_out(), Named named = {}) const {
    std::string name = graph_->name_or_generate(named, "KSTREAM-PRINTER-");
    if (!printed.mapper()) {
      graph_->record_error(topology_error(
          "print '" + name + "': key or value type has no operator<< (" +
          std::string(internal::type_name<K>()) + ", " + std::string(internal::type_name<V>()) +
          "); use Printed::with_key_value_mapper"));
      return;
    }
    graph_->add_processor(name, {node_},
                          [printed](const std::string& n) -> std::unique_ptr<internal::Node> {
                            return std::make_unique<internal::PrintNode<K, V>>(n, printed);
                          });
  }

  /// Runs a hand-written Processor: `supplier()` returns a std::unique_ptr to a new
  /// Processor<K, V, KOut, VOut> (one per task). Returns the stream of what it forwards.
  /// `stores` names the state stores (added with StreamsBuilder::add_state_store) it may use
  /// through `ProcessorContext::get_state_store`.
  template <class Supplier,
            class P = typename std::remove_cvref_t<std::invoke_result_t<Supplier&>>::element_type>
  requires std::derived_from<P, Processor<K, V, typename P::KeyOut, typename P::ValueOut>>
      KStream<typename P::KeyOut, typename P::ValueOut> process(
          Supplier supplier, Named named = {}, const std::vector<std::string>& stores = {})
  const {
    using KOut = typename P::KeyOut;
    using VOut = typename P::ValueOut;
    auto make = [supplier]() mutable -> std::unique_ptr<Processor<K, V, KOut, VOut>> {
      return supplier();
    };
    KStream<KOut, VOut> out =
        add<internal::ProcessorApiNode<K, V, KOut, VOut, decltype(make)>, KOut, VOut>(
            "KSTREAM-PROCESSOR-", named, std::move(make));
    for (const auto& store : stores) graph_->connect_store(out.node_, store);
    return std::move(out).key_changed();
  }

 private:
  friend class StreamsBuilder;
  template <class, class>
  friend class KStream;
  template <class, class, std::size_t>
  friend class BranchedKStream;
  template <class, class>
  friend class KTable;

  KStream(std::shared_ptr<internal::GraphBuilder> graph, internal::NodeId node)
      : graph_(std::move(graph)), node_(node) {}

  /// This stream, marked as keyed differently from its source (grouping must repartition).
  KStream key_changed() && {
    repartition_required_ = true;
    return std::move(*this);
  }

  template <class NodeT, class K2, class V2, class F>
  KStream<K2, V2> add(std::string_view prefix, const Named& named, F function) const {
    static_assert(internal::kCopyableFunction<F>,
                  "kstreams: operator functions must be copy-constructible (each task gets a "
                  "copy); capture move-only state through a std::shared_ptr");
    std::string name = graph_->name_or_generate(named, prefix);
    internal::NodeId id = graph_->add_processor(
        name, {node_}, [function](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<NodeT>(n, function);
        });
    KStream<K2, V2> out(graph_, id);
    out.repartition_required_ = repartition_required_;
    return out;
  }

  template <class VT, class VR, bool kLeft, class F>
  KStream<K, VR> join_table(const KTable<K, VT>& table, F joiner, const Named& named,
                            std::string_view prefix) const {
    static_assert(internal::kCopyableFunction<F>,
                  "kstreams: a joiner must be copy-constructible (each task gets a copy)");
    auto refuse = [&](const std::string& why) {
      graph_->record_error(topology_error(graph_->name_or_generate(named, prefix) + ": " + why));
      return KStream<K, VR>(graph_, node_);
    };
    if (table.graph_ != graph_)
      return refuse("the stream and the table belong to different builders");
    const auto* serdes = internal::store_serdes<K, VT>(*graph_, table.store_);
    if (serdes == nullptr) {
      return refuse(
          "the table is not materialized (a filtered or mapped table has no store of its own); "
          "materialize it first, e.g. with to_stream().to_table()");
    }
    internal::NodeId parent = node_;
    if (repartition_required_) {
      Serde<K> key_serde = internal::serde_or_default(Serde<K>());
      Serde<V> value_serde = internal::serde_or_default(Serde<V>());
      if (!key_serde.valid() || !value_serde.valid()) {
        return refuse(
            "the key may have changed upstream, so the stream is repartitioned before the join, "
            "and there is no default serde for " +
            std::string(key_serde.valid() ? internal::type_name<V>() : internal::type_name<K>()) +
            "; call repartition(Repartitioned with serdes) before the join");
      }
      // As Kafka Streams: named after the join when it is named, else after the node before it.
      const std::string base = named.name.empty() ? graph_->node(node_).name : named.name;
      parent = internal::add_repartition<K, V>(*graph_, node_, base + "-repartition",
                                               std::move(key_serde), std::move(value_serde), 0);
    }
    std::string name = graph_->name_or_generate(named, prefix);
    internal::TimestampedStore<K, VT> view(table.store_, serdes->first, serdes->second);
    using NodeT = internal::StreamTableJoinNode<K, V, VT, VR, F, kLeft>;
    internal::NodeId id = graph_->add_processor(
        name, {parent}, [view, joiner](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<NodeT>(n, view, joiner);
        });
    graph_->connect_store(id, table.store_);
    return KStream<K, VR>(graph_, id);
  }

  template <class KG, class VG, class VR, bool kLeft, class M, class F>
  KStream<K, VR> join_global(const GlobalKTable<KG, VG>& table, M key_mapper, F joiner,
                             const Named& named, std::string_view prefix) const {
    static_assert(internal::kCopyableFunction<M> && internal::kCopyableFunction<F>,
                  "kstreams: a key mapper and a joiner must be copy-constructible (each task gets "
                  "a copy)");
    static_assert(std::is_convertible_v<internal::record_result_t<M, K, V>, KG>,
                  "kstreams: the key mapper must return the global table's key type");
    std::string name = graph_->name_or_generate(named, prefix);
    const std::string& store_name = table.queryable_store_name();
    const bool ours = graph_->has_global_store(store_name);
    const auto* serdes = ours ? internal::store_serdes<KG, VG>(*graph_, store_name) : nullptr;
    if (serdes == nullptr) {
      graph_->record_error(
          topology_error(name + ": the global table '" + store_name + "' " +
                         (ours ? "has other key or value types than the GlobalKTable joined"
                               : "belongs to another builder")));
      return KStream<K, VR>(graph_, node_);
    }
    using NodeT = internal::StreamGlobalTableJoinNode<K, V, KG, VG, VR, M, F, kLeft>;
    internal::NodeId id = graph_->add_processor(
        name, {node_},
        [store_name, key_serde = serdes->first, value_serde = serdes->second, key_mapper,
         joiner](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<NodeT>(n, store_name, key_serde, value_serde, key_mapper, joiner);
        });
    KStream<K, VR> out(graph_, id);
    out.repartition_required_ = repartition_required_;
    return out;
  }

  template <class TopicFn>
  void add_sink(std::string topic, TopicFn topic_fn, Serde<K> key_serde, Serde<V> value_serde,
                std::string processor_name, StreamPartitioner<K, V> partitioner) const {
    std::string name = graph_->name_or_generate(Named(std::move(processor_name)), "KSTREAM-SINK-");
    if (!key_serde.valid() || !value_serde.valid()) {
      graph_->record_error(topology_error(
          "sink '" + name + "'" + (topic.empty() ? "" : " (topic " + topic + ")") + " has no " +
          (key_serde.valid() ? "value serde for " + std::string(internal::type_name<V>())
                             : "key serde for " + std::string(internal::type_name<K>()))));
      return;
    }
    auto factory = [topic, topic_fn, key_serde, value_serde,
                    partitioner](const std::string& n) -> std::unique_ptr<internal::Node> {
      return std::make_unique<internal::SinkNode<K, V, TopicFn>>(n, topic, topic_fn, key_serde,
                                                                 value_serde, partitioner);
    };
    if constexpr (std::is_same_v<TopicFn, std::nullptr_t>) {
      graph_->add_sink(std::move(name), node_, std::move(topic), std::move(factory));
    } else {
      graph_->add_dynamic_sink(std::move(name), node_, "topic-name function", std::move(factory));
    }
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
  internal::NodeId node_;
  bool repartition_required_ = false;  // an upstream operator may have changed the key
};

}  // namespace kstreams

#include <kstreams/branched_kstream.h>  // NOLINT(misc-header-include-cycle): split()'s result.
#include <kstreams/kgrouped_stream.h>   // NOLINT(misc-header-include-cycle): group_by's result.
#include <kstreams/ktable.h>            // NOLINT(misc-header-include-cycle): to_table's result.
