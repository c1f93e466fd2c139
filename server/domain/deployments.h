// posfleet server: deployments (DDI actions) and their life cycle.
//
//   scheduled --(terminal fetches or reports progress)--> running
//   scheduled|running --closed/success--> finished/success (terminal's version recorded)
//   scheduled|running --closed/failure or rejected--> finished/failure
//   scheduled|running --operator cancels--> canceling --terminal confirms--> canceled
//                                           canceling --terminal refuses--> running
// Every feedback a terminal sends is kept in the action's history, in order.
// A terminal has at most one open deployment. Assigning a release (assign_to):
//   - a terminal already running the release is skipped (already_installed);
//   - an open deployment of the same release stays (already_open);
//   - an open deployment of an OLDER release that has not started installing
//     (never fetched, or fetched and at most downloading) is canceled at once
//     and replaced by the new one — audited as deployment.replace;
//   - otherwise the terminal is busy (installing: past its download; busy: an
//     open deployment of a newer or equal release).
// A scheduled deployment (never fetched) is canceled at once; a fetched one
// goes through canceling, since the terminal may be working on it.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/notifications.h"

namespace posfleet::domain {

struct Feedback {
  std::string execution;  // closed | proceeding | canceled | scheduled | rejected | resumed |
                          // downloading | downloaded
  std::string result;     // success | failure | none
  std::vector<std::string> details;
  int code = 0;  // posfleet error code (core/result.h), 0 when none
  std::int64_t progress_cnt = 0, progress_of = 0;  // status.result.progress; of = 0 when absent
};

inline const Actor kSystemActor{"system", "system", "api"};

// What assign_to did for one terminal: created (and replaced, the id of the
// open deployment it canceled, or 0), or skipped for `skipped`
// (retired | other_organisation: the release is another organisation's, ReleaseRecord::org_id |
// already_installed | already_open | installing | busy).
struct Assignment {
  std::optional<store::DeploymentRecord> created;
  std::int64_t replaced = 0;
  std::string skipped;
};
// Inside a change (audit.h commit_change): reads the terminal's open deployment and writes the
// replacement, its deployment.replace audit entry and the new deployment in `tx`, so that two
// assignments racing for one terminal leave exactly one open deployment. dry_run decides
// without writing. The deployment made carries `rollout_id` (the staged rollout that made it, 0
// for none). A release stopped by the kill switch (rollouts/actions.h stop_release) is refused
// with kReleaseStopped, dry run or not.
Expected<Assignment> assign_to(store::Tx& tx, const store::ReleaseRecord& r,
                               const store::TerminalRecord& t, bool dry_run, const Actor& who,
                               std::int64_t rollout_id = 0);
// The same as a change of its own.
Expected<Assignment> assign_to(Context& ctx, const store::ReleaseRecord& r,
                               const store::TerminalRecord& t, bool dry_run, const Actor& who);
// One terminal by serial, audited as deployment.create with `reason` in the same change; a skip
// is kConflict (kWrongState for a retired terminal) and says why and what to do.
Expected<store::DeploymentRecord> assign_release(Context& ctx, const std::string& version,
                                                 const std::string& serial,
                                                 const Actor& who = kSystemActor,
                                                 const std::string& reason = "");
// Cancels deployment `id` inside a change: a scheduled one ends at once (canceled), a fetched one
// goes to canceling. kWrongState if it has ended already.
Expected<store::DeploymentRecord> request_cancel(store::Tx& tx, std::int64_t deployment_id);
// The same, audited as deployment.cancel, as one change.
Expected<store::DeploymentRecord> request_cancel(Context& ctx, std::int64_t deployment_id,
                                                 const Actor& who = kSystemActor,
                                                 const std::string& reason = "");

// What a terminal fetches on deploymentBase/{id} (or installedBase/{id}): the deployment as it
// was read, its release, the release's artifacts in component order and, when asked, its
// history. Fetching an open deployment that was scheduled moves it to running, in one change.
struct ActionFetch {
  store::DeploymentRecord deployment;
  store::ReleaseRecord release;
  std::vector<store::ArtifactRecord> artifacts;
  std::vector<store::ActionStatusRecord> history;
};
// kNotFound if it is not this terminal's, or not open (installed: not finished with success);
// kWrongState if the terminal's policy holds it back (`visible` decides, policy.h offer_for).
Expected<ActionFetch> fetch_action(Context& ctx, const store::TerminalRecord& t, std::int64_t id,
                                   bool installed, bool with_history);

// Has the terminal gone past downloading this deployment (verify, pre-checks,
// install …)? From its feedback history.
bool started_installing(const store::DeploymentRecord& d,
                        const std::vector<store::ActionStatusRecord>& history);

// Feedback on deploymentBase/{id}; kNotFound if the action is not this terminal's,
// kGone (HTTP 410) if it has already ended. The history entry, the status, the installed
// version commit together.
Status record_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                       const Feedback& fb);
// Feedback on cancelAction/{id}; kGone if it is not being canceled.
Status record_cancel_feedback(Context& ctx, const store::TerminalRecord& t,
                              std::int64_t deployment_id, const Feedback& fb);

