// Runs a loop body on several threads, handing out indexes one at a time
// (cheap enough for bodies of a microsecond and up, and balanced when some
// iterations take much longer than others).
#pragma once

#include <cstddef>
#include <functional>

namespace lake {

// Calls body(index, worker) for every index in [0, count) on `threads`
// threads, the caller's being worker 0. Returns when all are done.
void ParallelFor(std::size_t count, int threads,
                 const std::function<void(std::size_t index, int worker)>& body);

}  // namespace lake
