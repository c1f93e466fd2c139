// LocalClient against a real Unix socket served by a thread in this test.
#include "agent/local/local_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <cstring>
#include <functional>
#include <thread>

#include "core/testing/temp_dir.h"

namespace posfleet::agent {
namespace {

int bind_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
      << std::strerror(errno);
  return fd;
}

// Accepts one connection, reads the request line and lets `answer` reply.
std::thread serve_once(int listen_fd,
                       std::function<void(int conn, const std::string& request)> answer) {
  ::listen(listen_fd, 1);
  return std::thread([listen_fd, answer] {
    int conn = ::accept(listen_fd, nullptr, nullptr);
    std::string request;
    char c;
    while (::read(conn, &c, 1) == 1 && c != '\n') request += c;
    answer(conn, request);
    ::close(conn);
  });
}

void write_all(int fd, const std::string& s) {
  ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

TEST(LocalClientTest, SendsOneLineAndReturnsTheReplyObject) {
  testing::TempDir dir("local_client");
  int fd = bind_unix(dir.file("agent.sock"));
  std::string seen;
  auto server = serve_once(fd, [&](int conn, const std::string& request) {
    seen = request;
    write_all(conn, "{\"ok\":true,\"version\":\"2.1.0\"}\n");
  });
  auto reply = LocalClient(dir.file("agent.sock")).call({{"cmd", "status"}});
  server.join();
  ::close(fd);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(seen, "{\"cmd\":\"status\"}");
  EXPECT_EQ(reply->at("version"), "2.1.0");
}

TEST(LocalClientTest, MissingSocketAndStaleSocketAreUnavailable) {
  testing::TempDir dir("local_client");
  auto missing = LocalClient(dir.file("agent.sock")).call({{"cmd", "status"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kUnavailable);
  // Bound but not listening: what a crashed daemon leaves behind.
  int fd = bind_unix(dir.file("stale.sock"));
  auto stale = LocalClient(dir.file("stale.sock")).call({{"cmd", "status"}});
  ::close(fd);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Code::kUnavailable);
}

TEST(LocalClientTest, SilentDaemonTimesOut) {
  testing::TempDir dir("local_client");
  int fd = bind_unix(dir.file("agent.sock"));
  auto server = serve_once(fd, [](int, const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  });
  auto reply = LocalClient(dir.file("agent.sock")).call({{"cmd", "check"}}, 1);
  server.join();
  ::close(fd);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Code::kNetwork);
}

TEST(LocalClientTest, GarbageAndSilenceAreErrors) {
  testing::TempDir dir("local_client");
  int fd = bind_unix(dir.file("agent.sock"));
  auto server = serve_once(fd, [](int conn, const std::string&) { write_all(conn, "[1,2]\n"); });
  auto array = LocalClient(dir.file("agent.sock")).call({{"cmd", "status"}});
  server.join();
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().code, Code::kParse);
  server = serve_once(fd, [](int, const std::string&) {});  // closes without a word
  auto closed = LocalClient(dir.file("agent.sock")).call({{"cmd", "status"}});
  server.join();
  ::close(fd);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, Code::kUnavailable);
}

TEST(LocalClientTest, OverlongPathIsExplained) {
  auto reply = LocalClient("/" + std::string(200, 'x') + "/agent.sock").call({{"cmd", "status"}});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Code::kInvalidArgument);
  EXPECT_NE(reply.error().message.find("shorter device_dir"), std::string::npos);
}

}  // namespace
}  // namespace posfleet::agent
