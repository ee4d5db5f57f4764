// IVF indexes through FAISS (IndexIVFFlat, IndexIVFPQ) over the float32 rows
// of a VectorTable, named by slot. Filters reach FAISS as an IDSelector, so
// they are applied inside the scan of each probed list, not afterwards.
// Trained on a sample once the table has enough rows; until then the engine
// answers by exact scan. FAISS reports errors by exception: none escapes
// here; a failed update drops the index (logged), so searches fall back to
// exact scans until the next build, never to wrong answers.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include "common/status.h"
#include "vectors/row_filter.h"
#include "vectors/top_k.h"
#include "vectors/vector_table.h"

namespace faiss {
struct IndexIVF;
struct Index;
}  // namespace faiss

namespace lake::vectors {

struct IvfParams {
  int lists = 100;
  bool product_quantized = false;  // IVFPQ: 8-bit codes of d/8 sub-vectors
  int threads = 2;
};

class IvfIndex {
 public:
  IvfIndex(const VectorTable& table, IvfParams params);
  ~IvfIndex();

  // Rows needed before training makes sense (FAISS wants ~39 per list).
  std::size_t TrainingRows() const;
  bool trained() const;
  // Trains on a sample of the live rows and adds them all; false when there
  // are too few rows yet.
  bool Build();
  void Add(std::uint32_t slot);
  void Remove(std::uint32_t slot);

  // Candidates by FAISS's distance (exact for IVFFlat, PQ-estimated for
  // IVFPQ), as the table's scores.
  Result<std::vector<Candidate>> Search(const QueryVector& query, std::size_t k, std::size_t probes,
                                        const SlotPredicate& predicate) const;
  std::size_t MemoryBytes() const;

 private:
  void Drop(const char* what, const std::exception& error);

  const VectorTable& table_;
  IvfParams params_;
  std::unique_ptr<faiss::Index> quantizer_;
  std::unique_ptr<faiss::IndexIVF> index_;
};

}  // namespace lake::vectors
