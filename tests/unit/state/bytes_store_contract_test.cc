// The contract every byte store keeps (in-memory and RocksDB alike), and what only RocksDB
// promises: data that survives close and reopen.
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/internal/bytes_store.h>
#include <kstreams/test_matchers.h>

#include "state/in_memory_store.h"
#include "state/rocksdb_store.h"
#include "tests/unit/state/temp_dir.h"

namespace kstreams::internal {
namespace {

using ::kstreams::testing::IsOk;
using ::kstreams::testing::IsOkAndHolds;
using ::kstreams::testing::StatusIs;
using ::kstreams::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries drain(BytesIterator& it) {
  Entries out;
  for (; it.valid(); it.next()) out.emplace_back(std::string(it.key()), std::string(it.value()));
  return out;
}

Entries scan(BytesKeyValueStore& store, NullableByteView from, NullableByteView to) {
  auto it = store.range(from, to);
  EXPECT_THAT(it, IsOk());
  if (!it.ok()) return {};
  Entries out = drain(**it);
  EXPECT_THAT((*it)->status(), IsOk());
  return out;
}

enum class Kind { kInMemory, kRocksDb };

class BytesStoreContractTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { store_ = open(); }

  std::unique_ptr<BytesKeyValueStore> open() {
    if (GetParam() == Kind::kInMemory) return make_in_memory_store("store");
    auto store = open_rocksdb_store(dir_.path() / "0_0" / "store", "store", resources_);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(*store) : nullptr;
  }

