#include <cerrno>
#include <cstring>
#include <ctime>

#include <kstreams/shutdown_signal.h>

#include <pthread.h>
#include <signal.h>

namespace kstreams {
namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

static_assert(sizeof(sigset_t) <= 128, "ShutdownSignal::old_mask_ too small");

ShutdownSignal::ShutdownSignal() {
  sigset_t set = shutdown_signals();
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &set, &old);
  std::memcpy(old_mask_, &old, sizeof old);
}

ShutdownSignal::~ShutdownSignal() {
  sigset_t old;
  std::memcpy(&old, old_mask_, sizeof old);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

int ShutdownSignal::wait() {
  sigset_t set = shutdown_signals();
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

std::optional<int> ShutdownSignal::wait_for(std::chrono::milliseconds timeout) {
  sigset_t set = shutdown_signals();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(seconds.count());
  ts.tv_nsec = static_cast<long>(std::chrono::nanoseconds(timeout - seconds).count());
  for (;;) {
    const int signal = sigtimedwait(&set, nullptr, &ts);
    if (signal > 0) return signal;
    if (errno == EAGAIN) return std::nullopt;
    // EINTR: another signal interrupted the wait; the remaining time is not tracked exactly,
    // which is fine for a shutdown wait.
  }
}

}  // namespace kstreams
