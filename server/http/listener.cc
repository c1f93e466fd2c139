#include "server/http/listener.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/http/host.h"
#include "server/http/media_type.h"
#include "server/http/tls.h"

namespace posfleet::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

std::string percent_decode(std::string_view s, bool plus_is_space = true) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && s[i] == '+') ? ' ' : s[i];
  }
  return out;
}

// Lower-case header names; a header sent twice is joined with ", " (RFC 9110
// 5.3), except those that must be single (see head_problem()).
Request to_request(const bhttp::request_header<>& in, const std::string& remote) {
  Request r;
  r.method = std::string(in.method_string());
  std::string_view target = in.target();
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  r.path = percent_decode(path, /*plus_is_space=*/false);  // '+' is a space only in queries
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      auto eq = kv.find('=');
      r.query[percent_decode(kv.substr(0, eq))] =
          eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : in) {
    std::string name(f.name_string());
    for (auto& c : name) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    auto [it, fresh] = r.headers.try_emplace(name, std::string(f.value()));
    if (!fresh) it->second += (name == "cookie" ? "; " : ", ") + std::string(f.value());
  }
  r.remote = remote;
  return r;
}

// Why a request head is malformed, or empty. A Host (and a header that
// authenticates or types the body) must come once: with two, parts of the
// server could read different ones.
std::string head_problem(const bhttp::request_header<>& in) {
  for (auto f : {bhttp::field::host, bhttp::field::content_type, bhttp::field::authorization})
    if (in.count(f) > 1)
      return "the request repeats the " + std::string(bhttp::to_string(f)) + " header";
  if (in.count("X-CSRF-Token") > 1) return "the request repeats the X-CSRF-Token header";
  auto host = in.find(bhttp::field::host);
  if (host == in.end()) return in.version() >= 11 ? "an HTTP/1.1 request needs a Host header" : "";
  if (!valid_host(host->value())) return "the Host header is not a host name with an optional port";
  return "";
}

// Logs a condition that may repeat fast at most once per `every`, with how
// often it happened in between.
class Throttled {
 public:
  explicit Throttled(std::chrono::seconds every) : every_(every) {}
  // Counts one occurrence; when it is time to log, returns the occurrences
  // since the last log (the first one logs at once), else 0.
  std::uint64_t note() {
    std::lock_guard lock(mu_);
    ++count_;
    const auto now = std::chrono::steady_clock::now();
    if (logged_ && now - last_ < every_) return 0;
    logged_ = true;
    last_ = now;
    return std::exchange(count_, 0);
  }

 private:
  std::mutex mu_;
  std::chrono::seconds every_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_ = false;
  std::uint64_t count_ = 0;
};

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

