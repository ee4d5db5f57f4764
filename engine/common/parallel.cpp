#include "common/parallel.h"

#include "common/interrupt.h"

#include <atomic>
#include <thread>
#include <vector>

namespace lake {

void ParallelFor(std::size_t count, int threads,
                 const std::function<void(std::size_t index, int worker)>& body) {
  std::atomic<std::size_t> next{0};
  // The helpers serve the caller's request: its interrupt is theirs.
  const Interrupt* interrupt = CurrentInterrupt();
  const auto work = [&](int worker) {
    InterruptScope scope(interrupt);
    for (std::size_t i = next++; i < count; i = next++)
      body(i, worker);
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back(work, t);
  work(0);
  for (auto& worker : workers)
    worker.join();
}

}  // namespace lake
