#include "core/sd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/testing/temp_dir.h"

namespace posfleet::sd {
namespace {

// A unix datagram socket standing in for systemd's notification socket.
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    if (name[0] == '@') {
      addr.sun_path[0] = '\0';
      --len;
    }
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0;
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~FakeSystemd() {
    ::close(fd_);
    ::unsetenv("NOTIFY_SOCKET");
  }
  bool bound() const { return bound_; }
  // The next datagram, or "" after a second.
  std::string receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) return "";
    char buf[512];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SdNotifyTest, WithoutNotifySocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(notify("READY=1"));
}

TEST(SdNotifyTest, SendsStateToAPathSocket) {
  testing::TempDir dir("posfleet_sd");
  FakeSystemd systemd(dir.file("notify"));
  ASSERT_TRUE(systemd.bound());
  ASSERT_TRUE(notify("READY=1\nSTATUS=serving"));
  EXPECT_EQ(systemd.receive(), "READY=1\nSTATUS=serving");
  ASSERT_TRUE(notify("STOPPING=1"));
  EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST(SdNotifyTest, SendsStateToAnAbstractSocket) {
  FakeSystemd systemd("@posfleet-sd-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(systemd.bound());
  ASSERT_TRUE(notify("READY=1"));
  EXPECT_EQ(systemd.receive(), "READY=1");
}

TEST(SdNotifyTest, BadOrAbsentSocketSaysWhy) {
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  auto s = notify("READY=1");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("absolute path"), std::string::npos);
  ::setenv("NOTIFY_SOCKET", "/nonexistent/posfleet/notify", 1);
  s = notify("READY=1");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("cannot notify systemd"), std::string::npos);
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(SdNotifyTest, WatchdogIntervalIsOursOnly) {
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  EXPECT_FALSE(watchdog_interval());
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ASSERT_TRUE(watchdog_interval());
  EXPECT_EQ(watchdog_interval()->count(), 30000000);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(watchdog_interval());
  ::setenv("WATCHDOG_PID", "1", 1);  // meant for another process
  EXPECT_FALSE(watchdog_interval());
  ::setenv("WATCHDOG_USEC", "x", 1);
  ::unsetenv("WATCHDOG_PID");
  EXPECT_FALSE(watchdog_interval());
  ::unsetenv("WATCHDOG_USEC");
}

}  // namespace
}  // namespace posfleet::sd
