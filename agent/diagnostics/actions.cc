#include "agent/diagnostics/actions.h"

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/scrub.h"

namespace posfleet::agent {

namespace bj = boost::json;

namespace {

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt>& recent() {
  static std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink;
  return sink;
}

// The last kMaxFileTailBytes of a file, or why it could not be read.
std::string tail_of(const std::string& path) {
  auto text = read_file(path);
  if (!text) return "(" + text.error().message + ")\n";
  if (text->size() <= kMaxFileTailBytes) return *text;
  return "(… the first " + std::to_string(text->size() - kMaxFileTailBytes) + " bytes left out)\n" +
         text->substr(text->size() - kMaxFileTailBytes);
}

void section(std::string& out, const std::string& title, const std::string& body) {
  out += "=== " + title + " ===\n" + body;
  if (!body.empty() && body.back() != '\n') out += '\n';
}

}  // namespace

void keep_recent_log_lines() {
  if (recent()) return;
  recent() = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(500);
  recent()->set_pattern("%Y-%m-%d %H:%M:%S %l %v");
  spdlog::default_logger()->sinks().push_back(recent());
}

std::string log_bundle(const Config& config, const std::string& status) {
  std::string out = "posfleet log bundle: terminal " + config.terminal + ", model " + config.model +
                    ", made " + format_utc(unix_now()) + "\n";
  section(out, "status", status);
  for (const char* name : {"state/update.json", "state/terminal.json"})
    section(out, name, tail_of(config.device_dir + "/" + name));
  std::vector<std::string> logs;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(config.device_dir + "/logs", ec))
    if (e.is_regular_file(ec)) logs.push_back(e.path().filename().string());
  std::sort(logs.begin(), logs.end());
  if (logs.size() > 16) logs.resize(16);
  for (const auto& name : logs)
    section(out, "logs/" + name, tail_of(config.device_dir + "/logs/" + name));
  std::string lines;
  if (recent())
    for (const auto& l : recent()->last_formatted()) lines += l;
  section(out, "posfleet-agent (recent lines)", lines);
  std::string scrubbed = scrub_sensitive(out);
  if (scrubbed.size() > kMaxBundleBytes) {
    // Keep the start (what it is) and the end (the newest lines); cut between whole lines.
    const std::string note = "\n(… cut to 256 KiB …)\n";
    const std::size_t keep = (kMaxBundleBytes - note.size()) / 2;
    std::string head = scrubbed.substr(0, keep), tail = scrubbed.substr(scrubbed.size() - keep);
    if (auto nl = head.rfind('\n'); nl != std::string::npos) head.resize(nl + 1);
    if (auto nl = tail.find('\n'); nl != std::string::npos) tail = tail.substr(nl + 1);
    scrubbed = scrub_sensitive(head + note + tail);  // cutting may not join digits into a card
  }
  return scrubbed;
}

void run_actions(DdiClient& ddi, const Config& config, const bj::object& extension,
                 const std::function<std::string()>& status, const std::function<void()>& restart) {
  const auto* list = extension.if_contains("actions");
  if (!list || !list->is_array()) return;
  std::size_t seen = 0;
  bool reboot = false;
  for (const auto& entry : list->get_array()) {
    if (++seen > 10) break;
    if (!entry.is_object()) continue;
    auto id = json::get_int(entry.get_object(), "id");
    const std::string kind = json::string_or(entry.get_object(), "kind", "");
    if (!id || *id <= 0) continue;
    if (kind == "logs") {
      const std::string bundle = log_bundle(config, status());
      if (auto s = ddi.upload_bundle(*id, bundle); !s)
        spdlog::warn("action {}: log bundle not delivered: {}; sent again after the next poll", *id,
                     s.error().message);
      else
        spdlog::info("action {}: log bundle of {} bytes delivered", *id, bundle.size());
    } else if (kind == "reboot") {
      if (auto s = ddi.action_report(*id, true, "restarting"); !s) {
        spdlog::warn("action {}: not reported: {}; the reboot waits for the next poll", *id,
                     s.error().message);
        continue;
      }
      reboot = true;
    } else {
      if (auto s = ddi.action_report(*id, false, "this agent does not know that action"); !s)
        spdlog::warn("action {}: {}", *id, s.error().message);
    }
  }
  if (reboot) {
    spdlog::info("restart requested from the back office");
    restart();
  }
}

}  // namespace posfleet::agent