  TempDir dir_;
  std::shared_ptr<RocksDbResources> resources_ =
      RocksDbResources::create(8 << 20, 4 << 20, nullptr);
  std::unique_ptr<BytesKeyValueStore> store_;
  WriteContext context_;
};

TEST_P(BytesStoreContractTest, PutGetDelete) {
  EXPECT_THAT(store_->get("k"), IsOkAndHolds(std::nullopt));
  ASSERT_OK(store_->put("k", "v1", context_));
  EXPECT_THAT(store_->get("k"), IsOkAndHolds(Optional(std::string("v1"))));
  ASSERT_OK(store_->put("k", "v2", context_));
  EXPECT_THAT(store_->get("k"), IsOkAndHolds(Optional(std::string("v2"))));
  ASSERT_OK(store_->put("k", std::nullopt, context_));
  EXPECT_THAT(store_->get("k"), IsOkAndHolds(std::nullopt));
  // An empty value is a value, not a delete.
  ASSERT_OK(store_->put("e", "", context_));
  EXPECT_THAT(store_->get("e"), IsOkAndHolds(Optional(std::string())));
}

TEST_P(BytesStoreContractTest, PutAllAppliesInOrderIncludingDeletes) {
  ASSERT_OK(store_->put("gone", "x", context_));
  std::vector<KeyValueBytes> batch = {{"a", "1"}, {"b", "2"}, {"a", "3"}, {"gone", std::nullopt}};
  ASSERT_OK(store_->put_all(batch, context_));
  EXPECT_THAT(scan(*store_, std::nullopt, std::nullopt),
              ElementsAre(Pair("a", "3"), Pair("b", "2")));
}

TEST_P(BytesStoreContractTest, RangeIsUnsignedByteOrderWithInclusiveAndOpenBounds) {
  const std::string zero("a\0b", 3);
  const std::string high("\x80", 1);
  const std::string highest("\xff\xff", 2);
  for (const std::string& key : {std::string("a"), zero, std::string("ab"), high, highest,
                                 std::string("b"), std::string()}) {
    ASSERT_OK(store_->put(key, "v" + key, context_));
  }
  auto keys = [](const Entries& entries) {
    std::vector<std::string> out;
    for (const auto& [key, value] : entries) out.push_back(key);
    return out;
  };
  EXPECT_THAT(keys(scan(*store_, std::nullopt, std::nullopt)),
              ElementsAre(std::string(), "a", zero, "ab", "b", high, highest));
  EXPECT_THAT(keys(scan(*store_, ByteView("a"), ByteView("ab"))), ElementsAre("a", zero, "ab"));
  EXPECT_THAT(keys(scan(*store_, ByteView(zero), std::nullopt)),
              ElementsAre(zero, "ab", "b", high, highest));
  EXPECT_THAT(keys(scan(*store_, std::nullopt, ByteView("a"))), ElementsAre(std::string(), "a"));
  EXPECT_THAT(keys(scan(*store_, ByteView(high), ByteView(high))), ElementsAre(high));
  EXPECT_THAT(keys(scan(*store_, ByteView("b"), ByteView("a"))), ::testing::IsEmpty());
  EXPECT_THAT(keys(scan(*store_, ByteView("c"), ByteView("d"))), ::testing::IsEmpty());
}

TEST_P(BytesStoreContractTest, WritesWhileIteratingAreSafe) {
  for (const char* key : {"a", "b", "c", "d"}) ASSERT_OK(store_->put(key, "v", context_));
  ASSERT_OK_AND_ASSIGN(auto it, store_->range(std::nullopt, std::nullopt));
  ASSERT_TRUE(it->valid());
  EXPECT_EQ(it->key(), "a");
  ASSERT_OK(store_->put("a", std::nullopt, context_));
  ASSERT_OK(store_->put("b", std::nullopt, context_));
  EXPECT_EQ(it->key(), "a");  // Still readable until next().
  it->next();
  ASSERT_TRUE(it->valid());
  // RocksDB iterates a snapshot ("b" still there); the in-memory store skips the deleted "b".
  EXPECT_THAT(std::string(it->key()), ::testing::AnyOf("b", "c"));
  while (it->valid()) it->next();
  EXPECT_THAT(it->status(), IsOk());
}

TEST_P(BytesStoreContractTest, ApproximateNumEntries) {
  for (int i = 0; i < 100; ++i) ASSERT_OK(store_->put("k" + std::to_string(i), "v", context_));
  ASSERT_OK_AND_ASSIGN(std::uint64_t count, store_->approximate_num_entries());
  if (GetParam() == Kind::kInMemory) {
    EXPECT_EQ(count, 100U);
  } else {
    EXPECT_GT(count, 50U);
    EXPECT_LT(count, 200U);
  }
}

TEST_P(BytesStoreContractTest, ClearDropsEverything) {
  const std::string highest("\xff\xff\xff", 3);
  for (const std::string& key : {std::string("a"), std::string("b"), highest}) {
    ASSERT_OK(store_->put(key, "v", context_));
  }
  ASSERT_OK(store_->clear());
  EXPECT_THAT(scan(*store_, std::nullopt, std::nullopt), ::testing::IsEmpty());
  EXPECT_THAT(store_->get(highest), IsOkAndHolds(std::nullopt));
  ASSERT_OK(store_->clear());  // On an empty store too.
  ASSERT_OK(store_->put("a", "again", context_));
  EXPECT_THAT(store_->get("a"), IsOkAndHolds(Optional(std::string("again"))));
}

TEST_P(BytesStoreContractTest, RestoreBatchAppliesEntries) {
  std::vector<KeyValueBytes> batch = {{"a", "1"}, {"b", "2"}, {"a", std::nullopt}};
  ASSERT_OK(store_->restore_batch(batch));
  ASSERT_OK(store_->flush());
  EXPECT_THAT(scan(*store_, std::nullopt, std::nullopt), ElementsAre(Pair("b", "2")));
}

TEST_P(BytesStoreContractTest, IteratorOpenAcrossCloseBecomesInvalid) {
  ASSERT_OK(store_->put("a", "1", context_));
  ASSERT_OK(store_->put("b", "2", context_));
  ASSERT_OK_AND_ASSIGN(auto it, store_->range(std::nullopt, std::nullopt));
  ASSERT_TRUE(it->valid());
  store_->close();
  EXPECT_FALSE(it->valid());
  EXPECT_THAT(it->status(), StatusIs(StatusCode::kIllegalState));
  it->next();  // Harmless.
  EXPECT_FALSE(it->valid());
  store_->close();  // Idempotent.
  EXPECT_THAT(store_->get("a"), StatusIs(StatusCode::kIllegalState, HasSubstr("closed")));
  EXPECT_THAT(store_->put("a", "1", context_), StatusIs(StatusCode::kIllegalState));
  EXPECT_THAT(store_->range(std::nullopt, std::nullopt), StatusIs(StatusCode::kIllegalState));
  it.reset();  // After the store's close, and before the store itself: no crash, no leak.
}

TEST_P(BytesStoreContractTest, PersistenceMatchesTheKind) {
  EXPECT_EQ(store_->persistent(), GetParam() == Kind::kRocksDb);
  EXPECT_EQ(store_->name(), "store");
  EXPECT_FALSE(store_->set_flush_listener([](auto, auto, auto, const auto&) {}));
}

INSTANTIATE_TEST_SUITE_P(Stores, BytesStoreContractTest,
                         ::testing::Values(Kind::kInMemory, Kind::kRocksDb),
                         [](const auto& param_info) {
                           return param_info.param == Kind::kInMemory ? "InMemory" : "RocksDb";
                         });

class RocksDbStoreTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<BytesKeyValueStore>> open() {
    return open_rocksdb_store(directory_, "counts", resources_);
  }

