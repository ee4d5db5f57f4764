// vector_writer_probe DIR
//
// Writes to a lake data directory until killed, for the kill -9 test: batches
// of 50 vectors (each a pure function of its id), now and then a delete of
// ten earlier ids and an index snapshot. After each write returns it prints
// "upserted FIRST LAST" or "deleted ID..." and flushes, so the parent knows
// exactly which writes were acknowledged.
#include <cstdio>
#include <random>
#include <vector>

#include "storage/store.h"
#include "vectors/vector_engine.h"

namespace {
constexpr std::uint32_t kDimension = 64;

std::vector<float> VectorOf(std::int64_t id) {
  std::mt19937 rng(static_cast<std::uint32_t>(id));
  std::normal_distribution<float> normal;
  std::vector<float> values(kDimension);
  for (float& v : values)
    v = normal(rng);
  return values;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = lake::storage::Store::Open(argv[1], {});
  if (!store.ok()) return 1;
  auto engine = lake::vectors::VectorEngine::Open(store->get());
  if (!engine.ok()) return 1;
  lake::vectors::CollectionSpec spec;
  spec.name = "crash";
  spec.dimension = kDimension;
  if (!(*engine)->CreateCollection(spec).ok()) return 1;
  for (std::int64_t batch = 0;; ++batch) {
    std::vector<lake::vectors::VectorRecord> records(50);
    for (std::int64_t i = 0; i < 50; ++i) {
      records[i].id = batch * 50 + i;
      records[i].embedding = VectorOf(records[i].id);
    }
    if (!(*engine)->Upsert("crash", records).ok()) return 1;
    std::printf("upserted %lld %lld\n", static_cast<long long>(batch * 50),
                static_cast<long long>(batch * 50 + 49));
    if (batch % 7 == 6) {
      std::vector<std::int64_t> ids;
      for (std::int64_t id = (batch - 3) * 50; id < (batch - 3) * 50 + 10; ++id)
        ids.push_back(id);
      // Announced first: a kill during the delete leaves these ids either way.
      std::printf("deleting");
      for (std::int64_t id : ids)
        std::printf(" %lld", static_cast<long long>(id));
      std::printf("\n");
      std::fflush(stdout);
      if (!(*engine)->Delete("crash", ids).ok()) return 1;
      std::printf("deleted\n");
    }
    std::fflush(stdout);
    if (batch % 10 == 9 && !(*engine)->SnapshotIndexes().ok()) return 1;
  }
}
