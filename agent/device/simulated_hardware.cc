#include "agent/device/simulated_hardware.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>

#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace {

// The file's JSON object, or an empty one when the file is missing.
Expected<boost::json::object> read_hw(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error().code == Code::kNotFound
               ? Expected<boost::json::object>(boost::json::object{})
               : text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, path + " is not a JSON object");
  return v->get_object();
}

class FlockHold final : public TransactionGuard::Hold {
 public:
  explicit FlockHold(int fd) : fd_(fd) {}
  ~FlockHold() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

Expected<std::unique_ptr<TransactionGuard::Hold>> lock(const std::string& dir, bool wait) {
  if (auto s = make_dirs(dir); !s) return s.error();
  const std::string path = dir + "/transaction.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(Code::kIo, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    ::close(fd);
    return make_error(Code::kUnavailable, "a payment is in progress");
  }
  return std::unique_ptr<TransactionGuard::Hold>(std::make_unique<FlockHold>(fd));
}

}  // namespace

Expected<NetworkInfo> SimulatedHardware::network() {
  auto o = read_hw(dir_ + "/network.json");
  if (!o) return o.error();
  NetworkInfo n;
  n.kind = json::string_or(*o, "kind", n.kind);
  if (auto s = json::get_int(*o, "signal"); s) n.signal = static_cast<int>(*s);
  return n;
}

Expected<BatteryInfo> SimulatedHardware::battery() {
  auto o = read_hw(dir_ + "/battery.json");
  if (!o) return o.error();
  BatteryInfo b;
  if (auto p = json::get_int(*o, "percent"); p) b.percent = static_cast<int>(*p);
  if (auto* m = o->if_contains("mains"); m && m->is_bool()) b.mains = m->get_bool();
  return b;
}

Expected<std::uint64_t> SimulatedHardware::free_bytes() {
  auto o = read_hw(dir_ + "/storage.json");
  if (!o) return o.error();
  auto f = json::get_int(*o, "free_bytes");
  return f ? static_cast<std::uint64_t>(*f) : std::uint64_t{1} << 30;
}

Expected<std::uint64_t> SimulatedHardware::total_bytes() {
  auto o = read_hw(dir_ + "/storage.json");
  if (!o) return o.error();
  auto t = json::get_int(*o, "total_bytes");
  if (!t || *t <= 0) return make_error(Code::kNotFound, "storage.json names no total_bytes");
  return static_cast<std::uint64_t>(*t);
}

Expected<std::vector<std::string>> SimulatedHardware::connected() {
  auto o = read_hw(dir_ + "/peripherals.json");
  if (!o) return o.error();
  std::vector<std::string> out;
  if (auto a = json::get_array(*o, "connected"); a)
    for (const auto& e : **a)
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

Expected<std::unique_ptr<TransactionGuard::Hold>> SimulatedHardware::try_hold() {
  return lock(dir_, false);
}
Expected<std::unique_ptr<TransactionGuard::Hold>> SimulatedHardware::hold_blocking() {
  return lock(dir_, true);
}

}  // namespace posfleet::agent
