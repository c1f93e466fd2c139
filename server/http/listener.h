// posfleet server: the HTTP/1.1 listener (Boost.Beast + Asio coroutines).
//
// One io_context is run by `threads` network threads; each connection is a
// coroutine that reads a request, asks the Router, and writes the answer,
// keeping the connection alive as HTTP/1.1 allows. Routes marked kBlocking run
// on a separate worker pool so that disk-heavy work never stalls the network
// threads. File responses are streamed in 64 KiB chunks read with pread().
// Thread-safety: run() blocks until stop() or SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/http/router.h"

namespace posfleet::http {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;           // 0: one per core
  int workers = 4;           // pool for kBlocking routes
  std::uint64_t max_body = 512ull << 20;
  int idle_timeout_seconds = 60;
};

class Listener {
 public:
  Listener(const Router& router, ListenerOptions options);
  ~Listener();
  // Binds; after this, port() is the real port (useful with port 0).
  Status bind();
  std::uint16_t port() const;
  // Serves until SIGINT/SIGTERM or stop().
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "host:port", "[v6]:port" or ":port".
Expected<ListenerOptions> parse_listen(const std::string& text, ListenerOptions base);

}  // namespace posfleet::http
