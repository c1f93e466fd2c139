#include "server/http/listener.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <thread>
#include <vector>

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

Request to_request(bhttp::request<bhttp::string_body>&& in, const std::string& remote) {
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
      r.query[percent_decode(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : in) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(in.body());
  r.remote = remote;
  return r;
}

}  // namespace

struct Listener::Impl {
  const Router& router;
  ListenerOptions opt;
  asio::io_context ioc;
  asio::thread_pool workers;
  tcp::acceptor acceptor{ioc};

  Impl(const Router& r, ListenerOptions o) : router(r), opt(std::move(o)), workers(std::max(1, o.workers)) {}

  Response dispatch(Request& req, const Router::Match& m) {
    if (!m.handler) {
      if (m.path_known) return error_response(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
      return error_response(404, "not_found", "no such resource: " + req.path);
    }
    try {
      return (*m.handler)(req);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
      return error_response(500, "internal", "the server failed; the error is in its log");
    }
  }

  asio::awaitable<Response> handle(Request& req) {
    const auto m = router.match(req);
    if (m.handler && m.work == Work::kBlocking) {
      // Hop to the worker pool, run, and hop back to the connection's executor.
      co_return co_await asio::co_spawn(
          workers, [&]() -> asio::awaitable<Response> { co_return dispatch(req, m); }, asio::use_awaitable);
    }
    co_return dispatch(req, m);
  }

  asio::awaitable<bool> write_file(beast::tcp_stream& stream, bhttp::response<bhttp::empty_body>& head,
                                   const FileSlice& slice) {
    int fd = ::open(slice.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) co_return false;
    head.content_length(slice.length);
    bhttp::response_serializer<bhttp::empty_body> sr(head);
    auto [ec, n] = co_await bhttp::async_write_header(stream, sr, kNoThrow);
    (void)n;
    std::vector<char> buf(64 * 1024);
    std::uint64_t off = slice.offset, left = slice.length;
    while (!ec && left > 0) {
      ssize_t got = ::pread(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left), static_cast<off_t>(off));
      if (got <= 0) { ec = asio::error::eof; break; }
      stream.expires_after(std::chrono::seconds(opt.idle_timeout_seconds));
      std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(buf.data(), static_cast<size_t>(got)), kNoThrow);
      off += static_cast<std::uint64_t>(got);
      left -= static_cast<std::uint64_t>(got);
    }
    ::close(fd);
    co_return !ec && left == 0;
  }

  // Waits until the peer has acknowledged every byte written, i.e. the
  // kernel's send queue is empty. The queue can hold megabytes, so without
  // this a download slot would cover only the copy into the kernel, not the
  // transfer. Gives up when the queue makes no progress for the idle timeout.
  asio::awaitable<void> drain(beast::tcp_stream& stream) {
#ifdef SIOCOUTQ
    const int fd = stream.socket().native_handle();
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

  asio::awaitable<void> session(tcp::socket socket) {
    std::string remote;
    boost::system::error_code rec;
    auto ep = socket.remote_endpoint(rec);
    if (!rec) remote = ep.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(opt.max_body);
      stream.expires_after(std::chrono::seconds(opt.idle_timeout_seconds));
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      (void)n;
      if (ec) {
        if (ec == bhttp::error::body_limit) {
          auto res = error_response(413, "too_large", "request body is larger than the server accepts");
          bhttp::response<bhttp::string_body> out{bhttp::status::payload_too_large, 11, res.body};
          out.set(bhttp::field::content_type, res.content_type);
          out.prepare_payload();
          co_await bhttp::async_write(stream, out, kNoThrow);
        }
        break;
      }
      auto in = parser.release();
      const bool keep_alive = in.keep_alive();
      const unsigned version = in.version();
      const bool head_only = in.method() == bhttp::verb::head;
      Request req = to_request(std::move(in), remote);
      if (head_only) {
        req.method = "GET";
        req.head = true;
      }
      Response res = co_await handle(req);

      bool ok = true;
      if (res.file && !head_only) {
        bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), version};
        head.set(bhttp::field::server, "posfleetd");
        head.set(bhttp::field::content_type, res.content_type);
        for (auto& [k, v] : res.headers) head.set(k, v);
        head.keep_alive(keep_alive);
        ok = co_await write_file(stream, head, *res.file);
        if (ok && res.file->hold) co_await drain(stream);
      } else {
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
        out.set(bhttp::field::server, "posfleetd");
        out.set(bhttp::field::content_type, res.content_type);
        for (auto& [k, v] : res.headers) out.set(k, v);
        out.keep_alive(keep_alive);
        if (head_only) {
          out.content_length(res.file ? res.file->length : res.body.size());
          bhttp::response_serializer<bhttp::string_body> sr(out);
          auto [wec, wn] = co_await bhttp::async_write_header(stream, sr, kNoThrow);
          (void)wn;
          ok = !wec;
        } else {
          out.body() = std::move(res.body);
          out.prepare_payload();
          auto [wec, wn] = co_await bhttp::async_write(stream, out, kNoThrow);
          (void)wn;
          ok = !wec;
        }
      }
      // A download slot goes back now that the bytes are out (or the peer went
      // away), not when the connection's next request arrives.
      res.file.reset();
      if (!ok || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }
};

Listener::Listener(const Router& router, ListenerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Listener::~Listener() { impl_->workers.join(); }

Status Listener::bind() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.host, ec);
  if (ec) return make_error(Code::kInvalidArgument, "listen address \"" + impl_->opt.host + "\" is not an IP address");
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(Code::kUnavailable, "cannot listen on " + impl_->opt.host + ":" + std::to_string(impl_->opt.port) +
                                              ": " + ec.message() + " (is another server using the port? use --listen)");
  return ok_status();
}

std::uint16_t Listener::port() const { return impl_->acceptor.local_endpoint().port(); }

void Listener::run() {
  asio::signal_set signals(impl_->ioc, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code&, int sig) {
    spdlog::info("signal {} received, stopping", sig);
    stop();
  });
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  int n = impl_->opt.threads > 0 ? impl_->opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Listener::stop() {
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    impl_->ioc.stop();
  });
}

Expected<ListenerOptions> parse_listen(const std::string& text, ListenerOptions base) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return make_error(Code::kInvalidArgument, "--listen \"" + text + "\" needs HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535)
    return make_error(Code::kInvalidArgument, "--listen port \"" + port + "\" is not a number 0-65535");
  base.host = host;
  base.port = static_cast<std::uint16_t>(p);
  return base;
}

}  // namespace posfleet::http
