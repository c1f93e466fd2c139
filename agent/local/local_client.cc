#include "agent/local/local_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "core/json.h"

namespace posfleet::agent {

namespace {

// Replies are a few kB (status, a page of notifications); anything far larger
// means the peer is not our daemon, so stop reading rather than grow forever.
constexpr std::size_t kMaxReply = 1 << 20;

// Closes the descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error sys_error(Code code, const std::string& what, const std::string& path) {
  return make_error(code, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

LocalClient::LocalClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

Expected<boost::json::object> LocalClient::exchange(const boost::json::object& request,
                                                    int timeout_seconds) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path))
    return make_error(Code::kInvalidArgument,
                      "socket path " + socket_path_ + " is longer than " +
                          std::to_string(sizeof(addr.sun_path) - 1) +
                          " bytes; use a shorter device_dir in the agent config");
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return sys_error(Code::kIo, "cannot create a socket for", socket_path_);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    // ENOENT: the daemon never ran here; ECONNREFUSED: a stale socket file of a
    // daemon that stopped; EAGAIN: its backlog is full. All mean "not serving".
    if (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN)
      return sys_error(Code::kUnavailable, "no update daemon is listening on", socket_path_);
    return sys_error(Code::kIo, "cannot connect to", socket_path_);
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  auto wait_for = [&](short events) -> Status {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return make_error(Code::kNetwork, "the update daemon did not answer within " +
                                              std::to_string(timeout_seconds) + " s");
      pollfd p{fd.get(), events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return ok_status();
      if (n < 0 && errno != EINTR) return sys_error(Code::kIo, "cannot wait on", socket_path_);
    }
  };

  std::string out = json::serialize(request) + "\n";
  for (std::size_t sent = 0; sent < out.size();) {
    if (auto s = wait_for(POLLOUT); !s) return s.error();
    ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(Code::kIo, "cannot send the request to", socket_path_);
    sent += static_cast<std::size_t>(n);
  }

  std::string in;
  char buf[4096];
  for (;;) {
    if (auto s = wait_for(POLLIN); !s) return s.error();
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(Code::kIo, "cannot read the answer from", socket_path_);
    if (n == 0) break;  // the daemon closed: the answer is complete
    in.append(buf, static_cast<std::size_t>(n));
    if (in.find('\n') != std::string::npos) break;
    if (in.size() > kMaxReply)
      return make_error(Code::kParse, "the answer on " + socket_path_ +
                                          " is larger than 1 MiB; is it the update daemon?");
  }
  if (auto nl = in.find('\n'); nl != std::string::npos) in.resize(nl);
  if (in.empty())
    return make_error(Code::kUnavailable, "the update daemon on " + socket_path_ +
                                              " closed the connection without an answer");
  auto v = json::parse(in);
  if (!v) return v.error().with_context("answer from " + socket_path_);
  if (!v->is_object())
    return make_error(Code::kParse, "the answer from " + socket_path_ + " is not a JSON object");
  return std::move(v->get_object());
}

}  // namespace posfleet::agent
