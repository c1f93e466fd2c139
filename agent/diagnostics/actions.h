// posfleet agent: actions the back office asks of the terminal (docs/diagnostics.md), listed by
// the poll: "logs" — the agent gathers a log bundle (its status, its state files, the tail of
// each file in <device_dir>/logs/, its own recent log lines), scrubs it of card numbers and
// resident IDs (core/scrub.h), caps it at 256 KiB and uploads it; "reboot" — it reports the
// action done, then restarts the terminal as the menu's 重启设备 does. An action that could not
// be reported is done again after the next poll (the server keeps listing it until it hears).
// Thread-safety: run on the daemon's loop; keep_recent_log_lines() once at start.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace posfleet::agent {

class DdiClient;
struct Config;

inline constexpr std::size_t kMaxBundleBytes = 256 * 1024;
inline constexpr std::size_t kMaxFileTailBytes = 64 * 1024;

// Keeps the agent's last 500 log lines in memory for the bundle.
void keep_recent_log_lines();

// The bundle, scrubbed and capped. `status` is the agent's status (JSON text).
std::string log_bundle(const Config& config, const std::string& status);

// The poll's "actions": does each. `status` gives the agent's status for a bundle; `restart`
// restarts the terminal (after the reboot action was reported).
void run_actions(DdiClient& ddi, const Config& config, const boost::json::object& extension,
                 const std::function<std::string()>& status, const std::function<void()>& restart);

}  // namespace posfleet::agent
