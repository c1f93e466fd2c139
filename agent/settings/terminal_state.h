// posfleet agent: what the terminal knows besides its update: its copy of the
// policy of record, a change the merchant made while offline, the language of
// the menu, notifications, the update on offer and queued support tickets.
//
// Saved atomically at <device_dir>/state/terminal.json after every change, so
// an offline change survives a restart and is sent on the next poll.
// Thread-safety: a plain value; AgentService guards it with its mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/result.h"

namespace posfleet::agent {

struct Notice {
  std::int64_t id = 0;  // the server's id; 0 for notices the agent made itself
  std::string kind, time, text_zh, text_en;
};

struct OfferedComponent {
  std::string name, version;
  std::uint64_t size = 0;
  bool mandatory = false;
  std::vector<std::string> depends;
};

struct Offer {
  std::int64_t action_id = 0;
  std::string version, notes_zh, notes_en;
  std::vector<OfferedComponent> components = {};
  std::string manifest_text = {};  // kept in memory only, to resolve the merchant's choice
  bool security = false;           // signed in the manifest as security-critical
  std::int64_t deadline = 0;       // the server's deadline for it; 0 = none
};

// A change made on the terminal, kept until the server has answered it: a
// mode, or (reset) "back to what the fleet and group give me".
struct PendingChange {
  std::string mode;  // "" with reset
  std::int64_t base_revision = 0;
  bool reset = false;
};

// An update the server holds back from this terminal (its mode is `never`):
// not offered, but the merchant who checks is told it exists.
struct HeldUpdate {
  std::int64_t action_id = 0;
  std::string version;
};

struct TerminalState {
  Policy policy;  // the server's effective policy as last received
  std::optional<PendingChange> pending;
  std::string language = "zh-CN";
  std::vector<Notice> notices;  // newest last, at most kMaxNotices
  std::int64_t last_notice_id = 0;
  std::optional<Offer> offer;
  std::optional<HeldUpdate> held;
  std::string waiting_for;  // why the offer is not installing: confirmation | window | policy | ""
  std::int64_t confirmed_action = 0;
  std::vector<std::string> confirmed_components;  // the merchant's choice for confirmed_action
  std::vector<std::string> queued_tickets;
  bool online = false;

  static constexpr size_t kMaxNotices = 100;
  // The policy the terminal acts on: the server's, with an unsent mode change
  // applied (an unsent reset keeps the server's until it answers).
  Policy effective() const;
  void add_notice(Notice n);

  static Expected<TerminalState> load(const std::string& path);
  Status save(const std::string& path) const;
};

}  // namespace posfleet::agent
