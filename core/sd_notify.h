// posfleet core: telling systemd how the service is doing (the sd_notify
// protocol, written directly to $NOTIFY_SOCKET: no libsystemd needed).
//
// A Type=notify unit is "started" when the process sends READY=1: posfleetd
// sends it once its port accepts connections, posfleet-agent once its daemon
// runs. STOPPING=1 at the start of a drain; with WatchdogSec= set, systemd
// passes WATCHDOG_USEC and expects WATCHDOG=1 at least that often.
// Without NOTIFY_SOCKET every call does nothing and succeeds (not under
// systemd). The socket is a unix datagram socket: a path, or "@name" for the
// abstract namespace.
// Thread-safety: every function may be called from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace posfleet::sd {

// Sends `state` (e.g. "READY=1\nSTATUS=serving") to $NOTIFY_SOCKET; ok when
// NOTIFY_SOCKET is unset. An error says why the message could not be sent.
Status notify(std::string_view state);

// The watchdog interval systemd asked for (WATCHDOG_USEC, when WATCHDOG_PID is
// unset or ours), or nullopt.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace posfleet::sd
