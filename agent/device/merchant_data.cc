#include "agent/device/merchant_data.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace fs = std::filesystem;

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
  const std::string dest = backup_dir(name), tmp = dest + ".tmp";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (auto s = make_dirs(tmp); !s) return s;
  for (const char* file : {"journal.jsonl", "settings.json"}) {
    auto text = read_file(dir_ + "/" + file);
    if (!text && text.error().code != Code::kNotFound) return text.error();
    if (text)
      if (auto s = write_file_atomic(tmp + "/" + file, *text); !s) return s;
  }
  fs::remove_all(dest, ec);
  fs::rename(tmp, dest, ec);
  if (ec) return make_error(Code::kIo, "cannot keep the backup: " + ec.message());
  return fsync_dir(fs::path(dest).parent_path().string());
}

bool FileMerchantData::has_backup(const std::string& name) const {
  return fs::exists(backup_dir(name));
}

Status FileMerchantData::restore(const std::string& name) {
  const std::string from = backup_dir(name);
  if (!fs::exists(from)) return make_error(Code::kNotFound, "no backup " + name);
  if (auto s = make_dirs(dir_); !s) return s;
  if (auto settings = read_file(from + "/settings.json"); settings) {
    if (auto s = write_file_atomic(dir_ + "/settings.json", *settings); !s) return s;
  } else {
    std::error_code ec;
    fs::remove(dir_ + "/settings.json", ec);
  }
  // Journal: the backup's entries, then whatever was recorded since, each once.
  auto saved = read_file(from + "/journal.jsonl");
  auto now = read_file(dir_ + "/journal.jsonl");
  std::set<std::string> seen;
  std::string merged;
  for (const auto* text : {&saved, &now}) {
    if (!*text) continue;
    for (const auto& line : lines_of(**text)) {
      const std::string id = id_of(line);
      if (seen.insert(id.empty() ? "line:" + line : id).second) merged += line + "\n";
    }
  }
  return write_file_atomic(dir_ + "/journal.jsonl", merged);
}

Status FileMerchantData::append_transaction(const std::string& id, std::int64_t amount) {
  if (auto s = make_dirs(dir_); !s) return s;
  const std::string path = dir_ + "/journal.jsonl";
  const std::string line = json::serialize(boost::json::object{
                               {"id", id}, {"amount", amount}, {"time", format_utc(unix_now())}}) +
                           "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return make_error(Code::kIo, "cannot open the journal: " + std::string(std::strerror(errno)));
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error(Code::kIo, "cannot record the transaction (is the storage full?)");
  return ok_status();
}

Expected<std::vector<std::string>> FileMerchantData::transaction_ids() const {
  auto text = read_file(dir_ + "/journal.jsonl");
  if (!text)
    return text.error().code == Code::kNotFound
               ? Expected<std::vector<std::string>>(std::vector<std::string>{})
               : text.error();
  std::vector<std::string> ids;
  for (const auto& line : lines_of(*text)) ids.push_back(id_of(line));
  return ids;
}

bool FileMerchantData::settings_readable() const {
  auto text = read_file(dir_ + "/settings.json");
  if (!text) return text.error().code == Code::kNotFound;
  auto v = json::parse(*text);
  return v && v->is_object();
}

}  // namespace posfleet::agent
