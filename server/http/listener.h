// posfleet server: the HTTP/1.1 listener (Boost.Beast + Asio coroutines).
//
// Each of the `threads` network threads runs an io_context of its own, and each
// connection is handed to one of them in turn, as nginx's workers share out
// connections: the threads share no run queue. A connection is a coroutine that
// reads a request, asks the Router, and writes the answer,
// keeping the connection alive as HTTP/1.1 allows. Routes marked kBlocking run
// on a separate worker pool so that disk-heavy work never stalls the network
// threads. File responses are streamed in 64 KiB chunks read with pread().
//
// Every request is read head first (at most max_header_bytes, within
// header_timeout_seconds of its first byte; an idle keep-alive connection is
// closed after idle_timeout_seconds). Before any byte of a body is read, the
// head is checked and refused early, closing the connection: Host missing
// (HTTP/1.1), repeated or malformed → 400; unknown route → 404/405; a body in
// another media type than the route's (JSON, or octet-stream for streamed
// routes) → 415; a body longer than the route's limit → 413; a streamed route's
// BeforeBody (authentication) may refuse. JSON bodies are then held in memory
// up to max_body; streamed bodies go to Request::sink in 64 KiB chunks, up to
// max_upload, never into memory (the sink is written on the network thread).
//
// At most max_connections connections are served at once; beyond that the
// listener stops accepting until one ends (they wait in the kernel's backlog).
// When accept() fails for lack of descriptors (EMFILE/ENFILE), it backs off
// (up to 1 s) instead of retrying at once, and such failures are logged at
// most once per ten seconds with a count.
//
// With options.tls the listener speaks HTTPS (see tls.h): each connection
// starts with a TLS handshake (bounded by header_timeout_seconds), and a
// verified client certificate fills Request::peer_cert of every request on
// it. SIGHUP reloads the TLS files for new connections (see TlsConfig); open
// connections, a download in flight included, keep theirs. The outcome is
// logged. Failed handshakes and refused client certificates are logged at
// most once per ten seconds with a count.
//
// SIGTERM or SIGINT drains: the listening socket is closed at once (new
// connections are refused), connections waiting for a request are closed, and
// requests in flight — a long download or upload included — may finish within
// drain_seconds; each answer then says Connection: close. run() returns when
// the last connection ends or the grace period is over (those still open are
// cut). A second signal stops at once. Each step is logged.
// Thread-safety: run() blocks until stop() or the drain after SIGINT/SIGTERM
// ends; stop() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/http/router.h"

namespace posfleet::http {

class TlsConfig;

struct ListenerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;                        // 0: one per core
  int workers = 4;                        // pool for kBlocking routes
  std::uint64_t max_body = 1ull << 20;    // in-memory (JSON) request bodies
  std::uint64_t max_upload = 8ull << 30;  // streamed request bodies (artifacts)
  std::uint32_t max_header_bytes = 16 * 1024;
  int header_timeout_seconds = 20;
  int idle_timeout_seconds = 60;
  int max_connections = 1000;
  int drain_seconds = 30;          // after SIGTERM, how long requests in flight may take to finish
  std::shared_ptr<TlsConfig> tls;  // HTTPS when set (tls.h); plain HTTP when null
  // Called once as a drain begins (systemd's STOPPING=1).
  std::function<void()> on_drain;
};

class Listener {
 public:
  Listener(const Router& router, ListenerOptions options);
  ~Listener();
  // Binds; after this, port() is the real port (useful with port 0).
  Status bind();
  std::uint16_t port() const;
  // Serves until stop(), or until the drain that SIGINT/SIGTERM starts ends.
  void run();
  // Stops at once, cutting every connection.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "host:port", "[v6]:port" or ":port".
Expected<ListenerOptions> parse_listen(const std::string& text, ListenerOptions base);

// True for 127.0.0.0/8 and ::1 (an address only this machine reaches).
bool is_loopback(const std::string& host);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now
// in force (each connection needs one descriptor).
std::uint64_t raise_fd_limit();

}  // namespace posfleet::http
