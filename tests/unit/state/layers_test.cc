// The caching and changelogging layers over an in-memory store. The changelog writer below the
// cache doubles as a probe: each of its calls is one write that reached the inner store.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/internal/bytes_store.h>
#include <kstreams/test_matchers.h>

#include "state/cache_budget.h"
#include "state/caching_store.h"
#include "state/changelogging_store.h"
#include "state/in_memory_store.h"

namespace kstreams::internal {
namespace {

using ::kstreams::testing::IsOk;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;

struct Logged {
  std::string key;
  NullableBytes value;
  std::int64_t timestamp;
};

struct Flushed {
  std::string key;
  NullableBytes new_value;
  NullableBytes old_value;
  std::int64_t timestamp;
  Headers headers;
};

WriteContext at(std::int64_t timestamp, Headers headers = {}) {
  return WriteContext{timestamp, std::move(headers)};
}

std::vector<std::pair<std::string, std::string>> scan(BytesKeyValueStore& store,
                                                      NullableByteView from = std::nullopt,
                                                      NullableByteView to = std::nullopt) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = store.range(from, to);
  EXPECT_THAT(it, IsOk());
  if (!it.ok()) return out;
  for (; (*it)->valid(); (*it)->next()) out.emplace_back((*it)->key(), (*it)->value());
  EXPECT_THAT((*it)->status(), IsOk());
  return out;
}

class CachingStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<BytesKeyValueStore> make(std::shared_ptr<CacheBudget> budget,
                                           std::string name = "cached") {
    auto logged = make_changelogging_store(
        make_in_memory_store(std::move(name)),
        [this](ByteView key, NullableByteView value, const WriteContext& context) {
          logged_.push_back({std::string(key),
                             value ? NullableBytes(std::string(*value)) : std::nullopt,
                             context.timestamp});
          return Status();
        });
    auto store = make_caching_store(std::move(logged), std::move(budget));
    EXPECT_TRUE(
        store->set_flush_listener([this](ByteView key, NullableByteView new_value,
                                         NullableByteView old_value, const WriteContext& context) {
          flushed_.push_back({std::string(key),
                              new_value ? NullableBytes(std::string(*new_value)) : std::nullopt,
                              old_value ? NullableBytes(std::string(*old_value)) : std::nullopt,
                              context.timestamp, context.headers});
        }));
    return store;
  }

  std::shared_ptr<CacheBudget> budget_ = std::make_shared<CacheBudget>(1 << 20);
  std::vector<Logged> logged_;
  std::vector<Flushed> flushed_;
};

TEST_F(CachingStoreTest, RepeatedPutsOfOneKeyReachTheStoreOnceAtFlush) {
  auto store = make(budget_);
  ASSERT_OK(store->put("k", "old", at(1)));
  ASSERT_OK(store->flush());
  logged_.clear();
  flushed_.clear();

  ASSERT_OK(store->put("k", "v1", at(10)));
  ASSERT_OK(store->put("k", "v2", at(11)));
  ASSERT_OK(store->put("k", "v3", at(12, Headers{{"h", "x"}})));
  EXPECT_THAT(store->get("k"), IsOkAndHolds(Optional(std::string("v3"))));
  EXPECT_THAT(logged_, IsEmpty());
  EXPECT_THAT(flushed_, IsEmpty());

  ASSERT_OK(store->flush());
  ASSERT_EQ(logged_.size(), 1U);
  EXPECT_EQ(logged_[0].key, "k");
  EXPECT_EQ(logged_[0].value, "v3");
  EXPECT_EQ(logged_[0].timestamp, 12);
  ASSERT_EQ(flushed_.size(), 1U);
  EXPECT_EQ(flushed_[0].key, "k");
  EXPECT_EQ(flushed_[0].new_value, "v3");
  EXPECT_EQ(flushed_[0].old_value, "old");
  EXPECT_EQ(flushed_[0].timestamp, 12);
  EXPECT_EQ(flushed_[0].headers, (Headers{{"h", "x"}}));

  ASSERT_OK(store->flush());  // Nothing dirty any more.
  EXPECT_EQ(flushed_.size(), 1U);
}

TEST_F(CachingStoreTest, FlushKeepsTheOrderOfLastWritesAndEachEntrysContext) {
  auto store = make(budget_);
  ASSERT_OK(store->put("b", "1", at(1)));
  ASSERT_OK(store->put("a", "2", at(2)));
  ASSERT_OK(store->put("b", "3", at(3)));
  ASSERT_OK(store->flush());
  ASSERT_EQ(logged_.size(), 2U);
  EXPECT_EQ(logged_[0].key, "a");
  EXPECT_EQ(logged_[0].timestamp, 2);
  EXPECT_EQ(logged_[1].key, "b");
  EXPECT_EQ(logged_[1].timestamp, 3);
  ASSERT_EQ(flushed_.size(), 2U);
  EXPECT_EQ(flushed_[0].old_value, std::nullopt);
}

