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

// `lakectl import-points FILE`: time-series points from JSON lines:
// {"user_id": 1, "metric": "cpu", "tags": {"host": "a"}, "ts": <Unix µs>,
//  "value": 0.5} for metrics, or "kind": "event" | "state" with a string
// value. Series are created on first use; points go in batches of 10,000.
Result<std::size_t> ImportPoints(protocol::Session& session, const std::string& path);

}  // namespace lake::tools
