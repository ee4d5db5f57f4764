// When a running request must stop: its deadline passed, or its client
// went away. Long loops in the engines call CheckInterrupt() every so often
// (as PostgreSQL's CHECK_FOR_INTERRUPTS) and give up with kCancelled; the
// request that set the scope answers that error. Outside any scope (tools,
// tests, recovery) nothing interrupts.
#pragma once

#include <atomic>
#include <chrono>

#include "common/status.h"

namespace lake {

struct Interrupt {
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline = Clock::time_point::max();
  // Set from another thread (the server, when the client hangs up).
  std::atomic<bool> cancelled{false};
  std::atomic<const char*> cancel_reason{"the client went away"};  // a literal
};

// The interrupt of the calling thread's request, if any.
const Interrupt* CurrentInterrupt();

// Makes `interrupt` the calling thread's for the scope's life.
class InterruptScope {
 public:
  explicit InterruptScope(const Interrupt* interrupt);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  const Interrupt* previous_;
};

// kCancelled once the calling thread's request must stop; Ok otherwise.
Status CheckInterrupt();

}  // namespace lake
