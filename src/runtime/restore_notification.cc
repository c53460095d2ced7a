#include "src/runtime/restore_notification.h"

#include <exception>

#include "src/core/logging.h"

namespace kstreams::internal {

void notify_restore(const StateRestoreListener* listener, RestoreCallback callback,
                    const RestoreEvent& event, std::string_view who) {
  if (listener == nullptr || !(listener->*callback)) return;
  try {
    (listener->*callback)(event);
  } catch (const std::exception& e) {
    logger().warn("{}: the state restore listener threw: {}", who, e.what());
  }
}

}  // namespace kstreams::internal