TEST_F(CachingStoreTest, CachedDeleteHidesTheInnerValue) {
  auto store = make(budget_);
  ASSERT_OK(store->put("a", "1", at(1)));
  ASSERT_OK(store->put("b", "2", at(1)));
  ASSERT_OK(store->flush());
  flushed_.clear();

  ASSERT_OK(store->put("a", std::nullopt, at(5)));
  EXPECT_THAT(store->get("a"), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(scan(*store), ElementsAre(Pair("b", "2")));

  ASSERT_OK(store->flush());
  ASSERT_EQ(flushed_.size(), 1U);
  EXPECT_EQ(flushed_[0].new_value, std::nullopt);
  EXPECT_EQ(flushed_[0].old_value, "1");
  EXPECT_THAT(store->get("a"), IsOkAndHolds(std::nullopt));
}

TEST_F(CachingStoreTest, RangeMergesCacheAndStoreInByteOrder) {
  auto store = make(budget_);
  const std::string high("\x90", 1);
  for (const std::string& key : {std::string("a"), std::string("c"), std::string("e"), high}) {
    ASSERT_OK(store->put(key, "stored", at(1)));
  }
  ASSERT_OK(store->flush());
  ASSERT_OK(store->put("b", "cached", at(2)));
  ASSERT_OK(store->put("e", "cached", at(2)));
  ASSERT_OK(store->put("c", std::nullopt, at(2)));
  ASSERT_OK(store->put(std::string("\x85", 1), "cached", at(2)));
  ASSERT_OK(store->put("z", std::nullopt, at(2)));  // A delete of a key the store never had.

  EXPECT_THAT(scan(*store),
              ElementsAre(Pair("a", "stored"), Pair("b", "cached"), Pair("e", "cached"),
                          Pair(std::string("\x85", 1), "cached"), Pair(high, "stored")));
  EXPECT_THAT(scan(*store, ByteView("b"), ByteView("e")),
              ElementsAre(Pair("b", "cached"), Pair("e", "cached")));
  EXPECT_THAT(scan(*store, ByteView("c"), ByteView("d")), IsEmpty());
}

TEST_F(CachingStoreTest, EvictionKeepsMemoryBoundedAndForwardsEvictedEntries) {
  auto budget = std::make_shared<CacheBudget>(4096);
  auto store = make(budget);
  const std::string value(100, 'v');
  std::size_t peak = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(store->put("key" + std::to_string(i), value, at(i)));
    peak = std::max(peak, budget->used_bytes());
  }
  EXPECT_LE(peak, 4096U);
  EXPECT_GT(flushed_.size(), 900U);  // Evicted entries were flushed and forwarded.
  EXPECT_EQ(flushed_.size(), logged_.size());
  ASSERT_OK(store->flush());
  EXPECT_EQ(flushed_.size(), 1000U);
  EXPECT_EQ(scan(*store).size(), 1000U);
  EXPECT_THAT(store->get("key0"), IsOkAndHolds(Optional(value)));
}

TEST_F(CachingStoreTest, StoresOnOneBudgetShareIt) {
  auto budget = std::make_shared<CacheBudget>(2048);
  auto first = make(budget, "first");
  auto second = make(budget, "second");
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(first->put("f" + std::to_string(i), std::string(50, 'x'), at(i)));
    ASSERT_OK(second->put("s" + std::to_string(i), std::string(50, 'y'), at(i)));
    EXPECT_LE(budget->used_bytes(), 2048U + 256U);
  }
  first.reset();
  second.reset();
  EXPECT_EQ(budget->used_bytes(), 0U);
}

// Adding a stream thread shrinks every thread's share of the cache: the stores keep to the new
// limit from their next write on, and nothing cached is lost on the way down.
TEST_F(CachingStoreTest, AShrunkBudgetIsKeptFromTheNextWriteOn) {
  auto budget = std::make_shared<CacheBudget>(8192);
  auto store = make(budget);
  const std::string value(100, 'v');
  for (int i = 0; i < 40; ++i) ASSERT_OK(store->put("key" + std::to_string(i), value, at(i)));
  const std::size_t before = budget->used_bytes();
  ASSERT_GT(before, 2048U);

  budget->resize(2048);
  EXPECT_EQ(budget->max_bytes(), 2048U);
  ASSERT_OK(store->put("key40", value, at(40)));
  EXPECT_LE(budget->used_bytes(), 2048U);
  ASSERT_OK(store->flush());
  EXPECT_EQ(scan(*store).size(), 41U);

  // Caching is never switched on or off by a resize.
  budget->resize(0);
  EXPECT_EQ(budget->max_bytes(), 1U);
  CacheBudget off(0);
  off.resize(4096);
  EXPECT_EQ(off.max_bytes(), 0U);
}

