#include "agent/device/merchant_data.h"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/state/fault_injection.h"
#include "core/clock.h"
#include "core/json.h"

namespace posfleet::agent {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string id_of(const std::string& line) {
  auto v = json::parse(line);
  return v && v->is_object() ? json::string_or(v->get_object(), "id", "") : "";
}

}  // namespace

Status FileMerchantData::backup(const std::string& name) {
  fault::Scope scope("backup");
  const std::string dest = backup_dir(name), tmp = dest + ".tmp";
  if (auto s = fs_.remove(tmp); !s) return s;
  if (auto s = fs_.make_dirs(tmp); !s) return s;
  for (const char* file : {"journal.jsonl", "settings.json"}) {
    auto text = fs_.read(dir_ + "/" + file);
    if (!text && text.error().code != Code::kNotFound) return text.error();
    if (text)
      if (auto s = fs_.write_atomic(tmp + "/" + file, *text); !s) return s;
  }
  if (auto s = fs_.remove(dest); !s) return s;
  if (auto s = fs_.rename(tmp, dest); !s)
    return make_error(Code::kIo, "cannot keep the backup: " + s.error().message);
  fault::at_point("renamed");
  if (auto s = fs_.sync_dir(device_dir_ + "/backup"); !s) return s;
  // backup/ itself may be new: without this a power cut before anything else
  // syncs the device folder loses every backup, and a rollback cannot restore
  // the settings (powercut_test, health_fail|point:slot.json:synced@1).
  return fs_.sync_dir(device_dir_);
}

bool FileMerchantData::has_backup(const std::string& name) const {
  return fs_.exists(backup_dir(name));
}

Status FileMerchantData::restore(const std::string& name) {
  fault::Scope scope("restore");
  const std::string from = backup_dir(name);
  if (!fs_.exists(from)) return make_error(Code::kNotFound, "no backup " + name);
  if (auto s = fs_.make_dirs(dir_); !s) return s;
  if (auto settings = fs_.read(from + "/settings.json"); settings) {
    if (auto s = fs_.write_atomic(dir_ + "/settings.json", *settings); !s) return s;
  } else if (auto s = fs_.remove(dir_ + "/settings.json"); !s) {
    return s;
  }
  // Journal: the backup's entries, then whatever was recorded since, each once.
  auto saved = fs_.read(from + "/journal.jsonl");
  auto now = fs_.read(dir_ + "/journal.jsonl");
  std::set<std::string> seen;
  std::string merged;
  for (const auto* text : {&saved, &now}) {
    if (!*text) continue;
    for (const auto& line : lines_of(**text)) {
      const std::string id = id_of(line);
      if (seen.insert(id.empty() ? "line:" + line : id).second) merged += line + "\n";
    }
  }
  return fs_.write_atomic(dir_ + "/journal.jsonl", merged);
}

Status FileMerchantData::append_transaction(const std::string& id, std::int64_t amount) {
  fault::Scope scope("append");
  if (auto s = fs_.make_dirs(dir_); !s) return s;
  const std::string path = dir_ + "/journal.jsonl";
  const std::string line = json::serialize(boost::json::object{
                               {"id", id}, {"amount", amount}, {"time", format_utc(unix_now())}}) +
                           "\n";
  const bool first = !fs_.exists(path);
  auto f = fs_.open_append(path, /*truncate=*/false);
  if (!f) return make_error(Code::kIo, "cannot open the journal: " + f.error().message);
  if (auto s = (*f)->append(line); !s)
    return make_error(Code::kIo,
                      "cannot record the transaction (is the storage full?): " + s.error().message);
  fault::at_point("written");
  if (auto s = (*f)->sync(); !s)
    return make_error(Code::kIo,
                      "cannot record the transaction (is the storage full?): " + s.error().message);
  // The journal's first append created it: its name must reach the disk too,
  // or a power cut loses the whole journal (powercut_test, point:append/done).
  if (first)
    if (auto s = fs_.sync_dir(dir_); !s)
      return make_error(Code::kIo, "cannot record the transaction: " + s.error().message);
  fault::at_point("done");  // the sale is recorded: a cut from here on must keep it
  return ok_status();
}

Expected<std::vector<std::string>> FileMerchantData::transaction_ids() const {
  auto text = fs_.read(dir_ + "/journal.jsonl");
  if (!text)
    return text.error().code == Code::kNotFound
               ? Expected<std::vector<std::string>>(std::vector<std::string>{})
               : text.error();
  std::vector<std::string> ids;
  for (const auto& line : lines_of(*text)) ids.push_back(id_of(line));
  return ids;
}

Expected<std::int64_t> FileMerchantData::last_transaction_time() const {
  // The journal's last line, read from its last 4 KiB: a day's sales are not read to find it.
  std::ifstream f(dir_ + "/journal.jsonl", std::ios::binary | std::ios::ate);
  if (!f) return std::int64_t{0};
  const std::streamoff size = f.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  f.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  f.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  const auto lines = lines_of(tail);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    auto v = json::parse(*it);
    if (!v || !v->is_object()) continue;  // a line cut by the 4 KiB, or half-written
    if (auto t = parse_utc(json::string_or(v->get_object(), "time", "")); t) return *t;
  }
  return std::int64_t{0};
}

bool FileMerchantData::settings_readable() const {
  auto text = fs_.read(dir_ + "/settings.json");
  if (!text) return text.error().code == Code::kNotFound;
  auto v = json::parse(*text);
  return v && v->is_object();
}

}  // namespace posfleet::agent
