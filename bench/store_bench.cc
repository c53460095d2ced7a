// The byte stores of state/ against raw RocksDB opened with the same options (the same shared
// block cache and write buffer manager): put (WAL on), get of existing keys, range scans, a
// caching store's put + flush, and restoration (restore_batch vs a WriteBatch without WAL).
// 16-byte random keys, 64-byte values. One iteration is one entry: items_per_second is
// entries/s. Every benchmark works in a fresh directory under $TMPDIR.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "state/cache_budget.h"
#include "state/caching_store.h"
#include "state/rocksdb_store.h"

#include <stdlib.h>

namespace kstreams::bench {
namespace {

namespace fs = std::filesystem;
using internal::BytesKeyValueStore;
using internal::KeyValueBytes;

constexpr std::size_t kEntries = 200'000;
constexpr std::size_t kBatch = 1000;
constexpr std::size_t kScanLength = 1000;

const std::vector<KeyValueBytes>& entries() {
  static const std::vector<KeyValueBytes> generated = [] {
    std::mt19937_64 random(42);
    std::vector<KeyValueBytes> out;
    out.reserve(kEntries);
    for (std::size_t i = 0; i < kEntries; ++i) {
      std::string key(16, '\0');
      for (char& c : key) c = static_cast<char>(random());
      std::string value(64, '\0');
      for (char& c : value) c = static_cast<char>('a' + random() % 26);
      out.push_back({std::move(key), std::move(value)});
    }
    return out;
  }();
  return generated;
}

std::shared_ptr<internal::RocksDbResources> resources() {
  static const auto shared = internal::RocksDbResources::create(256 << 20, 128 << 20, nullptr);
  return shared;
}

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        (fs::path(base && *base ? base : "/tmp") / "kstreams-store-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<BytesKeyValueStore> open_store(const fs::path& dir) {
  auto store = internal::open_rocksdb_store(dir / "store", "store", resources());
  if (!store.ok()) throw std::runtime_error(store.status().to_string());
  return std::move(*store);
}

std::unique_ptr<rocksdb::DB> open_raw(const fs::path& dir) {
  rocksdb::Options options;
  internal::configure_rocksdb_options(*resources(), "store", options);
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, (dir / "raw").string(), &db);
  if (!status.ok()) throw std::runtime_error(status.ToString());
  return std::unique_ptr<rocksdb::DB>(db);
}

void load(BytesKeyValueStore& store) {
  const auto& all = entries();
  for (std::size_t i = 0; i < all.size(); i += kBatch) {
    Status s = store.put_all(std::span(all).subspan(i, kBatch), {});
    if (!s.ok()) throw std::runtime_error(s.to_string());
  }
}

void load(rocksdb::DB& db) {
  const auto& all = entries();
  for (std::size_t i = 0; i < all.size(); i += kBatch) {
    rocksdb::WriteBatch batch;
    for (std::size_t j = i; j < i + kBatch; ++j) batch.Put(all[j].key, *all[j].value);
    if (!db.Write(rocksdb::WriteOptions(), &batch).ok()) throw std::runtime_error("load failed");
  }
}

void BM_Put_Kstreams(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir.path());
  const auto& all = entries();
  std::size_t i = 0;
  for (auto _ : state) {
    const KeyValueBytes& e = all[i++ % all.size()];
    Status s = store->put(e.key, *e.value, {});
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Put_Raw(benchmark::State& state) {
  TempDir dir;
  auto db = open_raw(dir.path());
  const auto& all = entries();
  std::size_t i = 0;
  for (auto _ : state) {
    const KeyValueBytes& e = all[i++ % all.size()];
    rocksdb::Status s = db->Put(rocksdb::WriteOptions(), e.key, *e.value);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Get_Kstreams(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir.path());
  load(*store);
  const auto& all = entries();
  std::mt19937 random(7);
  for (auto _ : state) {
    auto value = store->get(all[random() % all.size()].key);
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Get_Raw(benchmark::State& state) {
  TempDir dir;
  auto db = open_raw(dir.path());
  load(*db);
  const auto& all = entries();
  std::mt19937 random(7);
  std::string value;
  for (auto _ : state) {
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), all[random() % all.size()].key, &value);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

// One iteration scans kScanLength entries from a random existing key.
void BM_RangeScan_Kstreams(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir.path());
  load(*store);
  const auto& all = entries();
  std::mt19937 random(7);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto it = store->range(ByteView(all[random() % all.size()].key), std::nullopt);
    std::size_t n = 0;
    for (; (*it)->valid() && n < kScanLength; (*it)->next(), ++n) bytes += (*it)->value().size();
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * kScanLength);
}

void BM_RangeScan_Raw(benchmark::State& state) {
  TempDir dir;
  auto db = open_raw(dir.path());
  load(*db);
  const auto& all = entries();
  std::mt19937 random(7);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->Seek(all[random() % all.size()].key);
    std::size_t n = 0;
    for (; it->Valid() && n < kScanLength; it->Next(), ++n) bytes += it->value().size();
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * kScanLength);
}

// A caching store over RocksDB, flushed every kBatch puts (a commit), 10 % of keys repeated
// within a commit interval; compare with BM_Put_Kstreams.
void BM_CachingPutFlush(benchmark::State& state) {
  TempDir dir;
  auto store = internal::make_caching_store(open_store(dir.path()),
                                            std::make_shared<internal::CacheBudget>(10 << 20));
  const auto& all = entries();
  std::size_t i = 0;
  for (auto _ : state) {
    const KeyValueBytes& e = all[(i % 10 == 9 ? i - 1 : i) % all.size()];
    Status s = store->put(e.key, *e.value, {});
    benchmark::DoNotOptimize(s);
    if (++i % kBatch == 0) s = store->flush();
  }
  state.SetItemsProcessed(state.iterations());
}

// Restoration: batches of kBatch entries.
void BM_Restore_Kstreams(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(dir.path());
  const auto& all = entries();
  std::size_t offset = 0;
  for (auto _ : state) {
    Status s = store->restore_batch(std::span(all).subspan(offset, kBatch));
    benchmark::DoNotOptimize(s);
    offset = (offset + kBatch) % all.size();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_Restore_Raw(benchmark::State& state) {
  TempDir dir;
  auto db = open_raw(dir.path());
  const auto& all = entries();
  rocksdb::WriteOptions no_wal;
  no_wal.disableWAL = true;
  std::size_t offset = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (std::size_t j = offset; j < offset + kBatch; ++j) batch.Put(all[j].key, *all[j].value);
    rocksdb::Status s = db->Write(no_wal, &batch);
    benchmark::DoNotOptimize(s);
    offset = (offset + kBatch) % all.size();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK(BM_Put_Kstreams);
BENCHMARK(BM_Put_Raw);
BENCHMARK(BM_Get_Kstreams);
BENCHMARK(BM_Get_Raw);
BENCHMARK(BM_RangeScan_Kstreams);
BENCHMARK(BM_RangeScan_Raw);
BENCHMARK(BM_CachingPutFlush);
BENCHMARK(BM_Restore_Kstreams);
BENCHMARK(BM_Restore_Raw);

}  // namespace
}  // namespace kstreams::bench

BENCHMARK_MAIN();
