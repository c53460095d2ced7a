#include "examples/address_router/interruption.h"

#include <signal.h>

namespace address_router {

bool Interruption::wait_for(std::chrono::milliseconds timeout) {
  if (!signal_) signal_ = signals_.wait_for(timeout);
  return signal_.has_value();
}

void discard_late_shutdown_signals() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, nullptr);
  sigaction(SIGTERM, &ignore, nullptr);
}

}  // namespace address_router