// DDI confirmation flow: the merchant confirmed or denied the action on the
// terminal; kept in the action's history ("confirmed" / "denied"). A denial
// ends the action as failed. kGone if it has already ended.
Status record_confirmation(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                           bool confirmed, const std::vector<std::string>& details);

// The deployment `id` if it belongs to terminal `t`.
Expected<store::DeploymentRecord> deployment_of(Context& ctx, const store::TerminalRecord& t,
                                                std::int64_t id);
bool is_open(const store::DeploymentRecord& d);

// What a poll answers (ddi_api.cc renders it): the open deployment with its release and what
// the terminal's policy lets it see of it, the effective policy (when there is an open
// deployment or the client is posfleet's agent) and, for posfleet's agent, notifications after
// `since`.
struct PollView {
  std::optional<store::DeploymentRecord> open;
  std::optional<store::ReleaseRecord> release;  // of `open`, unless it is being canceled
  OfferView offer;
  std::optional<Policy> policy;
  std::vector<store::NotificationRecord> notifications;
};
// The terminal's poll is noted first (note_poll). With a PollingTerminal the open deployment
// is the one read with the terminal; with a TerminalRecord it is read here.
Expected<PollView> poll_view(Context& ctx, const store::PollingTerminal& polled,
                             bool posfleet_client, std::int64_t since);
Expected<PollView> poll_view(Context& ctx, const store::TerminalRecord& t, bool posfleet_client,
                             std::int64_t since);

// A software module's artifact for terminal `t`: kNotFound unless a deployment gave the
// terminal its release.
struct ModuleArtifact {
  store::ComponentRecord component;
  store::ArtifactRecord artifact;
  // For a delta patch (deltas.h): the length of the component's full file it stands in for.
  std::uint64_t full_length = 0;
};
Expected<ModuleArtifact> artifact_for(Context& ctx, const store::TerminalRecord& t,
                                      std::int64_t module_id);

// A deployment as the APIs show it: with its terminal's serial, its release's version and,
// when asked, its feedback history.
struct DeploymentView {
  store::DeploymentRecord deployment;
  std::string serial, version;
  std::optional<std::vector<store::ActionStatusRecord>> history;  // when asked for
};
Expected<DeploymentView> deployment_view(Context& ctx, const store::DeploymentRecord& d,
                                         bool with_history);
Expected<DeploymentView> deployment_view(Context& ctx, std::int64_t id);
// GET /api/v1/deployments: `q` narrowed to the terminal `serial` and release `version` when not
// empty (kNotFound if unknown); a page, newest first, and how many match in all.
struct DeploymentPage {
  std::vector<DeploymentView> rows;
  std::int64_t total = 0;
};
Expected<DeploymentPage> find_deployments(Context& ctx, const std::string& serial,
                                          const std::string& version, store::DeploymentQuery q);

// A terminal polls: when it was last seen is noted (once a last_seen_step_seconds at most, in
// LastSeen's batch but for its first poll, to keep polls read-only) and its reported version
// adopted (terminals.h). Each write is idempotent and stands alone; a failing one fails the poll.
Status note_poll(Context& ctx, const store::TerminalRecord& t);

}  // namespace posfleet::domain
