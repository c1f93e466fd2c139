#include "server/domain/sms.h"

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/clock.h"
#include "core/json.h"

namespace posfleet::domain {

Status OutboxSmsSender::send(const std::string& phone, const std::string& text) {
  std::lock_guard lock(mu_);
  std::ofstream out(path_, std::ios::app);
  if (!out)
    return make_error(Code::kIo, "cannot open SMS outbox " + path_ + ": " + std::strerror(errno));
  out << json::serialize(
             boost::json::object{{"time", format_utc(unix_now())}, {"to", phone}, {"text", text}})
      << "\n";
  out.flush();
  if (!out) return make_error(Code::kIo, "cannot write SMS outbox " + path_);
  return ok_status();
}

}  // namespace posfleet::domain
