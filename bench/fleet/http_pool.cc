#include "bench/fleet/http_pool.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

namespace posfleet::fleet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint64_t kBodyLimit = 4 * 1024 * 1024;

http::request<http::string_body> to_beast(const HttpRequest& r, const std::string& host) {
  http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "posfleet-fleet-sim");
  if (!r.authorization.empty()) req.set(http::field::authorization, r.authorization);
  if (!r.range.empty()) req.set(http::field::range, r.range);
  if (!r.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = r.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

HttpReply from_beast(http::response<http::string_body>&& res) {
  HttpReply out;
  out.status = static_cast<int>(res.result_int());
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    try {
      out.retry_after = std::stoi(std::string(it->value()));
    } catch (const std::exception&) {
    }
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

struct HttpPool::Impl {
  struct Job {
    HttpRequest req;
    Done done;
    int attempts = 0;
  };
  struct Conn {
    explicit Conn(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    std::optional<http::response_parser<http::string_body>> parser;
    bool connected = false;
    bool reused = false;  // this request went out on a connection that served one before
    Job job;
  };

  asio::io_context io;
  tcp::endpoint endpoint;
  std::string host;
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> idle;
  std::deque<Job> queue;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  std::vector<std::shared_ptr<std::function<void()>>> ticks;
  bool stopping = false;

  void start(Conn& c, Job job) {
    c.job = std::move(job);
    c.req = to_beast(c.job.req, host);
    if (c.connected) {
      c.reused = true;
      write(c);
      return;
    }
    c.reused = false;
    c.stream.expires_after(std::chrono::seconds(10));
    c.stream.async_connect(endpoint, [this, &c](beast::error_code ec) {
      if (stopping) return;
      if (ec) return fail(c, "connect: " + ec.message());
      c.connected = true;
      write(c);
    });
  }

  void write(Conn& c) {
    c.stream.expires_after(std::chrono::seconds(60));
    http::async_write(c.stream, c.req, [this, &c](beast::error_code ec, std::size_t) {
      if (stopping) return;
      if (ec) return fail(c, "write: " + ec.message());
      c.parser.emplace();
      c.parser->body_limit(kBodyLimit);
      http::async_read(c.stream, c.buffer, *c.parser,
                       [this, &c](beast::error_code ec, std::size_t) {
                         if (stopping) return;
                         if (ec) return fail(c, "read: " + ec.message());
                         auto res = c.parser->release();
                         if (!res.keep_alive()) close(c);
                         finish(c, from_beast(std::move(res)));
                       });
    });
  }

  void close(Conn& c) {
    beast::error_code ignored;
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    c.stream.close();
    c.buffer.clear();
    c.connected = false;
  }

  void fail(Conn& c, const std::string& why) {
    const bool retry = c.reused && c.job.attempts == 0;  // the server closed an idle connection
    close(c);
    if (retry) {
      Job again = std::move(c.job);
      again.attempts = 1;
      start(c, std::move(again));
      return;
    }
    HttpReply r;
    r.error = why;
    finish(c, std::move(r));
  }

  void finish(Conn& c, HttpReply&& r) {
    Done done = std::move(c.job.done);
    c.job = Job{};
    done(std::move(r));  // may submit(): this connection is not idle yet, so that queues
    if (!queue.empty()) {
      Job next = std::move(queue.front());
      queue.pop_front();
      start(c, std::move(next));
    } else {
      idle.push_back(&c);
    }
  }
};

HttpPool::HttpPool(const std::string& host, int port, int connections)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port));
  impl_->host = host + ":" + std::to_string(port);
  for (int k = 0; k < connections; ++k) {
    impl_->conns.push_back(std::make_unique<Impl::Conn>(impl_->io));
    impl_->idle.push_back(impl_->conns.back().get());
  }
}

HttpPool::~HttpPool() = default;

void HttpPool::submit(HttpRequest req, Done done) {
  Impl::Job job{std::move(req), std::move(done), 0};
  if (impl_->idle.empty()) {
    impl_->queue.push_back(std::move(job));
    return;
  }
  Impl::Conn* c = impl_->idle.back();
  impl_->idle.pop_back();
  impl_->start(*c, std::move(job));
}

void HttpPool::every(int milliseconds, std::function<void()> job) {
  impl_->timers.push_back(std::make_unique<asio::steady_timer>(impl_->io));
  auto* timer = impl_->timers.back().get();
  auto tick = std::make_shared<std::function<void()>>();
  *tick = [this, timer, milliseconds, job = std::move(job), tick_weak = std::weak_ptr(tick)] {
    timer->expires_after(std::chrono::milliseconds(milliseconds));
    timer->async_wait([this, job, tick_weak](beast::error_code ec) {
      if (ec || impl_->stopping) return;
      job();
      if (auto t = tick_weak.lock()) (*t)();
    });
  };
  (*tick)();
  // The timer's closure keeps only a weak reference; the pool keeps the strong one.
  impl_->ticks.push_back(tick);
}

void HttpPool::post(std::function<void()> job) { asio::post(impl_->io, std::move(job)); }

void HttpPool::run() {
  auto guard = asio::make_work_guard(impl_->io);
  impl_->io.run();
}

void HttpPool::stop() {
  asio::post(impl_->io, [this] {
    impl_->stopping = true;
    for (auto& c : impl_->conns) impl_->close(*c);
    for (auto& t : impl_->timers) t->cancel();
    impl_->io.stop();
  });
}

std::size_t HttpPool::queued() const { return impl_->queue.size(); }
std::size_t HttpPool::busy() const { return impl_->conns.size() - impl_->idle.size(); }

HttpReply blocking_request(const std::string& host, int port, const HttpRequest& r,
                           int timeout_seconds) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  auto req = to_beast(r, host + ":" + std::to_string(port));
  req.keep_alive(false);
  HttpReply out;
  stream.expires_after(std::chrono::seconds(timeout_seconds));
  stream.async_connect(
      tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)),
      [&](beast::error_code ec) {
        if (ec) {
          out.error = "connect: " + ec.message();
          return;
        }
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
          if (ec) {
            out.error = "write: " + ec.message();
            return;
          }
          http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
            if (ec) {
              out.error = "read: " + ec.message();
              return;
            }
            out = from_beast(parser.release());
          });
        });
      });
  io.run();
  return out;
}

}  // namespace posfleet::fleet
