#include "agent/local/local_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/json.h"

namespace posfleet::agent {

LocalServer::~LocalServer() { stop(); }

Status LocalServer::start() {
  sockaddr_un addr{};
  if (path_.size() >= sizeof(addr.sun_path))
    return make_error(Code::kInvalidArgument, "socket path " + path_ + " is longer than " +
                                                  std::to_string(sizeof(addr.sun_path) - 1) +
                                                  " bytes; use a shorter device_dir");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return make_error(Code::kIo, std::string("socket: ") + std::strerror(errno));
  ::unlink(path_.c_str());  // a stale socket from a killed daemon
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    auto e = make_error(Code::kIo, "cannot listen on " + path_ + ": " + std::strerror(errno));
    ::close(listen_fd_);
    listen_fd_ = -1;
    return e;
  }
  ::chmod(path_.c_str(), 0600);
  thread_ = std::thread([this] {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++serving_;
      std::thread([this, fd] {
        serve(fd);
        --serving_;
      }).detach();
    }
  });
  return ok_status();
}

void LocalServer::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (serving_ > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(path_.c_str());
  }
}

void LocalServer::serve(int fd) {
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos && line.size() < (1 << 20)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  boost::json::object reply;
  auto v = json::parse(line.substr(0, line.find('\n')));
  if (!v || !v->is_object()) {
    reply = {{"ok", false},
             {"error", "invalid"},
             {"message_zh", "请求格式错误"},
             {"message_en", "malformed request"}};
  } else {
    try {
      reply = handler_(v->get_object());
    } catch (const std::exception& e) {
      spdlog::error("local request failed: {}", e.what());
      reply = {{"ok", false},
               {"error", "internal"},
               {"message_zh", "内部错误"},
               {"message_en", "internal error"}};
    }
  }
  std::string out = json::serialize(reply) + "\n";
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace posfleet::agent
