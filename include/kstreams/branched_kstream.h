// File: kstreams/branched_kstream.h
//
// `split()`: content-based routing. Each record goes to the first branch whose predicate holds;
// records that match none go to the default branch, or are dropped with `no_default_branch()`.
// The number of branches is part of the type, so the result unpacks with structured bindings;
// it can also be looked up by branch name (split name + branch name), as Kafka Streams' map:
//
//   auto [shipping, billing, invalid] =
//       addresses.split("route-")
//           .branch([](const Address& a) { return a.type() == Address::SHIPPING; }, "shipping")
//           .branch([](const Address& a) { return a.type() == Address::BILLING; }, "billing")
//           .default_branch("invalid");
//   auto same_as_shipping = result.at("route-shipping");
//
// Adding a branch after the default branch (through a copy of the BranchedKStream) is a build
// error naming the split.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <kstreams/branched.h>
#include <kstreams/kstream.h>

namespace kstreams {

/// The streams of a finished split, in branch order (default branch last).
template <class K, class V, std::size_t N>
class SplitResult {
 public:
  SplitResult(std::array<KStream<K, V>, N> streams, std::array<std::string, N> names)
      : streams_(std::move(streams)), names_(std::move(names)) {}

  template <std::size_t I>
  [[nodiscard]] const KStream<K, V>& get() const {
    static_assert(I < N, "kstreams: split has fewer branches");
    return streams_[I];
  }
  [[nodiscard]] const KStream<K, V>& operator[](std::size_t i) const { return streams_.at(i); }
  /// The branch named `name` (split name + branch name). Throws std::out_of_range if none.
  [[nodiscard]] const KStream<K, V>& at(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names_[i] == name) return streams_[i];
    }
    throw std::out_of_range("kstreams: split has no branch named '" + std::string(name) + "'");
  }
  [[nodiscard]] bool contains(std::string_view name) const {
    for (const auto& n : names_) {
      if (n == name) return true;
    }
    return false;
  }
  [[nodiscard]] const std::array<std::string, N>& names() const { return names_; }
  [[nodiscard]] static constexpr std::size_t size() { return N; }

 private:
  std::array<KStream<K, V>, N> streams_;
  std::array<std::string, N> names_;
};

namespace internal {
template <class K, class V>
struct SplitState {
  std::vector<std::function<bool(const K&, const V&)>> predicates;
  bool has_default = false;
};
}  // namespace internal

/// A split in progress; N branches so far. A cheap handle; see file comment.
template <class K, class V, std::size_t N>
class BranchedKStream {
 public:
  /// Adds a branch for the records that match `predicate` and no earlier branch.
  template <class F>
  requires RecordPredicate<F, K, V> BranchedKStream<K, V, N + 1> branch(F predicate,
                                                                        Branched branched = {})
  const {
    static_assert(std::is_copy_constructible_v<F>,
                  "kstreams: branch predicates must be copy-constructible");
    std::string child = child_name(branched, std::to_string(N + 1));
    if (graph_->split_closed(splitter_)) {
      graph_->record_error(topology_error("split '" + graph_->node(splitter_).name + "': branch '" +
                                          child +
                                          "' added after default_branch/no_default_branch"));
    } else {
      state_->predicates.emplace_back([predicate](const K& key, const V& value) mutable -> bool {
        return static_cast<bool>(internal::invoke_on(predicate, key, value));
      });
    }
    KStream<K, V> stream = add_child(child);
    return BranchedKStream<K, V, N + 1>(*this, std::move(stream), std::move(child));
  }

  /// Finishes the split: records that match no branch go to a last, default branch.
  SplitResult<K, V, N + 1> default_branch(Branched branched = {}) const {
    std::string child = child_name(branched, "0");
    if (graph_->split_closed(splitter_)) {
      graph_->record_error(topology_error("split '" + graph_->node(splitter_).name +
                                          "': default branch '" + child +
                                          "' added after default_branch/no_default_branch"));
    } else {
      state_->has_default = true;
    }
    KStream<K, V> stream = add_child(child);
    graph_->close_split(splitter_);
    std::array<KStream<K, V>, N + 1> streams = extend(streams_, std::move(stream));
    std::array<std::string, N + 1> names = extend(names_, std::move(child));
    return SplitResult<K, V, N + 1>(std::move(streams), std::move(names));
  }

  /// Finishes the split: records that match no branch are dropped.
  SplitResult<K, V, N> no_default_branch() const {
    graph_->close_split(splitter_);
    return SplitResult<K, V, N>(streams_, names_);
  }

 private:
  template <class, class>
  friend class KStream;
  template <class, class, std::size_t>
  friend class BranchedKStream;

  BranchedKStream(std::shared_ptr<internal::GraphBuilder> graph, internal::NodeId splitter,
                  std::shared_ptr<internal::SplitState<K, V>> state) requires(N == 0)
      : graph_(std::move(graph)), splitter_(splitter), state_(std::move(state)) {}

  BranchedKStream(const BranchedKStream<K, V, N - 1>& previous, KStream<K, V> stream,
                  std::string name) requires(N > 0)
      : graph_(previous.graph_),
        splitter_(previous.splitter_),
        state_(previous.state_),
        streams_(extend(previous.streams_, std::move(stream))),
        names_(extend(previous.names_, std::move(name))) {}

  template <class T, std::size_t M>
  static std::array<T, M + 1> extend(const std::array<T, M>& items, T last) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<T, M + 1>{items[I]..., std::move(last)};
    }
    (std::make_index_sequence<M>());
  }

  std::string child_name(const Branched& branched, const std::string& fallback) const {
    return graph_->node(splitter_).name + (branched.name.empty() ? fallback : branched.name);
  }

  KStream<K, V> add_child(const std::string& child) const {
    internal::NodeId id = graph_->add_processor(
        child, {splitter_}, [](const std::string& n) -> std::unique_ptr<internal::Node> {
          return std::make_unique<internal::PassThroughNode<K, V>>(n);
        });
    return KStream<K, V>(graph_, id);
  }

  std::shared_ptr<internal::GraphBuilder> graph_;
  internal::NodeId splitter_;
  std::shared_ptr<internal::SplitState<K, V>> state_;
  std::array<KStream<K, V>, N> streams_{};
  std::array<std::string, N> names_{};
};

template <class K, class V>
BranchedKStream<K, V, 0> KStream<K, V>::split(Named named) const {
  std::string name = graph_->name_or_generate(named, "KSTREAM-BRANCH-");
  auto state = std::make_shared<internal::SplitState<K, V>>();
  internal::NodeId id = graph_->add_processor(
      name, {node_}, [state](const std::string& n) -> std::unique_ptr<internal::Node> {
        return std::make_unique<internal::BranchNode<K, V>>(n, state->predicates,
                                                            state->has_default);
      });
  return BranchedKStream<K, V, 0>(graph_, id, std::move(state));
}

}  // namespace kstreams

template <class K, class V, std::size_t N>
struct std::tuple_size<kstreams::SplitResult<K, V, N>> : std::integral_constant<std::size_t, N> {};

template <std::size_t I, class K, class V, std::size_t N>
struct std::tuple_element<I, kstreams::SplitResult<K, V, N>> {
  using type = const kstreams::KStream<K, V>;
};
