// File: src/runtime/restore_notification.h (private)
//
// Calling the application's StateRestoreListener, the same way for the stream threads' task
// stores and for the global tables restored at start: only the callbacks it set, and an
// exception it throws is logged, never propagated into kstreams' threads.
#pragma once

#include <functional>
#include <string_view>

#include <kstreams/restore_listener.h>

namespace kstreams::internal {

/// One of StateRestoreListener's callbacks.
using RestoreCallback = std::function<void(const RestoreEvent&)> StateRestoreListener::*;

/// Calls `callback` of `listener` with `event`; nothing when either is unset. `who` names the
/// caller in the log line of a throwing callback.
void notify_restore(const StateRestoreListener* listener, RestoreCallback callback,
                    const RestoreEvent& event, std::string_view who);

}  // namespace kstreams::internal
