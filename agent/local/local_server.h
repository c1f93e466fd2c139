// posfleet agent: the daemon's end of the local socket (<device_dir>/agent.sock)
// that the menu and `posfleet-agent set|check|install` talk to. One request per
// connection: a JSON object and a newline in, a JSON object and a newline out
// (docs/protocol.md, "The agent's local socket"). The socket file is mode 0600:
// only the terminal's own user may change its settings.
// Thread-safety: each connection is served on its own thread; the handler
// must be thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/result.h"

namespace posfleet::agent {

class LocalServer {
 public:
  using Handler = std::function<boost::json::object(const boost::json::object&)>;
  LocalServer(std::string path, Handler handler)
      : path_(std::move(path)), handler_(std::move(handler)) {}
  ~LocalServer();
  Status start();
  // Stops accepting and waits (up to 5 s) for the answers being written.
  void stop();

 private:
  void serve(int fd);
  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> serving_{0};  // connections being answered
  std::thread thread_;
};

}  // namespace posfleet::agent
