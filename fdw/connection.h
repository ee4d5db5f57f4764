// One lake-server session per user mapping and backend, opened on first use
// and kept for the backend's life (like postgres_fdw's connection cache). A
// session whose server went away is replaced by a new one on the next use.
#pragma once

#include "common/status.h"
#include "postgres_headers.h"
#include "protocol/session.h"

extern "C" {
#include "nodes/execnodes.h"
}

namespace lake::fdw {

// Where and as whom to connect, read from the catalogs. Plain C data: it is
// filled on the PostgreSQL side of the boundary.
struct ConnectTarget {
  Oid user_mapping = InvalidOid;
  char socket_path[108] = {};
  char host[256] = {};
  int port = 0;
  char token[256] = {};
};
// The foreign server's options and the user mapping of `user` (which must
// exist and carry a token).
void ReadConnectTarget(Oid server, Oid user, ConnectTarget* target);

// The target of a running scan of a foreign table (range table entry
// `relid`): its server, and the user whose mapping the query runs with.
// The first scan of a session also recovers the server's in-doubt
// transactions of this cluster (in_doubt.h).
void ReadScanTarget(ForeignScanState* node, Index relid, ConnectTarget* target);

// The session for `target` (C++ side of the boundary), and its number: a
// session replaced after its server went away gets a new one, so that a
// transaction begun on lake-server knows it lost its connection.
Result<protocol::Session*> SessionFor(const ConnectTarget& target, std::uint64_t* number = nullptr);

}  // namespace lake::fdw
