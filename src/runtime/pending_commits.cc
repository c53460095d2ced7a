#include "src/runtime/pending_commits.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace kstreams::internal {

void* PendingCommits::tag_for_send() {
  Epoch& open = epochs_.back();
  ++open.in_flight;
  return &open;
}

void PendingCommits::on_delivery(void* tag) {
  if (tag == nullptr) return;
  --static_cast<Epoch*>(tag)->in_flight;
}

void PendingCommits::close_epoch(std::vector<kafka::TopicPartition> offsets) {
  epochs_.back().offsets = std::move(offsets);
  epochs_.emplace_back();
}

std::vector<kafka::TopicPartition> PendingCommits::take_committable() {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> latest;
  while (epochs_.size() > 1 && epochs_.front().in_flight == 0) {
    for (kafka::TopicPartition& tp : epochs_.front().offsets) {
      auto [it, inserted] = latest.try_emplace({std::move(tp.topic), tp.partition}, tp.offset);
      if (!inserted) it->second = std::max(it->second, tp.offset);
    }
    epochs_.pop_front();
  }
  std::vector<kafka::TopicPartition> out;
  out.reserve(latest.size());
  for (auto& [key, offset] : latest) out.push_back({key.first, key.second, offset});
  return out;
}

void PendingCommits::drop_closed_offsets() {
  for (std::size_t i = 0; i + 1 < epochs_.size(); ++i) epochs_[i].offsets.clear();
}

std::int64_t PendingCommits::in_flight() const {
  std::int64_t total = 0;
  for (const Epoch& e : epochs_) total += e.in_flight;
  return total;
}

}  // namespace kstreams::internal
