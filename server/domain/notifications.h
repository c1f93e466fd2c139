// posfleet server: notifications for a terminal's 更新通知 screen, delivered in
// the DDI poll as a posfleet extension (docs/protocol.md). Each (kind, ref)
// is created once, so a poll may ask for one again without duplicating it.
// Kinds: update_available, update_failed, policy_changed, policy_conflict,
// security_deadline, security_install, ticket.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>

#include "core/policy.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// Creates a notification as part of a change (commit_change, audit.h): if it
// cannot be stored, the change fails with it.
Status notify(store::Tx& tx, std::int64_t terminal_id, const std::string& kind,
              const std::string& ref, const std::string& text_zh, const std::string& text_en);
// Creates a notification that goes with no change of its own (an offer seen in
// a poll): a failure is logged, and the next occasion creates it again.
void notify(Context& ctx, std::int64_t terminal_id, const std::string& kind, const std::string& ref,
            const std::string& text_zh, const std::string& text_en);

struct OfferView {
  bool visible = false;  // may the terminal see (and install) the deployment now?
  bool forced = false;   // a security release overriding `never` after its deadline
  DecisionReason reason = DecisionReason::kModeNever;  // why (core/policy.h decide())
};

// Decides what a terminal is told about its open deployment and creates the
// notifications that go with it. `posfleet_client`: the client understands
// posfleet's extension (it decides the window itself); stock DDI clients are
// held back outside the window here instead.
OfferView offer_for(Context& ctx, const store::TerminalRecord& t, const Policy& policy,
                    const store::DeploymentRecord& d, const store::ReleaseRecord& r,
                    bool posfleet_client);

}  // namespace posfleet::domain
