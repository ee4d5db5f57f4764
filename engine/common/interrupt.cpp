#include "common/interrupt.h"

#include <string>

namespace lake {

namespace {
thread_local const Interrupt* current_interrupt = nullptr;
}

const Interrupt* CurrentInterrupt() {
  return current_interrupt;
}

InterruptScope::InterruptScope(const Interrupt* interrupt) : previous_(current_interrupt) {
  current_interrupt = interrupt;
}

InterruptScope::~InterruptScope() {
  current_interrupt = previous_;
}

Status CheckInterrupt() {
  const Interrupt* interrupt = current_interrupt;
  if (interrupt == nullptr) return Status::Ok();
  if (interrupt->cancelled.load(std::memory_order_relaxed))
    return Status::Cancelled(std::string("request cancelled: ") + interrupt->cancel_reason.load());
  if (Interrupt::Clock::now() >= interrupt->deadline)
    return Status::Cancelled("request cancelled: its deadline passed");
  return Status::Ok();
}

}  // namespace lake
