#include "server/domain/deployments.h"

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/domain/notifications.h"

namespace posfleet::domain {

bool is_open(const store::DeploymentRecord& d) {
  return d.status == "scheduled" || d.status == "running" || d.status == "canceling";
}

Expected<store::DeploymentRecord> assign_release(Context& ctx, const std::string& version, const std::string& serial) {
  auto r = ctx.store.release_by_version(version);
  if (!r) return r.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  auto open = ctx.store.open_deployment(t->id);
  if (!open) return open.error();
  if (*open)
    return make_error(Code::kConflict, "terminal " + serial + " already has open deployment " +
                                           std::to_string((*open)->id) + "; wait for it or cancel it first");
  store::DeploymentRecord d;
  d.terminal_id = t->id;
  d.release_id = r->id;
  d.created = d.updated = unix_now();
  auto id = ctx.store.insert_deployment(d);
  if (!id && id.error().code == Code::kConflict)
    return make_error(Code::kConflict, "terminal " + serial + " was just given another deployment; wait for it or cancel it first");
  if (!id) return id.error();
  d.id = *id;
  return d;
}

Expected<store::DeploymentRecord> request_cancel(Context& ctx, std::int64_t deployment_id) {
  auto d = ctx.store.deployment(deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kConflict, "deployment " + std::to_string(deployment_id) + " has already ended (" +
                                           d->status + ")");
  d->status = "canceling";
  d->updated = unix_now();
  d->message = "cancel requested by operator";
  if (auto s = ctx.store.update_deployment(*d); !s) return s.error();
  return d;
}

Expected<store::DeploymentRecord> deployment_of(Context& ctx, const store::TerminalRecord& t, std::int64_t id) {
  auto d = ctx.store.deployment(id);
  if (!d || d->terminal_id != t.id) return make_error(Code::kNotFound, "no action " + std::to_string(id) + " for this terminal");
  return d;
}

namespace {

Status append_history(Context& ctx, std::int64_t deployment_id, const Feedback& fb) {
  boost::json::array details;
  for (const auto& line : fb.details) details.push_back(boost::json::string(line));
  return ctx.store.append_action_status({0, deployment_id, unix_now(), fb.execution, fb.result,
                                         json::serialize(details), fb.code, fb.progress_cnt,
                                         fb.progress_of});
}

const std::set<std::string> kExecutions = {"closed",   "proceeding", "canceled",    "scheduled",
                                           "rejected", "resumed",    "downloading", "downloaded", "download"};

Status check_feedback(const Feedback& fb) {
  if (!kExecutions.count(fb.execution))
    return make_error(
        Code::kInvalidArgument,
        "status.execution \"" + text::safe_echo(fb.execution) + "\" is not a DDI execution status");
  if (fb.result != "success" && fb.result != "failure" && fb.result != "none")
    return make_error(Code::kInvalidArgument, "status.result.finished must be success, failure or none");
  return ok_status();
}

}  // namespace

Status record_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id, const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kConflict, "action " + std::to_string(deployment_id) + " has already ended (" + d->status +
                                           "/" + d->result + ")");
  if (auto s = append_history(ctx, d->id, fb); !s) return s;
  std::string installed;  // the version a successful report installs
  if (fb.execution == "closed" && fb.result == "success") {
    auto r = ctx.store.release_by_id(d->release_id);
    if (!r) return r.error();
    if (auto s = ctx.store.set_installed_version(t.id, r->version); !s) return s;
    installed = r->version;
  }
  // Written only over the status it was read with: a cancel requested in
  // between is read again and kept, not overwritten by a progress report.
  for (int attempt = 0;; ++attempt) {
    const std::string was = d->status;
    if (!fb.details.empty()) d->message = fb.details.back();
    d->updated = unix_now();
    if (!installed.empty()) {
      d->status = "finished";
      d->result = "success";
    } else if ((fb.execution == "closed" && fb.result == "failure") || fb.execution == "rejected") {
      d->status = "finished";
      d->result = "failure";
    } else if (fb.execution == "canceled") {
      d->status = "canceled";
    } else if (d->status == "scheduled") {
      d->status = "running";
    }
    auto written = ctx.store.update_deployment_if(*d, was);
    if (!written) return written.error();
    if (*written) break;
    if (attempt == 3) return make_error(Code::kConflict, "the deployment kept changing; send the feedback again");
    d = ctx.store.deployment(deployment_id);
    if (!d) return d.error();
  }
  if (d->status == "finished" && d->result == "failure") {
    // Tell the merchant in plain words: nothing changed for them.
    auto r = ctx.store.release_by_id(d->release_id);
    const std::string version = r ? r->version : "";
    const std::string why = fb.details.empty() ? "" : fb.details.back();
    notify(ctx, t.id, "update_failed", std::to_string(d->id),
           "更新 " + version + " 未能完成，终端仍在使用原来的版本，交易记录完好，可以照常收款。原因：" + why,
           "Update " + version + " did not complete. The terminal still runs its previous version and every "
           "transaction is kept; you can take payments as usual. Reason: " + why);
  }
  return ok_status();
}

Status record_confirmation(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id, bool confirmed,
                           const std::vector<std::string>& details) {
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kConflict, "action " + std::to_string(deployment_id) + " has already ended");
  Feedback fb{confirmed ? "confirmed" : "denied", "none", details, 0};
  if (auto s = append_history(ctx, d->id, fb); !s) return s;
  d->updated = unix_now();
  if (!details.empty()) d->message = details.back();
  if (confirmed && d->status == "scheduled") d->status = "running";
  if (!confirmed) {
    d->status = "finished";
    d->result = "failure";
  }
  return ctx.store.update_deployment(*d);
}

Status record_cancel_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                              const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (d->status != "canceling")
    return make_error(Code::kConflict, "action " + std::to_string(deployment_id) + " is not being canceled");
  if (auto s = append_history(ctx, d->id, fb); !s) return s;
  d->updated = unix_now();
  if ((fb.execution == "closed" && fb.result == "success") || fb.execution == "canceled") {
    d->status = "canceled";
    d->message = "canceled on the terminal";
  } else if (fb.execution == "rejected" || fb.result == "failure") {
    d->status = "running";
    d->message = fb.details.empty() ? "terminal refused to cancel" : fb.details.back();
  }
  return ctx.store.update_deployment(*d);
}

}  // namespace posfleet::domain
