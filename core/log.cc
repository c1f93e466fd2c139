#include "core/log.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "core/text.h"

namespace posfleet::log {
namespace {

enum class Shape { kText, kJournal, kJson };

// Control characters (a newline that would forge a second entry) as \xNN.
std::string escape_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// "2026-12-02 07:52:07.123" in local time, or "2026-12-02T07:52:07.123" in UTC.
std::string stamp(std::chrono::system_clock::time_point time, bool utc) {
  const auto t = std::chrono::system_clock::to_time_t(time);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  std::tm tm{};
  if (utc)
    ::gmtime_r(&t, &tm);
  else
    ::localtime_r(&t, &tm);
  char out[48];
  const std::size_t n =
      std::strftime(out, sizeof out, utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(out + n, sizeof out - n, ".%03d", static_cast<int>(ms));
  return out;
}

std::string_view level_name(spdlog::level::level_enum l) {
  const auto& sv = spdlog::level::to_string_view(l);
  return {sv.data(), sv.size()};
}

class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(Shape shape, std::string program) : shape_(shape), program_(std::move(program)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    const std::string_view level = level_name(msg.level);
    std::string line;
    switch (shape_) {
      case Shape::kJson:
        line = json_line(msg.time, level, text, program_, static_cast<long>(::getpid()),
                         static_cast<long>(msg.thread_id));
        break;
      case Shape::kJournal:
        line = journal_line(syslog_priority(level), text);
        break;
      case Shape::kText:
        line = "[" + stamp(msg.time, false) + "] [" + std::string(level) + "] " +
               escape_controls(text) + "\n";
        break;
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(shape_, program_);
  }

 private:
  Shape shape_;
  std::string program_;
};

}  // namespace

Expected<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return make_error(Code::kInvalidArgument,
                    "unknown log format \"" + text::safe_echo(name, 20) + "\"; use text or json");
}

bool stderr_is_journal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env || !*env) return false;
  unsigned long long dev = 0, ino = 0;
  char extra = 0;
  if (std::sscanf(env, "%llu:%llu%c", &dev, &ino, &extra) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

int syslog_priority(std::string_view level) {
  if (level == "critical") return 2;
  if (level == "error") return 3;
  if (level == "warning" || level == "warn") return 4;
  if (level == "info") return 6;
  return 7;  // debug, trace
}

std::string journal_line(int priority, std::string_view message) {
  return "<" + std::to_string(priority) + ">" + escape_controls(message) + "\n";
}

std::string json_line(std::chrono::system_clock::time_point time, std::string_view level,
                      std::string_view message, std::string_view program, long pid, long thread) {
  boost::json::object fields{
      {"program", text::to_valid_utf8(program)}, {"pid", pid}, {"thread", thread}};
  boost::json::object line{{"time", stamp(time, true) + "Z"},
                           {"level", level == "warning" ? "warn" : std::string(level)},
                           {"message", text::to_valid_utf8(message)},
                           {"fields", std::move(fields)}};
  return boost::json::serialize(line) + "\n";
}

Status setup(std::string_view program, Format format, std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off")
    return make_error(Code::kInvalidArgument, "unknown log level \"" + text::safe_echo(level, 20) +
                                                  "\"; use trace, debug, info, warn or error");
  const Shape shape = format == Format::kJson ? Shape::kJson
                      : stderr_is_journal()   ? Shape::kJournal
                                              : Shape::kText;
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<LineFormatter>(shape, std::string(program)));
  auto logger = std::make_shared<spdlog::logger>(std::string(program), std::move(sink));
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);  // a crash or a kill must not lose the last lines
  spdlog::set_default_logger(std::move(logger));
  return ok_status();
}

Expected<Format> setup(std::string_view program, std::string_view format, std::string_view level) {
  auto f = parse_format(format);
  if (!f) return f.error();
  if (auto s = setup(program, *f, level); !s) return s.error();
  return *f;
}

}  // namespace posfleet::log
