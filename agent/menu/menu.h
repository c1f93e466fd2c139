// posfleet agent: `posfleet-agent menu`, the terminal's POS-style menu.
//
// A numbered text menu (number, then Enter; 0 goes back, 0 on the main menu
// exits) in Chinese by default or English: Settings → Software update
// (automatic update on / manual / never, check for updates, update
// notifications) and Language; About this terminal; Contact support. It holds
// no state of its own: every screen asks the running daemon over the local
// socket (agent/local/local_client.h), so what it shows is what the daemon
// will act on.
// Thread-safety: run on one thread; it blocks on `in` and on the daemon.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "agent/local/local_client.h"
#include "agent/menu/strings.h"

namespace posfleet::agent {

struct Config;

namespace menu {

// Runs the menu until the user exits (0 on the main menu) or `in` ends.
// `lang`: the menu language; nullopt uses the language setting the daemon
// reports (zh-CN if it reports none). Returns the process exit code: 0 after a
// normal exit or end of input, 1 when the daemon cannot be reached (the screen
// says so and what to do).
int run_menu(LocalClient& client, std::istream& in, std::ostream& out,
             std::optional<Language> lang);

// `posfleet-agent -c CONFIG menu [--lang zh-CN|en]` on stdin/stdout, talking to
// <config.device_dir>/agent.sock. `lang_flag` is "" when --lang was not given.
// Returns the exit code: as run_menu, or 2 for an unknown --lang value.
int run_menu_command(const Config& config, const std::string& lang_flag);

}  // namespace menu
}  // namespace posfleet::agent
