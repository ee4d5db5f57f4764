// `lakectl import COLLECTION FILE`: loads records from JSON lines, one
// object per line: {"id": 1, "user_id": 7, "model_version": 1,
// "embedding": [0.1, ...], "metadata": {...}}; user_id, model_version and
// metadata may be left out. Batches of 1,000 records, each all or nothing.
#pragma once

#include <string>

#include "protocol/session.h"

namespace lake::tools {

// The number of records loaded.
Result<std::size_t> ImportRecords(protocol::Session& session, const std::string& collection,
                                  const std::string& path);

}  // namespace lake::tools
