#include "agent/settings/lock.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <filesystem>
#include <mutex>

#include "agent/ddi/ddi_client.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/text.h"

namespace posfleet::agent {

namespace bj = boost::json;

namespace {

// The daemon's loop and the menu (through the local socket) both change the file: each change
// reads, decides and writes under this.
std::mutex g_file_mu;

std::string bounded_text(const bj::object& o, const char* key, std::size_t max_chars) {
  std::string s = json::string_or(o, key, "");
  if (!text::check_field(key, s, max_chars)) return {};
  return s;
}

}  // namespace

std::string lock_file_path(const std::string& device_dir) {
  return device_dir + "/state/lock.json";
}

Expected<std::optional<TerminalLock>> LockFile::load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return std::optional<TerminalLock>();
  auto text = read_file(path_);
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, path_ + " is not a JSON object");
  const auto& o = v->get_object();
  TerminalLock l;
  auto id = json::get_int(o, "id");
  if (!id) return make_error(Code::kParse, path_ + ": no lock id");
  l.id = *id;
  l.locked = !o.contains("locked") || o.at("locked") != false;
  l.reason = json::string_or(o, "reason", "");
  l.support_phone = json::string_or(o, "support_phone", "");
  l.locked_at = json::string_or(o, "locked_at", "");
  if (auto* c = o.if_contains("check"); c && c->is_object()) {
    auto check = unlock_check_from_json(c->get_object());
    if (check) l.check = *check;
  }
  if (auto n = json::get_int(o, "wrong_tries")) l.wrong_tries = static_cast<int>(*n);
  if (auto n = json::get_int(o, "wait_until")) l.wait_until = *n;
  l.report = json::string_or(o, "report", "");
  return std::optional<TerminalLock>(std::move(l));
}

Status LockFile::save(const TerminalLock& l) const {
  bj::object o{{"id", l.id},
               {"locked", l.locked},
               {"reason", l.reason},
               {"support_phone", l.support_phone},
               {"locked_at", l.locked_at},
               {"check", to_json(l.check)},
               {"wrong_tries", l.wrong_tries},
               {"wait_until", l.wait_until},
               {"report", l.report}};
  return write_file_atomic(path_, json::serialize(o), 0600);
}

Status LockFile::remove() const {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  if (ec) return make_error(Code::kIo, "cannot remove " + path_ + ": " + ec.message());
  return fsync_dir(std::filesystem::path(path_).parent_path().string());
}

void sync_lock(DdiClient& ddi, const LockFile& file, const bj::object& extension) {
  std::unique_lock guard(g_file_mu);
  auto current = file.load();
  if (!current) {
    spdlog::error("lock: {}; the terminal stays locked", current.error().message);
    return;
  }
  std::optional<TerminalLock> have = std::move(*current);
  const auto* notice = extension.if_contains("lock");
  if (notice && notice->is_object()) {
    const auto& o = notice->get_object();
    auto id = json::get_int(o, "id");
    const bool locked = !o.contains("locked") || o.at("locked") != false;
    if (id && *id > 0) {
      if (locked && (!have || have->id != *id)) {
        TerminalLock l;
        l.id = *id;
        l.reason = bounded_text(o, "reason", 500);
        l.support_phone = bounded_text(o, "support_phone", 40);
        l.locked_at = bounded_text(o, "locked_at", 32);
        const auto* check = o.if_contains("check");
        auto parsed = check && check->is_object()
                          ? unlock_check_from_json(check->get_object())
                          : Expected<UnlockCheck>(make_error(Code::kParse, "no check"));
        // A lock without a usable check still locks: only the server can lift it then.
        if (parsed) l.check = *parsed;
        if (auto s = file.save(l); !s) {
          spdlog::error("lock: not kept: {}", s.error().message);
          return;
        }
        spdlog::warn("lock: this terminal is locked from the back office (lock {})", l.id);
        have = std::move(l);
      } else if (!locked && have && have->id == *id && have->locked) {
        have->locked = false;
        have->report = "remote";
        if (auto s = file.save(*have); !s) return spdlog::error("lock: {}", s.error().message);
        spdlog::info("lock: lifted from the back office");
      }
    }
  }
  if (!have || have->report.empty()) return;
  const TerminalLock told = *have;
  guard.unlock();  // not held across the network
  if (auto s = ddi.lock_report(told.id, told.report); !s) {
    spdlog::warn("lock: the unlock was not told to the server: {}; told after the next poll",
                 s.error().message);
    return;
  }
  guard.lock();
  auto now = file.load();
  if (now && *now && (*now)->id == told.id && !(*now)->locked)
    if (auto s = file.remove(); !s) spdlog::warn("lock: {}", s.error().message);
}

Expected<UnlockResult> try_unlock(const LockFile& file, const std::string& code, std::int64_t now) {
  std::lock_guard guard(g_file_mu);
  auto current = file.load();
  if (!current) return current.error();
  if (!*current || !(*current)->locked) return UnlockResult{UnlockOutcome::kNotLocked};
  TerminalLock& l = **current;
  if (now < l.wait_until)
    return UnlockResult{UnlockOutcome::kWait, 0, static_cast<int>(l.wait_until - now)};
  auto ok = matches_unlock_check(l.check, code);
  if (ok && *ok) {
    l.locked = false;
    l.report = "code";
    l.wrong_tries = 0;
    if (auto s = file.save(l); !s) return s.error();
    return UnlockResult{UnlockOutcome::kUnlocked};
  }
  ++l.wrong_tries;
  UnlockResult r{UnlockOutcome::kWrong, std::max(0, kFreeTries - l.wrong_tries), 0};
  if (l.wrong_tries >= kFreeTries) {
    l.wait_until = now + kWaitAfterWrongSeconds;
    r.wait_seconds = kWaitAfterWrongSeconds;
  }
  if (auto s = file.save(l); !s) return s.error();
  return r;
}

bool terminal_locked(const std::string& device_dir) {
  auto l = LockFile(lock_file_path(device_dir)).load();
  if (!l) return true;
  return *l && (*l)->locked;
}

}  // namespace posfleet::agent
