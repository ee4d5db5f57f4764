// What a vector collection is: its shape, metric, codec, model and index
// settings. Stored in the catalog as JSON so later fields can be added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lake::vectors {

inline constexpr std::uint32_t kMaxDimension = 16000;

enum class Metric { kL2, kCosine, kInnerProduct };
enum class Codec { kFloat32, kFloat16, kInt8 };
enum class IndexKind { kFlat, kHnsw, kIvfFlat, kIvfPq };

std::string_view MetricName(Metric metric);
std::string_view CodecName(Codec codec);
std::string_view IndexKindName(IndexKind kind);
Result<Metric> ParseMetric(std::string_view name);
Result<Codec> ParseCodec(std::string_view name);
Result<IndexKind> ParseIndexKind(std::string_view name);

// Defaults are the design's seed values.
struct IndexSettings {
  IndexKind kind = IndexKind::kHnsw;
  // HNSW searches read int8 codes kept beside the float32/float16 rows and
  // re-rank their results from those rows: 4x fewer bytes per step for 25%
  // more memory at float32; on wordnet-768 it answers 2.5x the queries/s at
  // the same recall. (An int8 collection always walks int8.)
  bool hnsw_walk_int8 = true;
  int hnsw_m = 16;
  int hnsw_ef_construction = 128;
  int hnsw_ef_search = 64;
  int ivf_lists = 100;
  int ivf_probes = 10;
};

struct CollectionSpec {
  std::string name;
  std::uint32_t dimension = 0;
  Metric metric = Metric::kL2;
  Codec codec = Codec::kFloat32;
  std::string model_name;
  // Positive; queries and writes that name no version use this one.
  std::int32_t active_model_version = 1;
  IndexSettings index;
};

// Checks names (1 to 63 of [a-z0-9_], starting with a letter), the dimension
// (1 to 16,000), the codec and the index parameters.
Status ValidateSpec(const CollectionSpec& spec);

std::string EncodeSpec(const CollectionSpec& spec, std::uint32_t collection_id);
struct StoredSpec {
  CollectionSpec spec;
  std::uint32_t collection_id;
};
Result<StoredSpec> DecodeSpec(std::string_view bytes);

}  // namespace lake::vectors
