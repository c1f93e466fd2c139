// posfleet agent: client side of the daemon's local control socket.
//
// The daemon (`posfleet-agent run`) listens on <device_dir>/agent.sock, a
// SOCK_STREAM Unix socket. One request per connection: the client writes one
// JSON object and "\n", the daemon answers one JSON object and "\n", then
// closes. Commands: status, set (update-mode | language), check, install,
// notifications, ticket; every reply has "ok", and a failed one carries
// "error" plus message_zh / message_en for the screen.
//
// Plain POSIX sockets on purpose: the menu is a short-lived foreground program
// and needs no event loop.
// Thread-safety: a LocalClient holds only the path; call() opens its own
// connection, so concurrent calls from several threads are safe.
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "core/result.h"

namespace posfleet::agent {

class LocalClient {
 public:
  explicit LocalClient(std::string socket_path);
  virtual ~LocalClient() = default;

  // Sends `request`, waits at most `timeout_seconds` for the whole answer and
  // returns the daemon's reply object (whether its "ok" is true or false).
  // Errors: kUnavailable when nothing listens on the socket (missing file,
  // connection refused); kNetwork when the daemon does not answer in time;
  // kParse when the answer is not one JSON object; kIo for other socket errors.
  Expected<boost::json::object> call(const boost::json::object& request, int timeout_seconds = 20) {
    return exchange(request, timeout_seconds);
  }

  const std::string& socket_path() const { return socket_path_; }

 protected:
  // The transport; a test double overrides it to script the daemon's answers.
  virtual Expected<boost::json::object> exchange(const boost::json::object& request,
                                                 int timeout_seconds);

 private:
  std::string socket_path_;
};

}  // namespace posfleet::agent
