// posfleet fleet simulator: HTTP/1.1 over loopback, the only file with Asio
// and Beast. HttpPool is one event loop with a bounded number of keep-alive
// connections: requests wait in a queue (FIFO) for a free connection, so a
// fleet of any size costs the server at most `connections` sockets. A request
// that finds its kept-alive connection closed by the server (idle timeout) is
// sent once more on a new one. Bodies are read up to 4 MiB.
//
// Thread-safety: HttpPool runs on the thread that calls run(); submit() and
// every() are called on that thread (from callbacks, or before run()); post()
// and stop() from any thread. blocking_request() is a separate one-off
// connection for the scenario's management calls, usable from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace posfleet::fleet {

struct HttpRequest {
  std::string method = "GET";
  std::string target;         // path and query
  std::string authorization;  // the whole header value, or empty
  std::string body;           // sent as application/json when not empty
  std::string range;          // a Range header value, or empty
};

struct HttpReply {
  int status = 0;  // 0: no answer (error says why)
  std::string body;
  int retry_after = 0;  // seconds, from Retry-After
  std::string error;
};

class HttpPool {
 public:
  using Done = std::function<void(HttpReply&&)>;
  HttpPool(const std::string& host, int port, int connections);
  ~HttpPool();
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  void submit(HttpRequest req, Done done);
  void every(int milliseconds, std::function<void()> job);
  void post(std::function<void()> job);
  void run();   // until stop()
  void stop();  // connections are closed; callbacks of requests in flight are not called
  std::size_t queued() const;
  std::size_t busy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

HttpReply blocking_request(const std::string& host, int port, const HttpRequest& req,
                           int timeout_seconds = 60);

}  // namespace posfleet::fleet
