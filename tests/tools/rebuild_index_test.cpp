// The offline rebuild tool, run as a program against a real data directory.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "support/sample_data.h"
#include "support/temp_dir.h"
#include "vectors/vector_engine.h"

namespace lake::vectors {
namespace {

struct ToolRun {
  int exit_code;
  std::string output;
};

ToolRun RunTool(const std::string& arguments) {
  const std::string command = std::string(REBUILD_TOOL) + " " + arguments + " 2>&1";
  ToolRun run{-1, {}};
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr)
    run.output += buffer;
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class RebuildIndexToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto sift = lake::testing::LoadSift5k();
    auto store = storage::Store::Open(dir_.str(), {});
    auto engine = VectorEngine::Open(store->get());
    CollectionSpec spec;
    spec.name = "sift";
    spec.dimension = 128;
    ASSERT_TRUE((*engine)->CreateCollection(spec).ok());
    std::vector<VectorRecord> records(sift.rows);
    for (std::size_t r = 0; r < sift.rows; ++r) {
      records[r].id = std::int64_t(r) * 10;  // sparse ids
      records[r].embedding.assign(sift.row(r), sift.row(r) + 128);
    }
    ASSERT_TRUE((*engine)->Upsert("sift", records).ok());
  }
  lake::testing::TempDir dir_;
};

TEST_F(RebuildIndexToolTest, RebuildsWithNewSettingsVerifiesRecallAndWritesASnapshot) {
  const ToolRun run = RunTool("--data-dir " + dir_.str() + " --m 24 --ef-construction 100");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("5000/5000 rows"), std::string::npos) << run.output;
  const auto at = run.output.find("recall@10 on stored vectors ");
  ASSERT_NE(at, std::string::npos) << run.output;
  EXPECT_GE(std::stod(run.output.substr(at + 28)), 0.95) << run.output;

  auto store = storage::Store::Open(dir_.str(), {});
  auto engine = VectorEngine::Open(store->get());
  ASSERT_TRUE(engine.ok());
  const auto info = (*engine)->DescribeCollection("sift");
  EXPECT_EQ(info->spec.index.hnsw_m, 24);
  EXPECT_EQ(info->spec.index.hnsw_ef_construction, 100);
  EXPECT_GT(info->index_bytes, 0u);
}

TEST_F(RebuildIndexToolTest, RefusesWhileTheDirectoryIsHeld) {
  auto holder = storage::Store::Open(dir_.str(), {});
  ASSERT_TRUE(holder.ok());
  const ToolRun run = RunTool("--data-dir " + dir_.str());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("in use by another lake process"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("stop the lake server first"), std::string::npos) << run.output;
}

TEST_F(RebuildIndexToolTest, ClearErrorsForBadArguments) {
  EXPECT_EQ(RunTool("").exit_code, 64);
  EXPECT_EQ(RunTool("--data-dir " + dir_.str() + " --m zero").exit_code, 64);
  const ToolRun unknown = RunTool("--data-dir " + dir_.str() + " --collection nope");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("unknown collection 'nope'"), std::string::npos) << unknown.output;
  const ToolRun missing = RunTool("--data-dir " + dir_.Sub("absent"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("no lake data directory"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace lake::vectors
