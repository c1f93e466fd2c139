// posfleet agent menu, internal: one run of the menu — its input, output,
// language and the daemon connection — with one method per screen. Screens
// live in menu.cc (main, settings, language, about, support),
// update_screens.cc (software update, automatic update, check, notifications)
// and device_screens.cc (restart, reset settings).
// Thread-safety: one thread.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/local/local_client.h"
#include "agent/menu/strings.h"

namespace posfleet::agent::menu {

// What a screen tells its parent: redisplay yourself (kBack), or unwind to the
// top because input ended (kExit) or the daemon is gone (kFail).
enum class Nav { kBack, kExit, kFail };

class Session {
 public:
  Session(LocalClient& client, std::istream& in, std::ostream& out, Language lang)
      : client_(client), in_(in), out_(out), lang_(lang) {}

  Language language() const { return lang_; }
  void set_time_zone(std::string tz) { time_zone_ = std::move(tz); }
  void set_language(Language lang) { lang_ = lang; }

  // Calls the daemon. On failure prints what happened in the menu language and
  // returns nullopt; after that, failed() tells whether the daemon is
  // unreachable (the menu then ends with exit code 1).
  std::optional<boost::json::object> call(boost::json::object request, int timeout_seconds = 20);
  std::optional<boost::json::object> status() { return call({{"cmd", "status"}}); }
  bool failed() const { return failed_; }
  // What a screen returns when call() gave nullopt.
  Nav on_call_failure() const { return failed_ ? Nav::kFail : Nav::kBack; }

  Nav main_menu();

 private:
  struct Item {
    int number;
    std::string label;
  };
  // Shows a screen — blank line, "== title ==", `lines`, `items`, "0. <zero>"
  // and a prompt — and reads until the user enters one of the shown numbers.
  // nullopt when input ends.
  // With `refresh`, on a terminal (a TTY) the screen redraws itself every
  // two seconds while the lines it returns change (a running update).
  using Refresh = std::function<std::optional<std::vector<std::string>>()>;
  std::optional<int> choose(Msg title, std::vector<std::string> lines,
                            const std::vector<Item>& items, Msg zero = Msg::kItemBack,
                            const Refresh& refresh = {});
  void draw(Msg title, const std::vector<std::string>& lines, const std::vector<Item>& items,
            Msg zero);
  // Waits for a typed line, calling `refresh` every two seconds meanwhile;
  // true when input is ready.
  bool wait_for_input(const std::function<void()>& refresh);
  std::optional<std::string> read_line();
  void print_title(Msg title);
  // Prints the daemon's message_zh / message_en (or its error) for the menu
  // language, as a notification: 【已完成】… or 【未完成】….
  void show_reply(const boost::json::object& reply);
  // A time the daemon wrote ("2026-11-24T10:00:00Z") in the terminal's time zone.
  std::string local_time(std::string_view iso) const;
  // The last update's result in words, with what to do after a failure.
  std::vector<std::string> last_update_lines(const boost::json::object& status) const;
  std::string t(Msg id, std::initializer_list<std::string_view> args = {}) const {
    return tr(id, lang_, args);
  }

  Nav settings();
  Nav restart_device();
  Nav reset_settings();
  Nav language_screen();
  Nav about();
  Nav parameters();
  Nav unlock();
  Nav support();
  // update_screens.cc
  Nav software_update();
  Nav auto_update();
  Nav check_for_updates();
  std::vector<std::string> update_lines(const boost::json::object& status);
  // Lets the merchant tick components (mandatory and depended-on ones cannot be
  // unticked, and the screen says why); nullopt when they go back.
  std::optional<std::vector<std::string>> choose_components(const boost::json::object& update);
  Nav notifications();
  void describe_update(const boost::json::object& update, std::vector<std::string>& lines) const;

  LocalClient& client_;
  std::istream& in_;
  std::ostream& out_;
  Language lang_;
  bool failed_ = false;
  std::string time_zone_;  // the terminal's, as the daemon reports it; "" = UTC
};

// Helpers shared by the screens.
const boost::json::object* object_field(const boost::json::object& o, std::string_view key);
// "2026-11-24T10:00:00Z" → "2026-11-24 18:00" in the IANA time zone `tz`
// (Asia/Shanghai here), or "2026-11-24 10:00 UTC" when tz is "" or unknown;
// other text unchanged.
std::string display_time(std::string_view iso, const std::string& tz = "");

}  // namespace posfleet::agent::menu
