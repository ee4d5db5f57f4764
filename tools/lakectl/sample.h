// `lakectl sample`: loads real sample data through the server on first use
// (the Cohere 768-d sample embeddings, NAB's machine temperature series
// shifted to end now) and answers a kNN, a tenant-filtered kNN and an
// hourly time_bucket: proof that the lake works on this machine.
#pragma once

#include <string>

#include "protocol/session.h"

namespace lake::tools {

// Loads the embeddings into `collection` (768-d, cosine; created when
// missing) when it is empty.
Status RunSample(protocol::Session& session, const std::string& embeddings_file,
                 const std::string& collection);

}  // namespace lake::tools
