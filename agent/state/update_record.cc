#include "agent/state/update_record.h"

#include "agent/state/states.h"

#include <boost/json.hpp>

#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace bj = boost::json;

namespace {
bj::object outcome_json(const Outcome& o) {
  return bj::object{{"action_id", o.action_id},      {"version", o.version}, {"result", o.result},
                    {"message", o.message},          {"code", o.code},       {"time", o.time},
                    {"resumed_from", o.resumed_from}};
}

std::int64_t int_or(const bj::object& o, const char* key, std::int64_t fallback = 0) {
  auto v = json::get_int(o, key);
  return v ? *v : fallback;
}

bj::object artifact_json(const PlannedArtifact& a) {
  bj::object o{{"name", a.name}, {"version", a.version}, {"filename", a.filename},
               {"href", a.href}, {"sha256", a.sha256},   {"length", a.length}};
  if (a.delta.planned())
    o["delta"] =
        bj::object{{"filename", a.delta.filename},       {"href", a.delta.href},
                   {"sha256", a.delta.sha256},           {"length", a.delta.length},
                   {"from_sha256", a.delta.from_sha256}, {"source_file", a.delta.source_file},
                   {"outcome", a.delta.outcome}};
  return o;
}

PlannedArtifact artifact_of(const bj::object& ao) {
  PlannedArtifact a{
      json::string_or(ao, "name", ""),     json::string_or(ao, "version", ""),
      json::string_or(ao, "filename", ""), json::string_or(ao, "href", ""),
      json::string_or(ao, "sha256", ""),   static_cast<std::uint64_t>(int_or(ao, "length"))};
  if (auto d = json::get_object(ao, "delta"); d)
    a.delta = {
        json::string_or(**d, "filename", ""),    json::string_or(**d, "href", ""),
        json::string_or(**d, "sha256", ""),      static_cast<std::uint64_t>(int_or(**d, "length")),
        json::string_or(**d, "from_sha256", ""), json::string_or(**d, "source_file", ""),
        json::string_or(**d, "outcome", "")};
  return a;
}
}  // namespace

Status UpdateRecord::save(const std::string& path) const {
  bj::array arts, offered, sel;
  for (const auto& name : selected) sel.push_back(bj::string(name));
  for (const auto& a : artifacts) arts.push_back(artifact_json(a));
  for (const auto& a : offered_deltas) offered.push_back(artifact_json(a));
  bj::object o{{"schema_version", kSchemaVersion},
               {"state", state},
               {"action_id", action_id},
               {"manifest", manifest_text},
               {"version", version},
               {"artifacts", arts},
               {"offered_deltas", offered},
               {"target_slot", target_slot},
               {"resumes", resumes},
               {"error_code", error_code},
               {"error", error},
               {"resumed_from", resumed_from},
               {"last", outcome_json(last)},
               {"waiting", waiting},
               {"selected", sel},
               {"download_failures", download_failures},
               {"download_since", download_since},
               {"retry_at", retry_at}};
  return write_file_atomic(path, json::serialize(o));
}

Expected<UpdateRecord> UpdateRecord::load(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error().code == Code::kNotFound ? Expected<UpdateRecord>(UpdateRecord{})
                                                : text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, path + " is damaged");
  const auto& o = v->get_object();
  if (int_or(o, "schema_version") > kSchemaVersion)
    return make_error(Code::kParse,
                      path + " was written by a newer agent; install that agent again");
  UpdateRecord r;
  r.state = json::string_or(o, "state", "idle");
  r.action_id = int_or(o, "action_id");
  r.manifest_text = json::string_or(o, "manifest", "");
  r.version = json::string_or(o, "version", "");
  r.target_slot = json::string_or(o, "target_slot", "");
  r.resumes = static_cast<int>(int_or(o, "resumes"));
  r.error_code = static_cast<int>(int_or(o, "error_code"));
  r.error = json::string_or(o, "error", "");
  r.resumed_from = static_cast<std::uint64_t>(int_or(o, "resumed_from"));
  r.waiting = json::string_or(o, "waiting", "");
  r.download_failures = static_cast<int>(int_or(o, "download_failures"));
  r.download_since = int_or(o, "download_since");
  r.retry_at = int_or(o, "retry_at");
  if (auto sel = json::get_array(o, "selected"); sel)
    for (const auto& n : **sel)
      if (n.is_string()) r.selected.emplace_back(n.get_string());
  for (auto [key, list] :
       {std::pair{"artifacts", &r.artifacts}, {"offered_deltas", &r.offered_deltas}})
    if (auto arts = json::get_array(o, key); arts)
      for (const auto& a : **arts)
        if (a.is_object()) list->push_back(artifact_of(a.get_object()));
  if (auto last = json::get_object(o, "last"); last) {
    const auto& l = **last;
    r.last = {int_or(l, "action_id"),
              json::string_or(l, "version", ""),
              json::string_or(l, "result", ""),
              json::string_or(l, "message", ""),
              static_cast<int>(int_or(l, "code")),
              int_or(l, "time"),
              static_cast<std::uint64_t>(int_or(l, "resumed_from"))};
  }
  return r;
}

bool slots_untouched(const std::string& s) {
  const StateInfo* info = state_info(s);
  return info && info->slots_untouched;
}

}  // namespace posfleet::agent
