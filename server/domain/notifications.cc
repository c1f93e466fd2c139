#include "server/domain/notifications.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "server/domain/releases.h"

namespace posfleet::domain {

Status notify(store::Tx& tx, std::int64_t terminal_id, const std::string& kind,
              const std::string& ref, const std::string& text_zh, const std::string& text_en) {
  auto s = tx.add_notification({0, terminal_id, kind, ref, text_zh, text_en, unix_now()});
  if (!s) return s.error().with_context("notification " + kind);
  return ok_status();
}

void notify(Context& ctx, std::int64_t terminal_id, const std::string& kind, const std::string& ref,
            const std::string& text_zh, const std::string& text_en) {
  // Safe to go on: (kind, ref) is created at most once, so the next poll or
  // event that would create it tries again; nothing else depends on it.
  if (auto s = notify(ctx.store, terminal_id, kind, ref, text_zh, text_en); !s)
    spdlog::warn("notification {} for terminal {} not stored: {}", kind, terminal_id,
                 s.error().message);
}

OfferView offer_for(Context& ctx, const store::TerminalRecord& t, const Policy& policy,
                    const store::DeploymentRecord& d, const store::ReleaseRecord& r,
                    bool posfleet_client) {
  const auto now = unix_now();
  const UpdateOffer offer{r.security, r.security_deadline};
  const Decision decision = decide(policy, offer, now, /*confirmed=*/!posfleet_client);
  OfferView view;
  view.reason = decision.reason;
  const std::string ref = std::to_string(d.id);
  if (policy.mode == PolicyMode::kNever) {
    view.forced = r.security && r.security_deadline && now >= r.security_deadline &&
                  !policy.never_defers_security;
    view.visible = view.forced && (posfleet_client || decision.verdict == Verdict::kAllow);
    if (r.security && r.security_deadline && !policy.never_defers_security) {
      const std::string when = format_utc(r.security_deadline);
      if (now >= r.security_deadline)
        notify(ctx, t.id, "security_install", ref,
               "安全更新 " + r.version +
                   " 已过截止时间，将在维护时段内安装，即使自动更新已关闭，以保护交易安全。",
               "Security update " + r.version +
                   " is past its deadline and will install in the maintenance window "
                   "even though updates are off, to keep transactions safe.");
      else if (now >= r.security_deadline - 7 * 86400)
        notify(
            ctx, t.id, "security_deadline", ref,
            "安全更新 " + r.version + " 须在 " + when + " 前安装；届时即使自动更新已关闭也会安装。",
            "Security update " + r.version + " must be installed by " + when +
                "; it will then install even though updates are off.");
    }
    return view;
  }
  // auto / manual: a posfleet agent always sees the offer and decides about the
  // window and confirmation itself; a stock client only inside the window.
  view.visible = posfleet_client || decision.verdict == Verdict::kAllow;
  notify(ctx, t.id, "update_available", ref,
         "有可用更新 " + r.version + "：" + release_note(r, "zh-CN"),
         "Update " + r.version + " is available: " + release_note(r, "en"));
  return view;
}

}  // namespace posfleet::domain
