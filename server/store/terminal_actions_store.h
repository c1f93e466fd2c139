// posfleet server: the store's terminal-action area: what staff asked a terminal to do remotely
// (collect its logs, reboot; domain/terminal_actions.h), its outcome, and a log bundle it
// uploaded (scrubbed). One part of store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct TerminalActionRecord {
  std::int64_t id = 0, terminal_id = 0;
  std::string kind;  // logs | reboot
  std::string reason, requested_by;
  std::int64_t requested_at = 0;
  std::string state = "pending";  // pending | done | failed
  std::int64_t done_at = 0;
  std::string detail;            // what the terminal said
  std::int64_t bundle_size = 0;  // bytes of the kept bundle (0: none)
};

class TerminalActionStore {
 public:
  virtual ~TerminalActionStore() = default;
  virtual Expected<std::int64_t> insert_terminal_action(const TerminalActionRecord& a) = 0;
  virtual Expected<TerminalActionRecord> terminal_action(std::int64_t id) = 0;  // kNotFound
  // A terminal's actions, newest first, at most `limit`; `pending_only` for the poll.
  virtual Expected<std::vector<TerminalActionRecord>> terminal_actions(std::int64_t terminal_id,
                                                                       bool pending_only,
                                                                       std::int64_t limit) = 0;
  // Writes state, done_at and detail of action a.id (kNotFound).
  virtual Status update_terminal_action(const TerminalActionRecord& a) = 0;
  // Keeps the bundle of action `id` (and its size).
  virtual Status put_action_bundle(std::int64_t id, const std::string& bundle) = 0;
  virtual Expected<std::string> action_bundle(std::int64_t id) = 0;  // kNotFound: none
};

}  // namespace posfleet::store
