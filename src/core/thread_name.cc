#include "src/core/thread_name.h"

#include <string>

#include <pthread.h>

namespace kstreams::internal {

void name_thread(std::thread& thread, std::string_view name) {
  constexpr std::size_t kLinuxLimit = 15;  // TASK_COMM_LEN - 1
  const std::string kept(name.substr(0, kLinuxLimit));
  static_cast<void>(pthread_setname_np(thread.native_handle(), kept.c_str()));
}

}  // namespace kstreams::internal