bool http_syntax_error(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection, plain or TLS. Its coroutine and every operation on its
// stream run on the stream's strand; `idle` is read and written only there.
// A TLS connection holds the context it started with: a reload (SIGHUP) gives
// new connections a new one and leaves this one as it is.
struct Connection {
  Connection(tcp::socket socket, TlsContextPtr ctx) : tls_ctx(std::move(ctx)) {
    if (tls_ctx)
      tls = std::make_unique<TlsStream>(std::move(socket), *tls_ctx);
    else
      plain.emplace(std::move(socket));
  }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  TlsContextPtr tls_ctx;
  std::unique_ptr<TlsStream> tls;
  std::optional<beast::tcp_stream> plain;
  bool idle = false;  // waiting for a handshake or the next request: a drain may close it
};

struct Listener::Impl {
  const Router& router;
  ListenerOptions opt;
  // Declared before the io_context: its destruction destroys the coroutines
  // of connections still open, which unregister themselves here.
  std::atomic<int> active{0};  // connections being served
  std::mutex connections_mu;
  std::map<const Connection*, std::weak_ptr<Connection>> connections;
  std::atomic<bool> draining{false};
  // One io_context per network thread, each run by its thread alone: a connection lives on one
  // lane for its life, so its handlers need no strand and the threads share no run queue (the
  // lock they would take on every completion). Lane 0 also accepts, takes the signals and
  // watches a drain; stopping it stops them all (run()).
  std::vector<std::unique_ptr<asio::io_context>> lanes;
  asio::io_context& ioc;
  std::size_t next_lane = 0;  // the lane of the next connection; the accept loop's own
  asio::thread_pool workers;
  tcp::acceptor acceptor{asio::make_strand(ioc)};  // accept and close on one strand
  Throttled accept_failures{std::chrono::seconds(10)}, at_cap{std::chrono::seconds(10)};
  Throttled handshake_failures{std::chrono::seconds(10)}, refused_certs{std::chrono::seconds(10)};
  // Caught from bind() on, before posfleetd says it listens: a SIGTERM that arrives before
  // run() waits for it instead of killing the process.
  std::optional<asio::signal_set> stop_signals, reload_signals;

  void catch_signals() {
    if (stop_signals) return;
    stop_signals.emplace(ioc, SIGINT, SIGTERM);
    on_signals(*stop_signals);
    reload_signals.emplace(ioc, SIGHUP);
    on_reload(*reload_signals);
  }

  Impl(const Router& r, ListenerOptions o)
      : router(r),
        opt(std::move(o)),
        lanes(make_lanes(opt.threads)),
        ioc(*lanes[0]),
        workers(std::max(1, opt.workers)) {}

  static std::vector<std::unique_ptr<asio::io_context>> make_lanes(int threads) {
    const int n =
        threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  std::chrono::seconds seconds(int n) const { return std::chrono::seconds(n); }

  Response dispatch(Request& req, const Router::Match& m) {
    if (!m.handler) return unrouted(req, m);
    try {
      return (*m.handler)(req);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", req.method, printable(req.path), e.what());
      return error_from(make_error(Code::kInternal, "the server failed; the error is in its log"));
    }
  }

  asio::awaitable<Response> handle(Request& req, const Router::Match& m) {
    if (m.handler && m.work == Work::kBlocking) {
      // Hop to the worker pool, run, and hop back to the connection's executor.
      co_return co_await asio::co_spawn(
          workers, [&]() -> asio::awaitable<Response> { co_return dispatch(req, m); },
          asio::use_awaitable);
    }
    co_return dispatch(req, m);
  }

  std::uint64_t body_limit(const Router::Match& m) const {
    return m.body == BodyKind::kStream ? opt.max_upload : opt.max_body;
  }

  static Response too_large(std::uint64_t limit) {
    return error_from(make_error(Code::kTooLarge,
                                 "the request body is larger than this resource accepts (at most " +
                                     std::to_string(limit) + " bytes)"));
  }

  // What the head alone says about the request: a refusal, or nullopt when
  // its body may be read. Runs before any byte of the body is read.
  std::optional<Response> check_head(const bhttp::request_parser<bhttp::empty_body>& head,
                                     Request& req, const Router::Match& m, bool has_body) {
    if (!m.handler) return dispatch(req, m);
    if (has_body) {
      const bool stream = m.body == BodyKind::kStream;
      const char* subtype = stream ? "octet-stream" : "json";
      // 415 has no Code: no domain function refuses a media type (see the note on error_response in
      // message.h).
      if (!media_type_is(req.header("content-type"), "application", subtype))
        return error_response(
            415, "unsupported_media_type",
            std::string("send the body with Content-Type: application/") + subtype);
      if (head.content_length() && *head.content_length() > body_limit(m))
        return too_large(body_limit(m));
    }
    if (m.before_body) {
      if (auto refused = (*m.before_body)(req)) return refused;
      if (m.body == BodyKind::kStream && !req.sink)
        return error_from(make_error(
            Code::kInternal, "the server has nowhere to put this upload; the error is in its log"));
    }
    return std::nullopt;
  }

  enum class BodyRead { kDone, kAnswered, kBroken };

  // Reads a streamed body into req.sink, 64 KiB at a time.
  template <class Stream>
  asio::awaitable<BodyRead> read_streamed(Stream& stream, beast::flat_buffer& buffer,
                                          bhttp::request_parser<bhttp::empty_body>& head,
                                          Request& req, std::uint64_t limit, Response& refusal) {
    bhttp::request_parser<bhttp::buffer_body> p(std::move(head));
    p.body_limit(limit);
    std::vector<char> chunk(64 * 1024);
    while (!p.is_done()) {
      p.get().body().data = chunk.data();
      p.get().body().size = chunk.size();
      beast::get_lowest_layer(stream).expires_after(
          seconds(opt.idle_timeout_seconds));  // a stalled upload ends
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, p, kNoThrow);
      (void)n;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec == bhttp::error::body_limit) {
        refusal = too_large(limit);
        co_return BodyRead::kAnswered;
      }
      if (ec) co_return BodyRead::kBroken;
      const size_t got = chunk.size() - p.get().body().size;
      if (got == 0) continue;
      if (auto s = req.sink->write(std::string_view(chunk.data(), got)); !s) {
        refusal = error_from(s.error());
        co_return BodyRead::kAnswered;
      }
    }
    co_return BodyRead::kDone;
  }

  // Reads the body of a request whose head passed check_head().
  template <class Stream>
  asio::awaitable<BodyRead> read_body(Stream& stream, beast::flat_buffer& buffer,
                                      bhttp::request_parser<bhttp::empty_body>& head, Request& req,
                                      const Router::Match& m, Response& refusal) {
    if (beast::iequals(head.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, head.get().version()};
      beast::get_lowest_layer(stream).expires_after(seconds(opt.idle_timeout_seconds));
      auto [ec, n] = co_await bhttp::async_write(stream, go_on, kNoThrow);
      (void)n;
      if (ec) co_return BodyRead::kBroken;
    }
    const auto limit = body_limit(m);
    if (m.body == BodyKind::kStream)
      co_return co_await read_streamed(stream, buffer, head, req, limit, refusal);
    bhttp::request_parser<bhttp::string_body> p(std::move(head));
    p.body_limit(limit);
    beast::get_lowest_layer(stream).expires_after(seconds(opt.idle_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, p, kNoThrow);
    (void)n;
    if (ec == bhttp::error::body_limit) {
      refusal = too_large(limit);
      co_return BodyRead::kAnswered;
    }
    if (ec) co_return BodyRead::kBroken;
    req.body = std::move(p.get().body());
    co_return BodyRead::kDone;
  }

  // After refusing a request whose body was not read: stop sending, and read
  // and drop what the client still sends for a moment, so that closing does
  // not reset the connection before the client has read the answer.
  template <class Stream>
  asio::awaitable<void> linger(Stream& stream) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    std::vector<char> drop(16 * 1024);
    for (std::uint64_t dropped = 0; dropped < (8u << 20);) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(drop), kNoThrow);
      if (ec) break;
      dropped += n;
    }
  }

  template <class Stream>
  asio::awaitable<bool> write_file(Stream& stream, bhttp::response<bhttp::empty_body>& head,
                                   const FileSlice& slice) {
    int fd = ::open(slice.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) co_return false;
    head.content_length(slice.length);
    bhttp::response_serializer<bhttp::empty_body> sr(head);
    beast::error_code ec;
    std::size_t n = 0;
    std::tie(ec, n) = co_await bhttp::async_write_header(stream, sr, kNoThrow);
    std::vector<char> buf(64 * 1024);
    // One range of the file, or a multipart body's parts (each its head, then its range).
    std::vector<FileSlice::Part> parts = slice.parts;
    if (parts.empty()) parts.push_back({"", slice.offset, slice.length});
    std::uint64_t left = 0;
    for (const auto& part : parts) {
      if (!ec && !part.head.empty())
        std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(part.head), kNoThrow);
      std::uint64_t off = part.offset;
      left = part.length;
      while (!ec && left > 0) {
        ssize_t got = ::pread(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left),
                              static_cast<off_t>(off));
        if (got <= 0) {
          ec = asio::error::eof;
          break;
        }
        beast::get_lowest_layer(stream).expires_after(
            std::chrono::seconds(opt.idle_timeout_seconds));
        std::tie(ec, n) = co_await asio::async_write(
            stream, asio::buffer(buf.data(), static_cast<size_t>(got)), kNoThrow);
        off += static_cast<std::uint64_t>(got);
        left -= static_cast<std::uint64_t>(got);
      }
      if (ec || left > 0) break;
    }
    if (!ec && !slice.tail.empty())
      std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(slice.tail), kNoThrow);
    ::close(fd);
    co_return !ec && left == 0;
  }

  // Waits until the peer has acknowledged every byte written, i.e. the
  // kernel's send queue is empty. The queue can hold megabytes, so without
  // this a download slot would cover only the copy into the kernel, not the
  // transfer. Gives up when the queue makes no progress for the idle timeout.
  template <class Stream>
  asio::awaitable<void> drain(Stream& stream) {
#ifdef SIOCOUTQ
    const int fd = beast::get_lowest_layer(stream).socket().native_handle();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    int last = -1;
    auto last_progress = std::chrono::steady_clock::now();
    for (;;) {
      int queued = 0;
      if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued <= 0) co_return;
      const auto now = std::chrono::steady_clock::now();
      if (queued != last) {
        last = queued;
        last_progress = now;
      } else if (now - last_progress > std::chrono::seconds(opt.idle_timeout_seconds)) {
        co_return;
      }
      timer.expires_after(std::chrono::milliseconds(queued > 256 * 1024 ? 100 : 20));
      auto [ec] = co_await timer.async_wait(kNoThrow);
      if (ec) co_return;
    }