  TempDir dir_;
  std::filesystem::path directory_ = dir_.path() / "app" / "0_1" / "counts";
  std::shared_ptr<RocksDbResources> resources_ =
      RocksDbResources::create(8 << 20, 4 << 20, nullptr);
  WriteContext context_;
};

TEST_F(RocksDbStoreTest, DataSurvivesCloseAndReopen) {
  {
    ASSERT_OK_AND_ASSIGN(auto store, open());
    ASSERT_OK(store->put("k", "v", context_));
    std::vector<KeyValueBytes> batch = {{"x", "1"}, {"y", "2"}};
    ASSERT_OK(store->put_all(batch, context_));
    store->close();
  }
  ASSERT_OK_AND_ASSIGN(auto store, open());
  EXPECT_THAT(scan(*store, std::nullopt, std::nullopt),
              ElementsAre(Pair("k", "v"), Pair("x", "1"), Pair("y", "2")));
}

TEST_F(RocksDbStoreTest, RestoredDataIsDurableAfterFlush) {
  {
    ASSERT_OK_AND_ASSIGN(auto store, open());
    std::vector<KeyValueBytes> batch;
    for (int i = 0; i < 1000; ++i) batch.push_back({"key" + std::to_string(i), "value"});
    ASSERT_OK(store->restore_batch(batch));
    ASSERT_OK(store->flush());
    // restore_batch bypassed the WAL: flush() must have put it into SST files.
    bool has_sst = false;
    for (const auto& file : std::filesystem::directory_iterator(directory_)) {
      has_sst = has_sst || file.path().extension() == ".sst";
    }
    EXPECT_TRUE(has_sst);
  }
  ASSERT_OK_AND_ASSIGN(auto store, open());
  EXPECT_THAT(store->get("key999"), IsOkAndHolds(Optional(std::string("value"))));
  EXPECT_EQ(scan(*store, std::nullopt, std::nullopt).size(), 1000U);
}

TEST_F(RocksDbStoreTest, SecondOpenOfOneDirectorySaysItIsLocked) {
  ASSERT_OK_AND_ASSIGN(auto first, open());
  EXPECT_THAT(open(), StatusIs(StatusCode::kRetriable, HasSubstr("locked by another instance")));
  first->close();
  EXPECT_THAT(open(), IsOk());
}

TEST_F(RocksDbStoreTest, ConfigSetterSeesTheStoreName) {
  std::string seen;
  auto resources = RocksDbResources::create(
      8 << 20, 4 << 20, [&seen](const std::string& name, rocksdb::Options&) { seen = name; });
  ASSERT_OK_AND_ASSIGN(auto store, open_rocksdb_store(directory_, "counts", resources));
  EXPECT_EQ(seen, "counts");
}

TEST_F(RocksDbStoreTest, UncreatableDirectoryIsAnIoError) {
  std::filesystem::create_directories(dir_.path());
  { std::ofstream file(dir_.path() / "plain-file"); }
  EXPECT_THAT(open_rocksdb_store(dir_.path() / "plain-file" / "store", "store", resources_),
              StatusIs(StatusCode::kIo, HasSubstr("store")));
}

}  // namespace
}  // namespace kstreams::internal
