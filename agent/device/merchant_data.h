// posfleet agent: the merchant's data on the terminal, which an update must
// never lose: the transaction journal and the settings (<device_dir>/data/).
//
//   journal.jsonl  one transaction a line, {"id": "...", "amount": 1234, "time": "..."},
//                  appended and fsync'ed by the payment app
//   settings.json  the merchant's settings
// backup() copies both before an install; restore() after a rollback puts the
// settings back and merges the journals: every transaction in either copy,
// once, in order — sales made during the update are kept.
// Thread-safety: the payment app appends only while it holds the
// TransactionGuard, and the agent restores only while holding it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/result.h"

namespace posfleet::agent {

class MerchantData {
 public:
  explicit MerchantData(const std::string& device_dir, Fs& fs = default_fs())
      : dir_(device_dir + "/data"), device_dir_(device_dir), fs_(fs) {}
  Status backup(const std::string& name);  // into <device_dir>/backup/<name>, whole or not at all
  Status restore(const std::string& name);
  bool has_backup(const std::string& name) const;
  Status append_transaction(const std::string& id, std::int64_t amount);
  Expected<std::vector<std::string>> transaction_ids() const;
  // True if settings.json is missing or a readable JSON object.
  bool settings_readable() const;
  std::string dir() const { return dir_; }

 private:
  std::string backup_dir(const std::string& name) const { return device_dir_ + "/backup/" + name; }
  std::string dir_, device_dir_;
  Fs& fs_;
};

}  // namespace posfleet::agent