#else
    (void)stream;
    co_return;
#endif
  }

  template <class Stream>
  asio::awaitable<bool> write_response(Stream& stream, Response& res, unsigned version,
                                       bool keep_alive, bool head_only) {
    beast::get_lowest_layer(stream).expires_after(seconds(opt.idle_timeout_seconds));
    if (res.file && !head_only) {
      bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), version};
      head.set(bhttp::field::server, "posfleetd");
      head.set(bhttp::field::content_type, res.content_type);
      for (auto& [k, v] : res.headers) head.set(k, v);
      head.keep_alive(keep_alive);
      bool ok = co_await write_file(stream, head, *res.file);
      if (ok && res.file->hold) co_await drain(stream);
      co_return ok;
    }
    // An answer held in memory goes out as one buffer, its head written here: Beast's
    // message and serializer cost a poll more than the rest of its answer.
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
    const std::string wire =
        response_head(res, std::string_view(reason.data(), reason.size()), version, keep_alive,
                      res.file ? res.file->length : res.body.size());
    const std::array<asio::const_buffer, 2> parts{
        asio::buffer(wire), head_only ? asio::const_buffer() : asio::buffer(res.body)};
    auto [ec, n] = co_await asio::async_write(stream, parts, kNoThrow);
    (void)n;
    co_return !ec;
  }

  // A refusal of a request whose head could not be read; the connection ends.
  // The wire codes are HTTP's own (431 header_too_large, 400 bad_request),
  // which no Code stands for: they refuse the framing, before any route.
  template <class Stream>
  asio::awaitable<void> refuse_head(Stream& stream, const boost::system::error_code& ec) {
    Response res;
    if (ec == bhttp::error::header_limit)
      res = error_response(431, "header_too_large",
                           "the request head is larger than the server accepts (at most " +
                               std::to_string(opt.max_header_bytes) + " bytes)");
    else if (http_syntax_error(ec))
      res = error_response(400, "bad_request", "the request is not well-formed HTTP/1.1");
    else
      co_return;  // timed out or went away: nobody to answer
    if (co_await write_response(stream, res, 11, false, false)) co_await linger(stream);
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    struct Slot {
      Impl& impl;
      const Connection* conn;
      ~Slot() {
        {
          std::lock_guard lock(impl.connections_mu);
          impl.connections.erase(conn);
        }
        --impl.active;
      }
    } slot{*this, conn.get()};
    std::string remote;
    boost::system::error_code rec;
    auto ep = conn->lowest().socket().remote_endpoint(rec);
    if (!rec) remote = ep.address().to_string();
    boost::system::error_code ignored;
    if (!conn->tls) {
      co_await serve(*conn, *conn->plain, remote, std::nullopt);
      conn->lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    TlsStream& stream = *conn->tls;
    // The handshake counts as waiting for a request: bounded by the head's
    // timeout, and a drain closes the connection.
    conn->idle = true;
    if (draining.load()) co_return;
    conn->lowest().expires_after(seconds(opt.header_timeout_seconds));
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    conn->idle = false;
    if (hec) {
      if (auto n = handshake_failures.note())
        spdlog::info("TLS handshake with {} failed: {} ({} failed since the last report)", remote,
                     hec.message(), n);
      co_return;
    }
    std::string why;
    auto peer = peer_certificate(stream.native_handle(), why);
    if (peer) {
      spdlog::debug("TLS connection from {}: client certificate CN={} serial={} sha256={}", remote,
                    printable(peer->subject_cn), peer->serial_hex, peer->sha256);
    } else if (!why.empty()) {
      if (auto n = refused_certs.note())
        spdlog::info(
            "a client certificate from {} was not accepted ({}); the connection goes on without "
            "one ({} refused since the last report)",
            remote, why, n);
    }
    if (co_await serve(*conn, stream, remote, std::move(peer))) {
      // Tell the client the stream ends here (close_notify); its answer is not awaited long.
      conn->lowest().expires_after(std::chrono::seconds(1));
      auto [sec] = co_await stream.async_shutdown(kNoThrow);
      (void)sec;
    }
    conn->lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Serves requests on one connection until it ends. True when the server
  // chose to end it after an answer (so a TLS close_notify is worth sending).
  template <class Stream>
  asio::awaitable<bool> serve(Connection& c, Stream& stream, const std::string& remote,
                              std::optional<PeerCertificate> peer) {
    Connection* conn = &c;
    bool orderly = false;
    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
      // Draining: the answer just written said Connection: close.
      if (!first && draining.load()) break;
      // Waiting for a request: a new connection must start one soon, a kept-alive one may idle.
      if (buffer.size() == 0) {
        // Idle first, then look at the flag: begin_drain() sets the flag
        // first, then asks each connection on its strand to close if idle, so
        // one of the two sees the other.
        conn->idle = true;
        if (draining.load()) break;
        beast::get_lowest_layer(stream).expires_after(
            seconds(first ? opt.header_timeout_seconds : opt.idle_timeout_seconds));
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
        conn->idle = false;
        if (ec) break;
        buffer.commit(n);
      }
      bhttp::request_parser<bhttp::empty_body> head;
      head.header_limit(opt.max_header_bytes);
      head.body_limit(boost::none);  // the route's limit is checked once the route is known
      beast::get_lowest_layer(stream).expires_after(seconds(opt.header_timeout_seconds));
      auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, head, kNoThrow);
      (void)hn;
      if (hec) {
        co_await refuse_head(stream, hec);
        break;
      }
      const auto& h = head.get();
      bool keep_alive = h.keep_alive();
      const unsigned version = h.version();
      const bool head_only = h.method() == bhttp::verb::head;
      const bool has_body = head.chunked() || head.content_length().value_or(0) > 0;
      Request req = to_request(h, remote);
      req.peer_cert = peer;
      if (head_only) {
        req.method = "GET";
        req.head = true;
      }
      std::optional<Response> refusal;
      Router::Match m;
      if (auto why = head_problem(h); !why.empty())  // HTTP framing, as in refuse_head()
        refusal = error_response(400, "bad_request", why);
      else
        m = router.match(req);
      if (!refusal) refusal = check_head(head, req, m, has_body);
      if (!refusal && has_body) {
        Response answer;
        switch (co_await read_body(stream, buffer, head, req, m, answer)) {
          case BodyRead::kDone:
            break;
          case BodyRead::kAnswered:
            refusal = std::move(answer);
            break;
          case BodyRead::kBroken:
            co_return false;
        }
      }
      if (refusal) {  // the body (or its rest) was not read: answer and close
        const bool close = has_body || !keep_alive || draining.load();
        if (co_await write_response(stream, *refusal, version, !close, head_only) && close)
          co_await linger(stream);
        if (close) co_return false;
        continue;
      }
      Response res = co_await handle(req, m);
      if (draining.load()) keep_alive = false;
      const bool ok = co_await write_response(stream, res, version, keep_alive, head_only);
      // A download slot goes back now that the bytes are out (or the peer went
      // away), not when the connection's next request arrives.
      res.file.reset();
      if (!ok) break;
      if (!keep_alive) {
        orderly = true;
        break;
      }
    }
    co_return orderly;
  }

  asio::awaitable<void> accept_loop() {
    asio::steady_timer timer(ioc);
    auto backoff = std::chrono::milliseconds(0);
    for (;;) {
      // At the cap, stop accepting for a moment: new connections wait in the
      // kernel's backlog until one of ours ends.
      if (active.load() >= opt.max_connections) {
        if (auto n = at_cap.note())
          spdlog::warn(
              "{} connections open, as many as --max-connections allows; new ones wait in the "
              "backlog (reached {} times since the last report)",
              active.load(), n);
      }
      while (active.load() >= opt.max_connections) {
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(kNoThrow);
        if (!acceptor.is_open()) co_return;
      }
      // Each connection on one lane (its coroutine, stream and timer), the lanes in turn.
      auto& lane = *lanes[next_lane];
      next_lane = (next_lane + 1) % lanes.size();
      auto [ec, socket] = co_await acceptor.async_accept(lane.get_executor(), kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (auto n = accept_failures.note())
          spdlog::warn("accept failed {} times since the last report: {}{}", n, ec.message(),
                       out_of_descriptors(ec)
                           ? "; raise the descriptor limit (ulimit -n) or lower --max-connections"
                           : "");
        // Retrying at once would only fail again: wait, longer each time.
        backoff = out_of_descriptors(ec)
                      ? std::min(std::max(backoff * 2, std::chrono::milliseconds(10)),
                                 std::chrono::milliseconds(1000))
                      : std::chrono::milliseconds(1);
        timer.expires_after(backoff);
        co_await timer.async_wait(kNoThrow);
        continue;
      }
      backoff = std::chrono::milliseconds(0);
      socket.set_option(tcp::no_delay(true), ec);
      ++active;
      auto conn =
          std::make_shared<Connection>(std::move(socket), opt.tls ? opt.tls->current() : nullptr);
      {
        std::lock_guard lock(connections_mu);
        connections.emplace(conn.get(), conn);
      }
      auto executor = conn->lowest().get_executor();
      asio::co_spawn(executor, session(std::move(conn)), asio::detached);
    }
  }

  // The first SIGTERM/SIGINT: no new connections, idle ones closed, the rest
  // may finish within opt.drain_seconds (watched by wait_drained()).
  void begin_drain(int sig) {
    draining = true;
    asio::post(acceptor.get_executor(), [this] {
      boost::system::error_code ignored;  // closing a closed acceptor is harmless
      acceptor.close(ignored);
    });
    std::vector<std::shared_ptr<Connection>> open;
    {
      std::lock_guard lock(connections_mu);
      for (auto& [_, weak] : connections)
        if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    for (auto& c : open)
      asio::post(c->lowest().get_executor(), [c] {
        if (!c->idle) return;               // busy: it ends after its answer (see session())
        boost::system::error_code ignored;  // the read it cancels ends the session
        c->lowest().socket().cancel(ignored);
      });
    spdlog::info(
        "signal {} received: draining; new connections are refused, idle ones closed, {} "
        "connection(s) open may finish requests in flight within {} s (--drain-seconds); a "
        "second signal stops at once",
        sig, open.size(), opt.drain_seconds);
    if (opt.on_drain) opt.on_drain();
    asio::co_spawn(ioc, wait_drained(), asio::detached);
  }

  // Stops the io_context once every connection has ended, or when the grace
  // period is over (cutting those still open). Reports progress every 5 s.
  asio::awaitable<void> wait_drained() {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto deadline = start + seconds(opt.drain_seconds);
    auto next_report = start + std::chrono::seconds(5);
    asio::steady_timer timer(ioc);
    for (int open = active.load(); open > 0; open = active.load()) {
      const auto now = clock::now();
      if (now >= deadline) {
        spdlog::warn(
            "drain: the grace period ({} s) is over; cutting {} connection(s) still busy and "
            "stopping",
            opt.drain_seconds, open);
        ioc.stop();
        co_return;
      }
      if (now >= next_report) {
        spdlog::info("drain: {} connection(s) still busy, {} s of the grace period left", open,
                     std::chrono::duration_cast<std::chrono::seconds>(deadline - now).count());
        next_report += std::chrono::seconds(5);
      }
      timer.expires_after(std::chrono::milliseconds(20));
      auto [ec] = co_await timer.async_wait(kNoThrow);
      if (ec) co_return;  // the io_context is stopping anyway
    }
    const auto took = std::chrono::duration<double>(clock::now() - start).count();
    spdlog::info("drain: every connection has finished ({:.1f} s); stopping", took);
    ioc.stop();
  }

  // SIGHUP: the TLS files are read again for new connections; open ones keep
  // theirs. Files that do not load leave the context in force.
  void on_reload(asio::signal_set& signals) {
    signals.async_wait([this, &signals](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (!opt.tls) {
        spdlog::info("SIGHUP received: nothing to reload (no --tls-cert)");
      } else if (auto s = opt.tls->reload(); !s) {
        spdlog::error(
            "SIGHUP received: the TLS files cannot be used, so new connections keep "
            "the certificate loaded before: {}",
            s.error().message);
      } else {
        spdlog::info(
            "SIGHUP received: reloaded the TLS certificate {}, its key{}; new connections use "
            "them, open ones keep theirs",
            opt.tls->files().cert,
            opt.tls->files().client_cas.empty() ? "" : " and the client CAs");
      }
      on_reload(signals);
    });
  }

  // SIGINT/SIGTERM: the first drains, the second stops at once.
  void on_signals(asio::signal_set& signals) {
    signals.async_wait([this, &signals](const boost::system::error_code& ec, int sig) {
      if (ec) return;  // the set was cancelled: run() is ending
      if (!draining.load()) {
        begin_drain(sig);
        on_signals(signals);
        return;
      }
      spdlog::warn("signal {} received again: stopping now, cutting {} connection(s)", sig,
                   active.load());
      workers.stop();  // blocking work not started yet never starts
      ioc.stop();
    });
  }
};

