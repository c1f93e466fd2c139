// posfleet agent, tests only: the merchant's data in memory. A backup is a
// copy; restore puts the settings back and merges the journals as the file
// version does (every transaction in either copy, once, in order). The next
// `fail_backup` / `fail_restore` calls fail with kIo.
// Thread-safety: one thread.
#pragma once

#include <algorithm>
#include <map>

#include "agent/device/merchant_data.h"

namespace posfleet::agent {

class FakeMerchantData final : public MerchantData {
 public:
  Status backup(const std::string& name) override {
    if (fail_backup > 0 && fail_backup--) return make_error(Code::kIo, "backup: disk full");
    backups[name] = {journal, settings_ok};
    return ok_status();
  }
  Status restore(const std::string& name) override {
    if (fail_restore > 0 && fail_restore--) return make_error(Code::kIo, "restore: read error");
    auto b = backups.find(name);
    if (b == backups.end()) return make_error(Code::kNotFound, "no backup " + name);
    std::vector<std::string> merged = b->second.journal;
    for (const auto& id : journal)
      if (std::find(merged.begin(), merged.end(), id) == merged.end()) merged.push_back(id);
    journal = std::move(merged);
    settings_ok = b->second.settings_ok;
    ++restores;
    return ok_status();
  }
  bool has_backup(const std::string& name) const override { return backups.count(name) > 0; }
  Status append_transaction(const std::string& id, std::int64_t) override {
    journal.push_back(id);
    return ok_status();
  }
  Expected<std::vector<std::string>> transaction_ids() const override { return journal; }
  bool settings_readable() const override { return settings_ok; }

  struct Copy {
    std::vector<std::string> journal;
    bool settings_ok = true;
  };
  std::vector<std::string> journal;
  bool settings_ok = true;
  std::map<std::string, Copy> backups;
  int fail_backup = 0, fail_restore = 0, restores = 0;
};

}  // namespace posfleet::agent
