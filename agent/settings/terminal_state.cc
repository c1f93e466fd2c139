#include "agent/settings/terminal_state.h"

#include <boost/json.hpp>

#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace bj = boost::json;

Policy TerminalState::effective() const {
  Policy p = policy;
  if (pending && !pending->reset)
    if (auto m = parse_policy_mode(pending->mode); m) p.mode = *m;  // the menu sends only modes
  return p;
}

void TerminalState::add_notice(Notice n) {
  if (n.id > 0) {
    for (const auto& have : notices)
      if (have.id == n.id) return;
    last_notice_id = std::max(last_notice_id, n.id);
  }
  notices.push_back(std::move(n));
  if (notices.size() > kMaxNotices) notices.erase(notices.begin());
}

Status TerminalState::save(const std::string& path) const {
  bj::array ns, tickets;
  for (const auto& n : notices)
    ns.push_back(bj::object{
        {"id", n.id}, {"kind", n.kind}, {"time", n.time}, {"zh", n.text_zh}, {"en", n.text_en}});
  for (const auto& t : queued_tickets) tickets.push_back(bj::string(t));
  bj::object o{{"policy", policy.to_json()},
               {"language", language},
               {"notices", ns},
               {"last_notice_id", last_notice_id},
               {"waiting_for", waiting_for},
               {"confirmed_action", confirmed_action},
               {"queued_tickets", tickets}};
  o["pending"] = pending ? bj::value(bj::object{{"mode", pending->mode},
                                                {"base_revision", pending->base_revision},
                                                {"reset", pending->reset}})
                         : bj::value(nullptr);
  o["held"] =
      held ? bj::value(bj::object{{"action_id", held->action_id}, {"version", held->version}})
           : bj::value(nullptr);
  bj::array chosen;
  for (const auto& c : confirmed_components) chosen.push_back(bj::string(c));
  o["confirmed_components"] = chosen;
  o["offer"] = offer ? bj::value(bj::object{{"action_id", offer->action_id},
                                            {"version", offer->version},
                                            {"zh", offer->notes_zh},
                                            {"en", offer->notes_en},
                                            {"security", offer->security},
                                            {"deadline", offer->deadline}})
                     : bj::value(nullptr);
  return write_file_atomic(path, json::serialize(o));
}

Expected<TerminalState> TerminalState::load(const std::string& path) {
  TerminalState s;
  auto text = read_file(path);
  if (!text)
    return text.error().code == Code::kNotFound ? Expected<TerminalState>(s) : text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, path + " is damaged");
  const auto& o = v->get_object();
  auto int_or = [](const bj::object& x, const char* k) {
    auto i = json::get_int(x, k);
    return i ? *i : 0;
  };
  if (auto p = json::get_object(o, "policy"); p)
    if (auto policy = policy_from_json(**p); policy) s.policy = *policy;
  s.language = json::string_or(o, "language", s.language);
  s.last_notice_id = int_or(o, "last_notice_id");
  s.waiting_for = json::string_or(o, "waiting_for", "");
  s.confirmed_action = int_or(o, "confirmed_action");
  if (auto ns = json::get_array(o, "notices"); ns)
    for (const auto& n : **ns)
      if (n.is_object())
        s.notices.push_back(
            {int_or(n.get_object(), "id"), json::string_or(n.get_object(), "kind", ""),
             json::string_or(n.get_object(), "time", ""), json::string_or(n.get_object(), "zh", ""),
             json::string_or(n.get_object(), "en", "")});
  if (auto cs = json::get_array(o, "confirmed_components"); cs)
    for (const auto& c : **cs)
      if (c.is_string()) s.confirmed_components.emplace_back(c.get_string());
  if (auto ts = json::get_array(o, "queued_tickets"); ts)
    for (const auto& t : **ts)
      if (t.is_string()) s.queued_tickets.emplace_back(t.get_string());
  if (auto p = json::get_object(o, "pending"); p)
    s.pending = PendingChange{json::string_or(**p, "mode", "auto"), int_or(**p, "base_revision"),
                              (*p)->if_contains("reset") && (*p)->at("reset") == true};
  if (auto h = json::get_object(o, "held"); h)
    s.held = HeldUpdate{int_or(**h, "action_id"), json::string_or(**h, "version", "")};
  if (auto f = json::get_object(o, "offer"); f) {
    const auto& x = **f;
    Offer offer;
    offer.action_id = int_or(x, "action_id");
    offer.version = json::string_or(x, "version", "");
    offer.notes_zh = json::string_or(x, "zh", "");
    offer.notes_en = json::string_or(x, "en", "");
    offer.security =
        x.if_contains("security") && x.at("security").is_bool() && x.at("security").get_bool();
    offer.deadline = int_or(x, "deadline");
    s.offer = offer;
  }
  return s;
}

}  // namespace posfleet::agent
