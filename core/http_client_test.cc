// HttpClient::download against a small server on 127.0.0.1 that misbehaves
// on purpose: a trickle, a missing file, and an honest one under a rate limit.
#include "core/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/fs.h"

namespace posfleet {
namespace {

// Answers each connection with `reply(start_of_request, fd)`, one at a time.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(int fd)> reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        char buf[4096];
        std::string req;
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        reply_(c);
        ::close(c);
      }
    });
  }
  ~LoopbackServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/a.img"; }
  std::atomic<bool> stop_{false};

 private:
  std::function<void(int)> reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

bool send_all(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size());
}

std::string head(std::size_t length) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
         std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}

std::string temp_file(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string("posfleet_http_") + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove(p);
  return p.string();
}

// These servers speak plain HTTP on loopback.
const TlsClientOptions kPlainAllowed{"", "", "", true};

class DownloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { HttpClient::global_init(); }
};

TEST_F(DownloadTest, ATrickleIsCutOffBelowTheMinimumRate) {
  LoopbackServer server([&](int fd) {
    if (!send_all(fd, head(100'000))) return;
    // 2 bytes a second until the client hangs up (bounded: 30 s).
    for (int i = 0; i < 60 && !server.stop_; ++i) {
      if (!send_all(fd, "x")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  CurlHttpClient http("", {}, kPlainAllowed);
  const std::string file = temp_file("trickle");
  auto got = http.download(server.url(), file, 100'000, {}, DownloadLimits{0, 1024, 1});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kTooSlow) << got.error().to_string();
  EXPECT_NE(got.error().message.find("below the minimum"), std::string::npos)
      << got.error().message;
  std::filesystem::remove(file);
}

TEST_F(DownloadTest, AMissingFileIsNotFound) {
  LoopbackServer server([](int fd) {
    send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  });
  CurlHttpClient http("", {}, kPlainAllowed);
  const std::string file = temp_file("missing");
  auto got = http.download(server.url(), file, 10, {}, DownloadLimits{0, 1024, 1});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kNotFound);
  std::filesystem::remove(file);
}

TEST_F(DownloadTest, AnHonestServerUnderTheTerminalsOwnRateLimitPasses) {
  // The terminal paces itself to 4 KiB/s; a floor above that is held to half
  // of it, so its own limit never trips its floor.
  const std::string body(12'288, 'b');
  LoopbackServer server([&](int fd) { send_all(fd, head(body.size()) + body); });
  CurlHttpClient http("", {}, kPlainAllowed);
  const std::string file = temp_file("paced");
  auto got = http.download(server.url(), file, body.size(), {}, DownloadLimits{4096, 1 << 20, 3});
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(*read_file(file), body);
  std::filesystem::remove(file);
}

TEST_F(DownloadTest, AJsonReplyLargerThanTheCapIsRefused) {
  const std::string big(2 << 20, ' ');
  LoopbackServer server([&](int fd) { send_all(fd, head(big.size()) + big); });
  CurlHttpClient http("", {}, kPlainAllowed);
  http.max_reply_bytes = 1 << 20;
  auto got = http.request("GET", server.url());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kServer);
  EXPECT_NE(got.error().message.find("larger than"), std::string::npos);
}

TEST(UrlScheme, HttpsAlwaysPlainHttpOnlyWhenAllowedNothingElseEver) {
  TlsClientOptions strict, plain;
  plain.allow_plain_http = true;
  EXPECT_TRUE(check_url_scheme("https://fleet.example.com", strict));
  EXPECT_TRUE(check_url_scheme("HTTPS://fleet.example.com/x", strict));
  auto refused = check_url_scheme("http://fleet.example.com", strict);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("allow_plain_http"), std::string::npos);
  EXPECT_TRUE(check_url_scheme("http://fleet.example.com", plain));
  for (const char* other : {"file:///etc/passwd", "ftp://x/y", "gopher://x", "", "//x/y", "https:"})
    EXPECT_EQ(check_url_scheme(other, plain).error().code, Code::kInvalidArgument) << other;
}

TEST_F(DownloadTest, PlainHttpIsRefusedBeforeAnyByteIsSentUnlessAllowed) {
  std::atomic<int> served{0};
  LoopbackServer server([&](int fd) {
    ++served;
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  });
  CurlHttpClient strict("", {});
  auto r = strict.request("GET", server.url());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().message.find("refusing plain HTTP"), std::string::npos);
  auto d = strict.download(server.url(), temp_file("plain"), 2);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("refusing plain HTTP"), std::string::npos);
  EXPECT_EQ(served.load(), 0);
  CurlHttpClient allowed("", {}, kPlainAllowed);
  auto ok = allowed.request("GET", server.url());
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(served.load(), 1);
}

TEST_F(DownloadTest, AnHttpsClientDoesNotFollowADownloadLinkToPlainHttp) {
  // The server of a terminal on https:// hands out a plain http:// link: refused.
  CurlHttpClient http("https://127.0.0.1:1", {});
  auto d = http.download("http://127.0.0.1:1/a.img", temp_file("downgrade"), 10);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("refusing plain HTTP"), std::string::npos);
}

}  // namespace
}  // namespace posfleet