TEST_F(CachingStoreTest, ZeroBudgetWritesThroughAndCallsTheListenerAtOnce) {
  auto store = make(std::make_shared<CacheBudget>(0));
  ASSERT_OK(store->put("k", "v1", at(1)));
  ASSERT_OK(store->put("k", "v2", at(2)));
  ASSERT_EQ(logged_.size(), 2U);
  ASSERT_EQ(flushed_.size(), 2U);
  EXPECT_EQ(flushed_[1].old_value, "v1");
  EXPECT_EQ(flushed_[1].new_value, "v2");
  EXPECT_EQ(flushed_[1].timestamp, 2);
}

TEST_F(CachingStoreTest, RestoreAndClearBypassTheCache) {
  auto store = make(budget_);
  ASSERT_OK(store->put("dirty", "x", at(1)));
  std::vector<KeyValueBytes> restored = {{"r", "1"}};
  ASSERT_OK(store->restore_batch(restored));
  EXPECT_THAT(logged_, IsEmpty());
  EXPECT_THAT(store->get("r"), IsOkAndHolds(Optional(std::string("1"))));
  ASSERT_OK(store->clear());
  EXPECT_EQ(budget_->used_bytes(), 0U);
  ASSERT_OK(store->flush());
  EXPECT_THAT(flushed_, IsEmpty());
  EXPECT_THAT(scan(*store), IsEmpty());
}

TEST_F(CachingStoreTest, IteratorOpenAcrossCloseBecomesInvalid) {
  auto store = make(budget_);
  ASSERT_OK(store->put("a", "1", at(1)));
  ASSERT_OK_AND_ASSIGN(auto it, store->range(std::nullopt, std::nullopt));
  ASSERT_TRUE(it->valid());
  store->close();
  EXPECT_FALSE(it->valid());
  EXPECT_THAT(it->status(), StatusIs(StatusCode::kIllegalState));
  EXPECT_THAT(store->get("a"), StatusIs(StatusCode::kIllegalState));
  EXPECT_EQ(budget_->used_bytes(), 0U);
}

TEST(ChangeloggingStoreTest, EveryWriteIsLoggedWithItsContextButRestorationIsNot) {
  std::vector<Logged> logged;
  auto store = make_changelogging_store(
      make_in_memory_store("logged"),
      [&logged](ByteView key, NullableByteView value, const WriteContext& context) {
        logged.push_back({std::string(key),
                          value ? NullableBytes(std::string(*value)) : std::nullopt,
                          context.timestamp});
        return Status();
      });
  ASSERT_OK(store->put("a", "1", at(7)));
  ASSERT_OK(store->put("a", std::nullopt, at(8)));
  std::vector<KeyValueBytes> batch = {{"b", "2"}, {"c", "3"}};
  ASSERT_OK(store->put_all(batch, at(9)));
  ASSERT_EQ(logged.size(), 4U);
  EXPECT_EQ(logged[0].timestamp, 7);
  EXPECT_EQ(logged[1].value, std::nullopt);
  EXPECT_EQ(logged[1].timestamp, 8);
  EXPECT_EQ(logged[3].key, "c");
  EXPECT_EQ(logged[3].timestamp, 9);

  std::vector<KeyValueBytes> restored = {{"r", "1"}};
  ASSERT_OK(store->restore_batch(restored));
  ASSERT_OK(store->flush());
  ASSERT_OK(store->clear());
  EXPECT_EQ(logged.size(), 4U);
  // No cache below: the caller must forward its own updates.
  EXPECT_FALSE(store->set_flush_listener([](auto, auto, auto, const auto&) {}));
}

TEST(ChangeloggingStoreTest, WriterErrorsReachTheCaller) {
  auto store = make_changelogging_store(
      make_in_memory_store("logged"), [](ByteView, NullableByteView, const WriteContext&) {
        return Status(StatusCode::kTaskMigrated, "producer fenced");
      });
  EXPECT_THAT(store->put("a", "1", at(1)), StatusIs(StatusCode::kTaskMigrated));
}

TEST(ChangeloggingStoreTest, FlushListenerReachesTheCacheBelow) {
  auto store = make_changelogging_store(
      make_caching_store(make_in_memory_store("s"), std::make_shared<CacheBudget>(1024)),
      [](ByteView, NullableByteView, const WriteContext&) { return Status(); });
  EXPECT_TRUE(store->set_flush_listener([](auto, auto, auto, const auto&) {}));
}

}  // namespace
}  // namespace kstreams::internal
