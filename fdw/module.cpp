// The lake_fdw shared library's entry: PostgreSQL checks this magic block
// when it loads the module.
#include "postgres_headers.h"

extern "C" {
PG_MODULE_MAGIC;
}
