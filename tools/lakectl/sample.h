// `lakectl sample`: loads real sample data through the server on first use
// (embeddings from .fvecs files or Cohere's bare 768-d rows, NAB's machine
// temperature series shifted to end now) and answers a kNN, a tenant-filtered kNN and an
// hourly time_bucket: proof that the lake works on this machine.
#pragma once

#include <string>
#include <vector>

#include "protocol/session.h"

namespace lake::tools {

struct SampleEmbeddings {
  std::string collection;
  std::string file;  // X.fvecs (texts, a line per vector, from X.txt if there) or bare 768-d rows
};

// Loads each file into its collection (cosine; created when missing) when
// that is empty, and the NAB series when missing; then the showcase.
Status RunSample(protocol::Session& session, const std::vector<SampleEmbeddings>& embeddings);

}  // namespace lake::tools
