// posfleet core: how posfleetd and posfleet-agent write their logs, set up once
// at start (setup()) for spdlog's default logger. Everything goes to stderr.
//
// Three shapes:
// - text (the default): "[2026-12-02 07:52:07.123] [info] message", as before;
// - journal: chosen by itself when stderr is a journald stream (systemd sets
//   JOURNAL_STREAM to "device:inode" of that stream and we check it is ours):
//   no timestamp (the journal stamps each line), the level as a syslog
//   priority prefix "<6>" that journald turns into the entry's PRIORITY;
// - json (--log-format json): one JSON object per line,
//   {"time":"2026-12-02T07:52:07.123Z","level":"info","message":"…",
//    "fields":{"program":"posfleetd","pid":1,"thread":2}}.
// A message may quote text from outside (a path, a name): in json lines it is
// made valid UTF-8 (U+FFFD for ill-formed bytes) and escaped, so a line is
// always one valid JSON object; in text and journal lines control characters
// (a newline forging a second entry) are shown as \xNN.
// Thread-safety: setup() before other threads log; the formatters are used by
// spdlog under its sink's lock.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet::log {

enum class Format { kText, kJson };

// "text" or "json"; anything else is kInvalidArgument saying what is allowed.
Expected<Format> parse_format(std::string_view name);

// True when stderr is the stream JOURNAL_STREAM names (so a child's inherited
// variable with another stderr does not count).
bool stderr_is_journal();

// Makes the default logger write to stderr in `format` (text turns into the
// journal shape under journald) at `level` (trace, debug, info, warn, error);
// `program` names the process in json fields.
Status setup(std::string_view program, Format format, std::string_view level);
// The same from the words of --log-format and --log-level; answers the format.
Expected<Format> setup(std::string_view program, std::string_view format, std::string_view level);

// The building blocks, for tests: one json line (with its '\n') and one
// journal line. `level` is spdlog's name of the level.
std::string json_line(std::chrono::system_clock::time_point time, std::string_view level,
                      std::string_view message, std::string_view program, long pid, long thread);
std::string journal_line(int syslog_priority, std::string_view message);
// syslog priority of an spdlog level name: 7 debug/trace, 6 info, 4 warn,
// 3 error, 2 critical.
int syslog_priority(std::string_view level);

}  // namespace posfleet::log
