#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

namespace lake::storage {
namespace {

TEST(KeyCodec, SignedIntegersSortBytewiseInNumericOrder) {
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> values = {std::numeric_limits<std::int64_t>::min(), -1, 0, 1,
                                      std::numeric_limits<std::int64_t>::max()};
  for (int i = 0; i < 1000; ++i)
    values.push_back(static_cast<std::int64_t>(rng()));
  std::vector<std::string> keys;
  for (std::int64_t v : values) {
    std::string key;
    AppendI64(&key, v);
    keys.push_back(key);
  }
  std::sort(values.begin(), values.end());
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 0; i < values.size(); ++i) {
    KeyReader reader(keys[i]);
    EXPECT_EQ(reader.ReadI64(), values[i]);
    EXPECT_TRUE(reader.done());
  }
}

TEST(KeyCodec, CompositeKeysRoundTripAndOrderByFirstField) {
  std::string a, b;
  AppendU32(&a, 1);
  AppendI64(&a, std::numeric_limits<std::int64_t>::max());
  AppendI32(&a, -5);
  AppendU32(&b, 2);
  AppendI64(&b, std::numeric_limits<std::int64_t>::min());
  AppendI32(&b, -7);
  EXPECT_LT(a, b);
  KeyReader reader(a);
  EXPECT_EQ(reader.ReadU32(), 1u);
  EXPECT_EQ(reader.ReadI64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(reader.ReadI32(), -5);
  EXPECT_TRUE(reader.done());
}

TEST(KeyCodec, ReadingPastTheEndFails) {
  std::string key;
  AppendU32(&key, 7);
  KeyReader reader(key);
  reader.ReadI64();
  EXPECT_FALSE(reader.ok());
}

TEST(KeyCodec, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), std::nullopt);
}

}  // namespace
}  // namespace lake::storage
