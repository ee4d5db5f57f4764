#include "vectors/vector_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>

namespace lake::vectors {
namespace {

VectorRecord Sample() {
  VectorRecord record;
  record.id = -42;
  record.tenant_id = 7;
  record.model_version = 2;
  record.created_at_us = 1'700'000'000'000'000;
  record.embedding = {1.5f, -0.f, 3.25f};
  record.metadata_json = R"({"source":"takeout"})";
  return record;
}

TEST(VectorRecord, KeyAndValueRoundTrip) {
  const VectorRecord record = Sample();
  const std::string key = EncodeRecordKey(9, {record.id, record.model_version});
  auto decoded_key = DecodeRecordKey(key, 9);
  ASSERT_TRUE(decoded_key.ok());
  EXPECT_EQ(decoded_key->id, -42);
  EXPECT_EQ(decoded_key->model_version, 2);
  EXPECT_TRUE(key.starts_with(RecordIdKeyPrefix(9, -42)));
  EXPECT_TRUE(key.starts_with(CollectionKeyPrefix(9)));

  VectorRecord decoded;
  ASSERT_TRUE(DecodeRecordValue(EncodeRecordValue(record), 3, &decoded).ok());
  EXPECT_EQ(decoded.tenant_id, 7);
  EXPECT_EQ(decoded.created_at_us, record.created_at_us);
  EXPECT_EQ(decoded.embedding, record.embedding);
  EXPECT_TRUE(std::signbit(decoded.embedding[1]));
  EXPECT_EQ(decoded.metadata_json, record.metadata_json);
}

TEST(VectorRecord, KeysOfOneCollectionSortByIdThenVersion) {
  EXPECT_LT(EncodeRecordKey(1, {-5, 9}), EncodeRecordKey(1, {3, 1}));
  EXPECT_LT(EncodeRecordKey(1, {3, 1}), EncodeRecordKey(1, {3, 2}));
  EXPECT_LT(EncodeRecordKey(1, {std::numeric_limits<std::int64_t>::max(), 1}),
            EncodeRecordKey(2, {std::numeric_limits<std::int64_t>::min(), 1}));
}

TEST(VectorRecord, TruncatedOrMismatchedValuesAreCorruption) {
  const std::string value = EncodeRecordValue(Sample());
  VectorRecord decoded;
  EXPECT_EQ(DecodeRecordValue(value.substr(0, 10), 3, &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeRecordValue(value.substr(0, 25), 3, &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeRecordValue(value, 4, &decoded).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeRecordKey("short", 1).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeRecordKey(EncodeRecordKey(1, {1, 1}), 2).status().code(),
            StatusCode::kCorruption);
}

TEST(VectorRecord, ValidationGivesClearErrors) {
  VectorRecord record = Sample();
  EXPECT_TRUE(CheckRecord(record, 3).ok());

  EXPECT_EQ(CheckRecord(record, 4).message(), "record -42: expected 4 dimensions, got 3");
  std::vector<float> short_vector(767, 0.f);
  EXPECT_EQ(ValidateEmbedding(short_vector, 768).message(), "expected 768 dimensions, got 767");

  record.embedding[2] = std::nanf("");
  EXPECT_EQ(CheckRecord(record, 3).message(),
            "record -42: NaN at position 2; vectors must be finite");
  record.embedding[2] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(CheckRecord(record, 3).message(),
            "record -42: infinity at position 2; vectors must be finite");

  record = Sample();
  record.metadata_json = "[1,2]";
  EXPECT_EQ(CheckRecord(record, 3).code(), StatusCode::kInvalidArgument);
  record.metadata_json = "{broken";
  EXPECT_EQ(CheckRecord(record, 3).code(), StatusCode::kInvalidArgument);
  record.metadata_json = R"({"x":")" + std::string(kMaxMetadataBytes, 'a') + R"("})";
  EXPECT_EQ(CheckRecord(record, 3).code(), StatusCode::kInvalidArgument);
  record.metadata_json.clear();
  EXPECT_TRUE(CheckRecord(record, 3).ok());
}

}  // namespace
}  // namespace lake::vectors

TEST(VectorRecord, MetadataIsAnyJsonObjectThatJsonbAccepts) {
  // Numbers beyond double are valid JSON (jsonb keeps them as numerics).
  EXPECT_TRUE(lake::vectors::CheckMetadata(R"({"n": 1e400, "m": -0.5E-400})").ok());
  EXPECT_TRUE(lake::vectors::CheckMetadata(R"( {"a": [1, {"b": null}, true, "\u00e9\n"]} )").ok());
  EXPECT_TRUE(lake::vectors::CheckMetadata("{}").ok());
  for (const char* bad : {"[1]", "1", "\"x\"", "{", "{\"a\"}", "{\"a\": 01}", "{\"a\": 1.}",
                          "{\"a\": tru}", "{\"a\": \"\\x\"}", "{} {}", "{\"a\": 1,}", "{'a': 1}"}) {
    EXPECT_FALSE(lake::vectors::CheckMetadata(bad).ok()) << bad;
  }
  const std::string deep = std::string(600, '[') + std::string(600, ']');
  EXPECT_FALSE(lake::vectors::CheckMetadata("{\"a\": " + deep + "}").ok());
}

TEST(VectorRecord, MetadataIsRefusedWhereJsonbRefusesIt) {
  EXPECT_TRUE(
      lake::vectors::CheckMetadata(R"({"a": 1e131071, "b": 1e-16000, "c": "\ud83d\ude00"})").ok());
  EXPECT_TRUE(lake::vectors::CheckMetadata("{\"caf\xc3\xa9\": \"\xe2\x82\xac\"}").ok());
  for (const std::string& bad : std::initializer_list<std::string>{
           R"({"a": 1e200000})", R"({"a": 1e-20000})", R"({"a": "\u0000"})", R"({"a": "\ud800"})",
           R"({"a": "\udc00"})", R"({"a": "\ud800\u0041"})", std::string("{\"a\": \"\xff\"}"),
           std::string("{\"a\": \"\xc3\"}")}) {
    EXPECT_FALSE(lake::vectors::CheckMetadata(bad).ok()) << bad;
  }
}
