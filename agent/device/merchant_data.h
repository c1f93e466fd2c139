// posfleet agent: the merchant's data on the terminal, which an update must
// never lose: the transaction journal and the settings (<device_dir>/data/).
//
//   journal.jsonl  one transaction a line, {"id": "...", "amount": 1234, "time": "..."},
//                  appended and fsync'ed by the payment app
//   settings.json  the merchant's settings
// backup() copies both before an install; restore() after a rollback puts the
// settings back and merges the journals: every transaction in either copy,
// once, in order — sales made during the update are kept.
// MerchantData is the seam; FileMerchantData keeps it in files, FakeMerchantData
// (fake_merchant_data.h) in memory for tests.
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
  virtual ~MerchantData() = default;
  // Into a backup called `name`, whole or not at all.
  virtual Status backup(const std::string& name) = 0;
  virtual Status restore(const std::string& name) = 0;
  virtual bool has_backup(const std::string& name) const = 0;
  virtual Status append_transaction(const std::string& id, std::int64_t amount) = 0;
  virtual Expected<std::vector<std::string>> transaction_ids() const = 0;
  // Unix seconds of the newest transaction in the journal; 0 when there is none.
  virtual Expected<std::int64_t> last_transaction_time() const { return std::int64_t{0}; }
  // True if the settings are missing or a readable JSON object.
  virtual bool settings_readable() const = 0;
};

// The merchant's data in <device_dir>/data/, backups in <device_dir>/backup/<name>.
class FileMerchantData final : public MerchantData {
 public:
  explicit FileMerchantData(const std::string& device_dir, Fs& fs = default_fs())
      : dir_(device_dir + "/data"), device_dir_(device_dir), fs_(fs) {}
  Status backup(const std::string& name) override;
  Status restore(const std::string& name) override;
  bool has_backup(const std::string& name) const override;
  Status append_transaction(const std::string& id, std::int64_t amount) override;
  Expected<std::vector<std::string>> transaction_ids() const override;
  Expected<std::int64_t> last_transaction_time() const override;
  bool settings_readable() const override;
  std::string dir() const { return dir_; }

 private:
  std::string backup_dir(const std::string& name) const { return device_dir_ + "/backup/" + name; }
  std::string dir_, device_dir_;
  Fs& fs_;
};

}  // namespace posfleet::agent
