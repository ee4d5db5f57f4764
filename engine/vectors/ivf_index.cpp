#include "vectors/ivf_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>

#include <algorithm>
#include <string>

#include "common/log.h"

namespace lake::vectors {

namespace {

// Lets FAISS ask our filter about each id it scans.
class PredicateSelector : public faiss::IDSelector {
 public:
  explicit PredicateSelector(const SlotPredicate& predicate) : predicate_(predicate) {}
  bool is_member(idx_t id) const override {
    return predicate_.Passes(static_cast<std::uint32_t>(id));
  }

 private:
  const SlotPredicate& predicate_;
};

faiss::MetricType FaissMetric(Metric metric) {
  // Rows are normalised for cosine, so the inner product ranks them.
  return metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
}

// The largest divisor of the dimension that gives sub-vectors of >= 8 values.
std::size_t SubQuantizers(std::size_t dimension) {
  for (std::size_t m = std::max<std::size_t>(dimension / 8, 1); m > 1; --m) {
    if (dimension % m == 0) return m;
  }
  return 1;
}

}  // namespace

IvfIndex::IvfIndex(const VectorTable& table, IvfParams params) : table_(table), params_(params) {}
IvfIndex::~IvfIndex() = default;

std::size_t IvfIndex::TrainingRows() const {
  const std::size_t for_lists = std::size_t(params_.lists) * 39;
  // PQ codebooks want 256 points per centroid; 2,048 rows give usable ones.
  return params_.product_quantized ? std::max<std::size_t>(for_lists, 2048) : for_lists;
}

bool IvfIndex::trained() const {
  return index_ != nullptr;
}

void IvfIndex::Drop(const char* what, const std::exception& error) {
  Log(LogLevel::kError, std::string("IVF index ") + what + " failed (" + error.what() +
                            "); searches scan exactly until the index is rebuilt");
  index_.reset();
  quantizer_.reset();
}

bool IvfIndex::Build() try {
  std::vector<std::uint32_t> slots;
  for (std::uint32_t slot = 0; slot < table_.slot_count(); ++slot) {
    if (table_.live(slot)) slots.push_back(slot);
  }
  if (slots.size() < TrainingRows()) return false;

  const std::size_t dimension = table_.dimension();
  const faiss::MetricType metric = FaissMetric(table_.metric());
  quantizer_ = metric == faiss::METRIC_L2
                   ? std::unique_ptr<faiss::Index>(new faiss::IndexFlatL2(int(dimension)))
                   : std::unique_ptr<faiss::Index>(new faiss::IndexFlatIP(int(dimension)));
  if (params_.product_quantized) {
    auto pq = std::make_unique<faiss::IndexIVFPQ>(quantizer_.get(), dimension, params_.lists,
                                                  SubQuantizers(dimension), 8, metric);
    pq->pq.cp.min_points_per_centroid = 8;  // TrainingRows() already asks for enough
    index_ = std::move(pq);
  } else {
    index_ =
        std::make_unique<faiss::IndexIVFFlat>(quantizer_.get(), dimension, params_.lists, metric);
  }
  omp_set_num_threads(std::max(params_.threads, 1));
  // A sample spread over the rows, large enough for k-means (and PQ).
  const std::size_t sample = std::min(slots.size(), std::max<std::size_t>(TrainingRows(), 50'000));
  const std::size_t step = slots.size() / sample;
  std::vector<float> training(sample * dimension);
  for (std::size_t i = 0; i < sample; ++i) {
    std::copy_n(table_.row_f32(slots[i * step]), dimension, training.data() + i * dimension);
  }
  index_->train(faiss::Index::idx_t(sample), training.data());

  std::vector<float> rows(slots.size() * dimension);
  std::vector<faiss::Index::idx_t> ids(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    std::copy_n(table_.row_f32(slots[i]), dimension, rows.data() + i * dimension);
    ids[i] = slots[i];
  }
  index_->add_with_ids(faiss::Index::idx_t(slots.size()), rows.data(), ids.data());
  return true;
} catch (const std::exception& error) {
  Drop("build", error);
  return false;
}

void IvfIndex::Add(std::uint32_t slot) try {
  const faiss::Index::idx_t id = slot;
  index_->add_with_ids(1, table_.row_f32(slot), &id);
} catch (const std::exception& error) {
  Drop("insert", error);
}

void IvfIndex::Remove(std::uint32_t slot) try {
  const faiss::Index::idx_t id = slot;
  index_->remove_ids(faiss::IDSelectorArray(1, &id));
} catch (const std::exception& error) {
  Drop("delete", error);
}

Result<std::vector<Candidate>> IvfIndex::Search(const QueryVector& query, std::size_t k,
                                                std::size_t probes,
                                                const SlotPredicate& predicate) const try {
  PredicateSelector selector(predicate);
  faiss::SearchParametersIVF search;
  search.nprobe = std::clamp<std::size_t>(probes, 1, std::size_t(params_.lists));
  search.sel = &selector;
  std::vector<float> distances(k);
  std::vector<faiss::Index::idx_t> labels(k);
  index_->search(1, query.values.data(), faiss::Index::idx_t(k), distances.data(), labels.data(),
                 &search);
  TopK top(k);
  for (std::size_t i = 0; i < k; ++i) {
    if (labels[i] < 0) continue;
    const auto slot = static_cast<std::uint32_t>(labels[i]);
    float score = distances[i];
    if (table_.metric() == Metric::kInnerProduct) score = -distances[i];
    if (table_.metric() == Metric::kCosine) score = 1.f - distances[i];
    top.Push({score, table_.key(slot).id, slot});
  }
  return top.TakeSorted();
} catch (const std::exception& error) {
  return Status::Internal(std::string("IVF search failed: ") + error.what());
}

std::size_t IvfIndex::MemoryBytes() const {
  if (!index_) return 0;
  const std::size_t code_bytes = index_->code_size + sizeof(faiss::Index::idx_t);
  return std::size_t(index_->ntotal) * code_bytes +
         std::size_t(params_.lists) * table_.dimension() * sizeof(float);
}

}  // namespace lake::vectors
