#include "vectors/collection_spec.h"

#include <nlohmann/json.hpp>

namespace lake::vectors {

namespace {

template <typename Enum, std::size_t N>
Result<Enum> ParseName(std::string_view name, const std::string_view (&names)[N],
                       std::string_view what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "' (expected";
  for (std::size_t i = 0; i < N; ++i)
    message += (i ? ", " : " ") + std::string(names[i]);
  return Status::InvalidArgument(message + ")");
}

constexpr std::string_view kMetricNames[] = {"l2", "cosine", "inner_product"};
constexpr std::string_view kCodecNames[] = {"float32", "float16", "int8"};
constexpr std::string_view kIndexKindNames[] = {"flat", "hnsw", "ivfflat", "ivfpq"};

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string_view MetricName(Metric metric) {
  return kMetricNames[static_cast<int>(metric)];
}
std::string_view CodecName(Codec codec) {
  return kCodecNames[static_cast<int>(codec)];
}
std::string_view IndexKindName(IndexKind kind) {
  return kIndexKindNames[static_cast<int>(kind)];
}
Result<Metric> ParseMetric(std::string_view name) {
  return ParseName<Metric>(name, kMetricNames, "metric");
}
Result<Codec> ParseCodec(std::string_view name) {
  return ParseName<Codec>(name, kCodecNames, "codec");
}
Result<IndexKind> ParseIndexKind(std::string_view name) {
  return ParseName<IndexKind>(name, kIndexKindNames, "index kind");
}

Status ValidateSpec(const CollectionSpec& spec) {
  if (!IsValidName(spec.name)) {
    return Status::InvalidArgument("collection name '" + spec.name +
                                   "' must be 1 to 63 characters of a-z, 0-9 and _, "
                                   "starting with a letter");
  }
  if (spec.dimension < 1 || spec.dimension > kMaxDimension) {
    return Status::InvalidArgument("dimension must be between 1 and " +
                                   std::to_string(kMaxDimension) + ", got " +
                                   std::to_string(spec.dimension));
  }
  if (spec.index.kind == IndexKind::kIvfFlat || spec.index.kind == IndexKind::kIvfPq) {
    if (spec.codec != Codec::kFloat32) {
      return Status::InvalidArgument("IVF indexes keep their own vectors; use codec float32");
    }
  }
  if (spec.active_model_version < 1) {
    return Status::InvalidArgument("model version must be positive, got " +
                                   std::to_string(spec.active_model_version));
  }
  const IndexSettings& index = spec.index;

  if (index.hnsw_m < 2 || index.hnsw_m > 128) {
    return Status::InvalidArgument("hnsw m must be between 2 and 128, got " +
                                   std::to_string(index.hnsw_m));
  }
  if (index.hnsw_ef_construction < index.hnsw_m || index.hnsw_ef_construction > 4096) {
    return Status::InvalidArgument("hnsw ef_construction must be between m and 4096, got " +
                                   std::to_string(index.hnsw_ef_construction));
  }
  if (index.hnsw_ef_search < 1 || index.hnsw_ef_search > 4096) {
    return Status::InvalidArgument("hnsw ef_search must be between 1 and 4096, got " +
                                   std::to_string(index.hnsw_ef_search));
  }
  if (index.ivf_lists < 1 || index.ivf_probes < 1 || index.ivf_probes > index.ivf_lists) {
    return Status::InvalidArgument("ivf needs lists >= 1 and 1 <= probes <= lists, got lists=" +
                                   std::to_string(index.ivf_lists) +
                                   " probes=" + std::to_string(index.ivf_probes));
  }
  return Status::Ok();
}

std::string EncodeSpec(const CollectionSpec& spec, std::uint32_t collection_id) {
  const nlohmann::json json = {
      {"id", collection_id},
      {"name", spec.name},
      {"dimension", spec.dimension},
      {"metric", MetricName(spec.metric)},
      {"codec", CodecName(spec.codec)},
      {"model_name", spec.model_name},
      {"active_model_version", spec.active_model_version},
      {"index",
       {{"kind", IndexKindName(spec.index.kind)},
        {"hnsw_walk_int8", spec.index.hnsw_walk_int8},
        {"hnsw_m", spec.index.hnsw_m},
        {"hnsw_ef_construction", spec.index.hnsw_ef_construction},
        {"hnsw_ef_search", spec.index.hnsw_ef_search},
        {"ivf_lists", spec.index.ivf_lists},
        {"ivf_probes", spec.index.ivf_probes}}},
  };
  return json.dump();
}

namespace {
Result<StoredSpec> DecodeSpecFields(std::string_view bytes) {
  const nlohmann::json json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Corruption("catalog entry is not a JSON object");
  StoredSpec stored;
  CollectionSpec& spec = stored.spec;
  try {
    stored.collection_id = json.at("id").get<std::uint32_t>();
    spec.name = json.at("name").get<std::string>();
    spec.dimension = json.at("dimension").get<std::uint32_t>();
    LAKE_ASSIGN_OR_RETURN(spec.metric, ParseMetric(json.at("metric").get<std::string>()));
    LAKE_ASSIGN_OR_RETURN(spec.codec, ParseCodec(json.at("codec").get<std::string>()));
    spec.model_name = json.at("model_name").get<std::string>();
    spec.active_model_version = json.at("active_model_version").get<std::int32_t>();
    const nlohmann::json& index = json.at("index");
    LAKE_ASSIGN_OR_RETURN(spec.index.kind, ParseIndexKind(index.at("kind").get<std::string>()));
    spec.index.hnsw_walk_int8 = index.at("hnsw_walk_int8").get<bool>();
    spec.index.hnsw_m = index.at("hnsw_m").get<int>();
    spec.index.hnsw_ef_construction = index.at("hnsw_ef_construction").get<int>();
    spec.index.hnsw_ef_search = index.at("hnsw_ef_search").get<int>();
    spec.index.ivf_lists = index.at("ivf_lists").get<int>();
    spec.index.ivf_probes = index.at("ivf_probes").get<int>();
  } catch (const nlohmann::json::exception& error) {
    return Status::Corruption(std::string("catalog entry is malformed: ") + error.what());
  }
  LAKE_RETURN_IF_ERROR(ValidateSpec(spec));
  return stored;
}
}  // namespace

Result<StoredSpec> DecodeSpec(std::string_view bytes) {
  Result<StoredSpec> decoded = DecodeSpecFields(bytes);
  if (!decoded.ok() && decoded.status().code() != StatusCode::kCorruption) {
    return Status::Corruption("catalog entry is invalid: " + decoded.status().message());
  }
  return decoded;
}

}  // namespace lake::vectors
