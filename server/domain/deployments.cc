#include "server/domain/deployments.h"

#include <boost/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "core/version.h"
#include "server/domain/audit.h"
#include "server/domain/notifications.h"

namespace posfleet::domain {

bool is_open(const store::DeploymentRecord& d) {
  return d.status == "scheduled" || d.status == "running" || d.status == "canceling";
}

bool started_installing(const store::DeploymentRecord& d,
                        const std::vector<store::ActionStatusRecord>& history) {
  if (d.status == "scheduled") return false;
  for (const auto& s : history) {
    // A whole download, or any step after it, means the next step may be the install.
    if (s.progress_of > 0 && s.progress_cnt >= s.progress_of) return true;
    if (s.execution == "confirmed" || s.execution == "scheduled") continue;
    if (s.execution != "proceeding" && s.execution != "downloading" && s.execution != "download")
      return true;
    auto lines = json::parse(s.details_json);
    if (!lines || !lines->is_array()) continue;
    for (const auto& l : lines->get_array()) {
      if (!l.is_string()) continue;
      const std::string_view line = l.get_string();
      const bool downloading = line.starts_with("downloading") || line.starts_with("downloaded") ||
                               line.starts_with("waiting: ");
      if (!downloading || line == "downloaded 100%") return true;
    }
  }
  return false;
}

namespace {

bool older(const std::string& a, const std::string& b) {
  auto va = Version::parse(a), vb = Version::parse(b);
  return va && vb && *va < *vb;
}

// Cancels `open` so that release `r` can replace it; false when the terminal
// moved on meanwhile (then it is busy).
Expected<bool> cancel_for_replacement(Context& ctx, store::DeploymentRecord open,
                                      const store::ReleaseRecord& r, const Actor& who) {
  const std::string was = open.status;
  open.status = "canceled";
  open.updated = unix_now();
  open.message = "replaced by release " + r.version;
  auto written = ctx.store.update_deployment_if(open, was);
  if (!written || !*written) return written;
  if (auto s = record_audit(ctx, who, "deployment.replace", "deployment:" + std::to_string(open.id),
                            was, "canceled; replaced by release " + r.version,
                            "a newer release was deployed");
      !s)
    return s.error();
  return true;
}

}  // namespace

Expected<Assignment> assign_to(Context& ctx, const store::ReleaseRecord& r,
                               const store::TerminalRecord& t, bool dry_run, const Actor& who) {
  Assignment out;
  if (t.retired) {
    out.skipped = "retired";
    return out;
  }
  if (!t.installed_version.empty() && t.installed_version == r.version) {
    out.skipped = "already_installed";
    return out;
  }
  auto open = ctx.store.open_deployment(t.id);
  if (!open) return open.error();
  if (*open) {
    const auto& d = **open;
    if (d.release_id == r.id) {
      out.skipped = "already_open";
      return out;
    }
    auto old = ctx.store.release_by_id(d.release_id);
    if (!old) return old.error();
    auto history = ctx.store.action_history(d.id);
    if (!history) return history.error();
    if (d.status == "canceling" || !older(old->version, r.version)) {
      out.skipped = "busy";
      return out;
    }
    if (started_installing(d, *history)) {
      out.skipped = "installing";
      return out;
    }
    out.replaced = d.id;
    if (!dry_run) {
      auto canceled = cancel_for_replacement(ctx, d, r, who);
      if (!canceled) return canceled.error();
      if (!*canceled) {
        out.replaced = 0;
        out.skipped = "busy";
        return out;
      }
    }
  }
  store::DeploymentRecord d;
  d.terminal_id = t.id;
  d.release_id = r.id;
  d.created = d.updated = unix_now();
  if (!dry_run) {
    auto id = ctx.store.insert_deployment(d);
    if (!id &&
        id.error().code == Code::kConflict) {  // another assignment got there since the check
      out.skipped = "busy";
      return out;
    }
    if (!id) return id.error();
    d.id = *id;
  }
  out.created = d;
  return out;
}

Expected<store::DeploymentRecord> assign_release(Context& ctx, const std::string& version,
                                                 const std::string& serial, const Actor& who) {
  auto r = ctx.store.release_by_version(version);
  if (!r) return r.error();
  auto t = ctx.store.terminal_by_serial(ctx.tenant, serial);
  if (!t) return t.error();
  if (t->retired)
    return make_error(Code::kConflict,
                      "terminal " + serial + " is retired; it takes no deployments");
  auto a = assign_to(ctx, *r, *t, false, who);
  if (!a) return a.error();
  if (a->created) return *a->created;
  if (a->skipped == "already_installed")
    return make_error(Code::kConflict,
                      "terminal " + serial + " already runs " + version + "; nothing to deploy");
  if (a->skipped == "installing")
    return make_error(Code::kConflict, "terminal " + serial +
                                           " is installing another release; deploy again when it "
                                           "has finished");
  return make_error(Code::kConflict, "terminal " + serial +
                                         " already has an open deployment; wait for it or "
                                         "cancel it first");
}

Expected<store::DeploymentRecord> request_cancel(Context& ctx, std::int64_t deployment_id) {
  auto d = ctx.store.deployment(deployment_id);
  if (!d) return d.error();
  for (int attempt = 0;; ++attempt) {
    if (!is_open(*d))
      return make_error(Code::kConflict, "deployment " + std::to_string(deployment_id) +
                                             " has already ended (" + d->status + ")");
    const std::string was = d->status;
    // Never fetched: the terminal knows nothing of it, so it ends here and
    // does not wait (perhaps for ever) for a terminal to confirm.
    d->status = was == "scheduled" ? "canceled" : "canceling";
    d->updated = unix_now();
    d->message = was == "scheduled" ? "canceled by operator before the terminal fetched it"
                                    : "cancel requested by operator";
    auto written = ctx.store.update_deployment_if(*d, was);
    if (!written) return written.error();
    if (*written) return d;
    if (attempt == 3)
      return make_error(Code::kConflict, "the deployment kept changing; cancel it again");
    d = ctx.store.deployment(deployment_id);
    if (!d) return d.error();
  }
}

Expected<store::DeploymentRecord> deployment_of(Context& ctx, const store::TerminalRecord& t,
                                                std::int64_t id) {
  auto d = ctx.store.deployment(id);
  if (!d || d->terminal_id != t.id)
    return make_error(Code::kNotFound, "no action " + std::to_string(id) + " for this terminal");
  return d;
}

namespace {

// A failed update's cause in plain words and which menu item helps, by the
// terminal's error code (core/result.h).
std::pair<std::string, std::string> failure_words(int code) {
  if (code >= 10 && code <= 17)
    return {"更新包未通过安全检查，已拒绝安装，无需操作。",
            "The update failed its security check and was refused; you need not do anything."};
  if (code == 20 || code == 21)
    return {
        "下载未能完成（网络或服务器问题）。请检查网络，然后在 设置 中选择 重启设备。",
        "The download did not complete (network or server problem). Check the network, then choose "
        "Settings > Restart the terminal."};
  if (code >= 30 && code <= 32)
    return {"新版本未能正常运行，已自动恢复原来的版本。如仍有异常，请在 设置 中选择 恢复默认设置。",
            "The new version did not run properly, so the terminal went back to the previous one. "
            "If anything "
            "still seems wrong, choose Settings > Reset settings."};
  return {"如问题持续，请在 设置 中选择 重启设备，仍不行请联系客服。",
          "If the problem persists, choose Settings > Restart the terminal; if that does not help, "
          "contact "
          "support."};
}

Status append_history(Context& ctx, std::int64_t deployment_id, const Feedback& fb) {
  boost::json::array details;
  for (const auto& line : fb.details) details.push_back(boost::json::string(line));
  return ctx.store.append_action_status({0, deployment_id, unix_now(), fb.execution, fb.result,
                                         json::serialize(details), fb.code, fb.progress_cnt,
                                         fb.progress_of});
}

const std::set<std::string> kExecutions = {"closed",      "proceeding", "canceled",
                                           "scheduled",   "rejected",   "resumed",
                                           "downloading", "downloaded", "download"};

Status check_feedback(const Feedback& fb) {
  if (!kExecutions.count(fb.execution))
    return make_error(
        Code::kInvalidArgument,
        "status.execution \"" + text::safe_echo(fb.execution) + "\" is not a DDI execution status");
  if (fb.result != "success" && fb.result != "failure" && fb.result != "none")
    return make_error(Code::kInvalidArgument,
                      "status.result.finished must be success, failure or none");
  return ok_status();
}

}  // namespace

Status record_feedback(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                       const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kConflict, "action " + std::to_string(deployment_id) +
                                           " has already ended (" + d->status + "/" + d->result +
                                           ")");
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
    if (attempt == 3)
      return make_error(Code::kConflict, "the deployment kept changing; send the feedback again");
    d = ctx.store.deployment(deployment_id);
    if (!d) return d.error();
  }
  if (d->status == "finished" && d->result == "failure") {
    // Tell the merchant in plain words: nothing changed for them.
    auto r = ctx.store.release_by_id(d->release_id);
    const std::string version = r ? r->version : "";
    // The terminal's own words (English, technical) stay in the history for
    // the back office; the merchant reads the cause and what to do.
    const auto [why_zh, why_en] = failure_words(fb.code);
    notify(ctx, t.id, "update_failed", std::to_string(d->id),
           "更新 " + version + " 未能完成，终端仍在使用原来的版本，交易记录完好，可以照常收款。" +
               why_zh,
           "Update " + version +
               " did not complete. The terminal still runs its previous version and every "
               "transaction is kept; you can take payments as usual. " +
               why_en);
  }
  return ok_status();
}

Status record_confirmation(Context& ctx, const store::TerminalRecord& t, std::int64_t deployment_id,
                           bool confirmed, const std::vector<std::string>& details) {
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (!is_open(*d))
    return make_error(Code::kConflict,
                      "action " + std::to_string(deployment_id) + " has already ended");
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

Status record_cancel_feedback(Context& ctx, const store::TerminalRecord& t,
                              std::int64_t deployment_id, const Feedback& fb) {
  if (auto s = check_feedback(fb); !s) return s;
  auto d = deployment_of(ctx, t, deployment_id);
  if (!d) return d.error();
  if (d->status != "canceling")
    return make_error(Code::kConflict,
                      "action " + std::to_string(deployment_id) + " is not being canceled");
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
