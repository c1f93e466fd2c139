// posfleet server: how text messages (one-time codes) reach phones.
//
// SmsSender is the seam for a real SMS gateway. The default, OutboxSmsSender,
// appends each message as a JSON line to <data_dir>/sms-outbox.jsonl, which
// the operator reads (`posfleet sms outbox`), so the whole flow works on one
// machine.
// Thread-safety: send() may be called from any thread.
#pragma once

#include <mutex>
#include <string>

#include "core/result.h"

namespace posfleet::domain {

class SmsSender {
 public:
  virtual ~SmsSender() = default;
  virtual Status send(const std::string& phone, const std::string& text) = 0;
};

class OutboxSmsSender final : public SmsSender {
 public:
  explicit OutboxSmsSender(std::string path) : path_(std::move(path)) {}
  Status send(const std::string& phone, const std::string& text) override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mu_;
};

}  // namespace posfleet::domain
