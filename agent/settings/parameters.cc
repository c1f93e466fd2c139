#include "agent/settings/parameters.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "agent/ddi/ddi_client.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/text.h"

namespace posfleet::agent {

namespace bj = boost::json;

namespace {

constexpr std::size_t kValueChars = 1024;
constexpr std::size_t kLabelChars = 100;

bool is_name(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           extra.find(c) != std::string_view::npos;
  });
}

bool is_version(std::string_view v) {
  return v.size() == 16 && v.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Error bad(const std::string& why) { return make_error(Code::kServer, "parameters: " + why); }

Expected<std::string> text(const bj::object& o, const char* key, std::size_t max_chars) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return bad(std::string(key) + " is not text");
  std::string s(v->get_string());
  if (auto st = text::check_field(key, s, max_chars); !st) return bad(st.error().message);
  return s;
}

Expected<ParameterValue> parse_value(const bj::value& v) {
  if (!v.is_object()) return bad("a field is not an object");
  const auto& o = v.get_object();
  ParameterValue p;
  auto key = text(o, "key", 64);
  auto type = text(o, "type", 16);
  if (!key || !type) return !key ? key.error() : type.error();
  if (!is_name(*key, "")) return bad("a field's key is not a-z, 0-9 and _");
  if (*type != "string" && *type != "integer" && *type != "enum" && *type != "boolean")
    return bad("field " + *key + " has an unknown type");
  p.key = *key;
  p.type = *type;
  if (auto* l = o.if_contains("label"); l && l->is_object()) {
    auto zh = text(l->get_object(), "zh-CN", kLabelChars);
    auto en = text(l->get_object(), "en", kLabelChars);
    if (!zh || !en) return !zh ? zh.error() : en.error();
    p.label_zh = *zh;
    p.label_en = *en;
  }
  for (auto [name, flag] : {std::pair{"sensitive", &p.sensitive}, std::pair{"locked", &p.locked}})
    if (auto* b = o.if_contains(name); b && b->is_bool()) *flag = b->get_bool();
  const auto* value = o.if_contains("value");
  if (!value || value->is_null()) return p;
  p.has_value = true;
  if (p.type == "boolean" && value->is_bool())
    p.value = value->get_bool() ? "true" : "false";
  else if (p.type == "integer" && value->is_int64())
    p.value = std::to_string(value->get_int64());
  else if ((p.type == "string" || p.type == "enum") && value->is_string())
    p.value = std::string(value->get_string());
  else
    return bad("field " + p.key + " has a value of the wrong type");
  if (auto st = text::check_field(p.key, p.value, kValueChars); !st) return bad(st.error().message);
  return p;
}

}  // namespace

Expected<ParameterSet> parse_parameter_set(const bj::object& o) {
  ParameterSet s;
  auto app = text(o, "app", 64);
  auto version = text(o, "version", 16);
  if (!app || !version) return !app ? app.error() : version.error();
  if (!is_name(*app, ".-")) return bad("the app's name is not a-z, 0-9, _, . and -");
  if (!is_version(*version)) return bad("the version is not 16 hex digits");
  s.app = *app;
  s.version = *version;
  auto* fields = o.if_contains("fields");
  if (!fields || !fields->is_array()) return bad("fields is not a list");
  if (fields->get_array().size() > kMaxParameterFields) return bad("more than 100 fields");
  for (const auto& f : fields->get_array()) {
    auto v = parse_value(f);
    if (!v) return v.error();
    s.values.push_back(std::move(*v));
  }
  if (auto* a = o.if_contains("acknowledged"); a && a->is_bool()) s.acknowledged = a->get_bool();
  auto applied = text(o, "applied", 32);
  if (applied) s.applied = *applied;
  return s;
}