Listener::Listener(const Router& router, ListenerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Listener::~Listener() { impl_->workers.join(); }

Status Listener::bind() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.host, ec);
  if (ec)
    return make_error(Code::kInvalidArgument,
                      "listen address \"" + impl_->opt.host + "\" is not an IP address");
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) impl_->catch_signals();
  if (ec)
    return make_error(Code::kUnavailable, "cannot listen on " + impl_->opt.host + ":" +
                                              std::to_string(impl_->opt.port) + ": " +
                                              ec.message() +
                                              " (is another server using the port? use --listen)");
  return ok_status();
}

std::uint16_t Listener::port() const { return impl_->acceptor.local_endpoint().port(); }

void Listener::run() {
  impl_->catch_signals();  // bind() did already, unless it was not called
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
  // The other lanes wait for connections until lane 0 stops (a drain's end, a second signal,
  // stop()); then they stop too, cutting what is still open, as one shared context did.
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<Guard> guards;
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->lanes.size(); ++i) {
    auto& lane = *impl_->lanes[i];
    guards.emplace_back(lane.get_executor());
    threads.emplace_back([&lane] { lane.run(); });
  }
  impl_->ioc.run();
  for (size_t i = 1; i < impl_->lanes.size(); ++i) impl_->lanes[i]->stop();
  for (auto& t : threads) t.join();
}

void Listener::stop() {
  asio::post(impl_->acceptor.get_executor(), [this] {
    boost::system::error_code ignored;  // closing a closed acceptor is harmless
    impl_->acceptor.close(ignored);
    impl_->ioc.stop();
  });
}

Expected<ListenerOptions> parse_listen(const std::string& text, ListenerOptions base) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return make_error(Code::kInvalidArgument,
                      "--listen \"" + text + "\" needs HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535)
    return make_error(Code::kInvalidArgument,
                      "--listen port \"" + port + "\" is not a number 0-65535");
  base.host = host;
  base.port = static_cast<std::uint16_t>(p);
  return base;
}

bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

std::uint64_t raise_fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(rl.rlim_cur);
}

}  // namespace posfleet::http
