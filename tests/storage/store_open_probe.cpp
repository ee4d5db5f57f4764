// store_open_probe DIR: exits 0 when opening DIR reports it busy, 1 otherwise.
// A separate process (not a fork of a test that already runs RocksDB's
// background threads, which can deadlock) proves the LOCK holds across
// processes.
#include <cstdio>

#include "storage/store.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = lake::storage::Store::Open(argv[1], {});
  if (store.ok()) return 1;
  std::printf("%s\n", store.status().ToString().c_str());
  return store.status().code() == lake::StatusCode::kBusy ? 0 : 1;
}