bj::object to_json(const ParameterSet& s) {
  bj::array fields;
  for (const auto& v : s.values) {
    bj::object f{{"key", v.key},
                 {"type", v.type},
                 {"label", bj::object{{"zh-CN", v.label_zh}, {"en", v.label_en}}},
                 {"sensitive", v.sensitive},
                 {"locked", v.locked}};
    if (!v.has_value)
      f["value"] = nullptr;
    else if (v.type == "boolean")
      f["value"] = v.value == "true";
    else if (std::int64_t n = 0;
             v.type == "integer" &&
             std::from_chars(v.value.data(), v.value.data() + v.value.size(), n).ec == std::errc())
      f["value"] = n;
    else
      f["value"] = v.value;
    fields.push_back(std::move(f));
  }
  return bj::object{{"app", s.app},
                    {"version", s.version},
                    {"fields", fields},
                    {"acknowledged", s.acknowledged},
                    {"applied", s.applied}};
}

Expected<ParameterSet> ParameterFolder::load(const std::string& app) const {
  const std::string path = dir_ + "/" + app + ".json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(Code::kNotFound, "no parameters of " + app);
  auto textual = read_file(path);
  if (!textual) return textual.error();
  auto v = json::parse(*textual);
  if (!v || !v->is_object()) return make_error(Code::kParse, path + " is not a JSON object");
  return parse_parameter_set(v->get_object());
}

Status ParameterFolder::save(const ParameterSet& s) const {
  if (auto st = make_dirs(dir_); !st) return st;
  // 0600: it may hold keys the payment app needs.
  return write_file_atomic(dir_ + "/" + s.app + ".json", json::serialize(to_json(s)), 0600);
}

Expected<std::vector<ParameterSet>> ParameterFolder::all() const {
  std::vector<ParameterSet> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return out;
  std::vector<std::string> apps;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const auto name = e.path().filename().string();
    if (name.size() > 5 && name.ends_with(".json")) apps.push_back(name.substr(0, name.size() - 5));
  }
  std::sort(apps.begin(), apps.end());
  if (apps.size() > kMaxParameterApps) apps.resize(kMaxParameterApps);
  for (const auto& app : apps) {
    auto s = load(app);
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

void sync_parameters(DdiClient& ddi, const ParameterFolder& folder, const bj::object& extension) {
  const auto* list = extension.if_contains("parameters");
  if (!list || !list->is_array()) return;
  std::size_t seen = 0;
  for (const auto& entry : list->get_array()) {
    if (++seen > kMaxParameterApps) break;
    if (!entry.is_object()) continue;
    const std::string app = json::string_or(entry.get_object(), "app", "");
    const std::string version = json::string_or(entry.get_object(), "version", "");
    if (!is_name(app, ".-") || !is_version(version)) {
      spdlog::warn("parameters: the poll names a set with a malformed app or version; ignored");
      continue;
    }
    auto have = folder.load(app);
    if (!have || have->version != version) {
      auto got = ddi.parameters(app);
      if (!got) {
        spdlog::warn("parameters of {}: {}; tried again after the next poll", app,
                     got.error().message);
        continue;
      }
      auto set = parse_parameter_set(*got);
      if (!set || set->app != app) {
        spdlog::warn("parameters of {}: {}; the set on the terminal stays", app,
                     set ? "the answer names another app" : set.error().message);
        continue;
      }
      set->applied = format_utc(unix_now());
      set->acknowledged = false;
      if (auto s = folder.save(*set); !s) {
        spdlog::error("parameters of {}: not written: {}", app, s.error().message);
        continue;
      }
      spdlog::info("parameters of {}: version {} applied ({} fields)", app, set->version,
                   set->values.size());
      have = std::move(*set);
    }
    if (have->acknowledged) continue;
    if (auto s = ddi.parameters_applied(app, have->version); !s) {
      spdlog::warn(
          "parameters of {}: acknowledgement not delivered: {}; sent again after the "
          "next poll",
          app, s.error().message);
      continue;
    }
    have->acknowledged = true;
    if (auto s = folder.save(*have); !s)
      spdlog::warn("parameters of {}: {}", app, s.error().message);
  }
}

}  // namespace posfleet::agent
