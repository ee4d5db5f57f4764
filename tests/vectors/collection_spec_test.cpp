#include "vectors/collection_spec.h"

#include <gtest/gtest.h>

namespace lake::vectors {
namespace {

CollectionSpec TextSpec() {
  CollectionSpec spec;
  spec.name = "text_embeddings";
  spec.dimension = 768;
  spec.metric = Metric::kCosine;
  spec.model_name = "all-MiniLM-L6-v2";
  spec.active_model_version = 3;
  spec.index.hnsw_m = 24;
  return spec;
}

TEST(CollectionSpec, EncodeDecodeRoundTrip) {
  const std::string bytes = EncodeSpec(TextSpec(), 17);
  auto decoded = DecodeSpec(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->collection_id, 17u);
  EXPECT_EQ(decoded->spec.name, "text_embeddings");
  EXPECT_EQ(decoded->spec.dimension, 768u);
  EXPECT_EQ(decoded->spec.metric, Metric::kCosine);
  EXPECT_EQ(decoded->spec.model_name, "all-MiniLM-L6-v2");
  EXPECT_EQ(decoded->spec.active_model_version, 3);
  EXPECT_EQ(decoded->spec.index.kind, IndexKind::kHnsw);
  EXPECT_EQ(decoded->spec.index.hnsw_m, 24);
  EXPECT_EQ(decoded->spec.index.hnsw_ef_search, 64);
  EXPECT_EQ(decoded->spec.index.ivf_lists, 100);
  EXPECT_TRUE(decoded->spec.index.hnsw_walk_int8);
}

TEST(CollectionSpec, GarbageIsCorruption) {
  for (std::string_view bytes :
       {"", "not json", "[1,2]", "{\"id\": 1}",
        R"({"id":1,"name":"x","dimension":0,"metric":"l2","codec":"float32",
                                 "model_name":"","active_model_version":1,"index":{"kind":"hnsw",
                                 "hnsw_walk_int8":true,"hnsw_m":16,"hnsw_ef_construction":128,"hnsw_ef_search":64,
                                 "ivf_lists":100,"ivf_probes":10}})"}) {
    auto decoded = DecodeSpec(bytes);
    ASSERT_FALSE(decoded.ok()) << bytes;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << bytes;
  }
}

TEST(CollectionSpec, ValidationNamesTheProblem) {
  CollectionSpec spec = TextSpec();
  EXPECT_TRUE(ValidateSpec(spec).ok());

  spec.dimension = 16001;
  EXPECT_EQ(ValidateSpec(spec).message(), "dimension must be between 1 and 16000, got 16001");
  spec.dimension = 16000;
  EXPECT_TRUE(ValidateSpec(spec).ok());
  spec.dimension = 0;
  EXPECT_FALSE(ValidateSpec(spec).ok());

  spec = TextSpec();
  for (const char* bad : {"", "Text", "1abc", "with space", "drop;table"}) {
    spec.name = bad;
    EXPECT_EQ(ValidateSpec(spec).code(), StatusCode::kInvalidArgument) << bad;
  }
  spec = TextSpec();
  spec.codec = Codec::kInt8;
  EXPECT_TRUE(ValidateSpec(spec).ok());
  spec.index.kind = IndexKind::kIvfFlat;
  EXPECT_EQ(ValidateSpec(spec).code(), StatusCode::kInvalidArgument);
  spec = TextSpec();
  spec.index.ivf_probes = 101;
  EXPECT_EQ(ValidateSpec(spec).code(), StatusCode::kInvalidArgument);
}

TEST(CollectionSpec, ParseNames) {
  EXPECT_EQ(ParseMetric("inner_product").value(), Metric::kInnerProduct);
  EXPECT_EQ(ParseCodec("float16").value(), Codec::kFloat16);
  EXPECT_EQ(ParseIndexKind("ivfpq").value(), IndexKind::kIvfPq);
  auto bad = ParseMetric("manhattan");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unknown metric 'manhattan' (expected l2, cosine, inner_product)");
}

}  // namespace
}  // namespace lake::vectors
