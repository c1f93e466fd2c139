#include "server/domain/parameters.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/secrets.h"

namespace posfleet::domain {

namespace bj = boost::json;

namespace {

constexpr std::size_t kMaxFields = 100;
constexpr std::size_t kKeyChars = 64;
constexpr std::size_t kLabelChars = 100;
constexpr std::int64_t kMaxStringChars = 1024;
constexpr std::size_t kPatternChars = 200;
constexpr std::size_t kEnumValues = 100;
constexpr std::size_t kEnumValueChars = 64;
constexpr std::size_t kSchemaBytes = 64 * 1024;
constexpr std::size_t kVersionChars = 16;

Error bad(const std::string& why) { return make_error(Code::kInvalidArgument, why); }

bool is_key(std::string_view k, std::string_view extra) {
  if (k.empty() || k.size() > kKeyChars) return false;
  return std::all_of(k.begin(), k.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           extra.find(c) != std::string_view::npos;
  });
}

std::optional<std::int64_t> strict_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.size() > 20) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (std::to_string(v) != s) return std::nullopt;  // no "+1", "01" or "-0"
  return v;
}

// A JSON value given for field `f` as the text a value is kept in.
Expected<std::string> text_of(const ParameterField& f, const bj::value& v, const char* what) {
  const std::string name = what + (" of " + f.key);
  switch (f.type) {
    case ParameterType::kInteger:
      if (v.is_int64()) return std::to_string(v.get_int64());
      if (v.is_string()) {
        std::string s(v.get_string());
        if (strict_int(s)) return s;
      }
      return bad(name + " must be a whole number");
    case ParameterType::kBoolean:
      if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
      if (v.is_string() && (v.get_string() == "true" || v.get_string() == "false"))
        return std::string(v.get_string());
      return bad(name + " must be true or false");
    case ParameterType::kString:
    case ParameterType::kEnum:
      if (v.is_string()) return std::string(v.get_string());
      return bad(name + " must be text");
  }
  return bad(name + " has an unknown type");
}

Expected<ParameterField> parse_field(const bj::value& v, std::size_t index) {
  const std::string where = "field " + std::to_string(index + 1);
  if (!v.is_object()) return bad(where + " must be an object");
  const auto& o = v.get_object();
  static const std::set<std::string_view> kKnown = {"key",       "type",       "label",   "default",
                                                    "sensitive", "max_length", "pattern", "min",
                                                    "max",       "values"};
  for (const auto& kv : o)
    if (!kKnown.contains(kv.key()))
      return bad(where + " has an unknown property " + text::safe_echo(kv.key()) +
                 "; the properties are key, type, label, default, sensitive, max_length, "
                 "pattern, min, max and values");
  ParameterField f;
  auto key = json::get_string(o, "key");
  if (!key || !is_key(*key, ""))
    return bad(where + ": key must be 1-64 characters of a-z, 0-9 and _");
  f.key = *key;
  const std::string named = "field " + f.key;
  auto type = json::get_string(o, "type");
  if (!type) return bad(named + ": type is required (string, integer, enum or boolean)");
  if (*type == "string")
    f.type = ParameterType::kString;
  else if (*type == "integer")
    f.type = ParameterType::kInteger;
  else if (*type == "enum")
    f.type = ParameterType::kEnum;
  else if (*type == "boolean")
    f.type = ParameterType::kBoolean;
  else
    return bad(named + ": type must be string, integer, enum or boolean");
  if (auto it = o.find("label"); it != o.end()) {
    if (!it->value().is_object()) return bad(named + ": label must be {\"zh-CN\":…,\"en\":…}");
    const auto& l = it->value().get_object();
    auto zh = json::optional_string(l, "zh-CN", "");
    auto en = json::optional_string(l, "en", "");
    if (!zh || !en) return bad(named + ": label's zh-CN and en must be text");
    if (auto s = text::check_field(named + " label", *zh, kLabelChars); !s) return s.error();
    if (auto s = text::check_field(named + " label", *en, kLabelChars); !s) return s.error();
    f.label_zh = *zh;
    f.label_en = *en;
  }
  if (auto it = o.find("sensitive"); it != o.end()) {
    if (!it->value().is_bool()) return bad(named + ": sensitive must be true or false");
    f.sensitive = it->value().get_bool();
  }
  auto int_prop = [&](const char* name, std::int64_t& out) -> Status {
    auto it = o.find(name);
    if (it == o.end()) return ok_status();
    if (!it->value().is_int64()) return bad(named + ": " + name + " must be a whole number");
    out = it->value().get_int64();
    return ok_status();
  };
  if (f.type == ParameterType::kString) {
    if (auto s = int_prop("max_length", f.max_length); !s) return s.error();
    if (f.max_length < 1 || f.max_length > kMaxStringChars)
      return bad(named + ": max_length must be 1-1024");
    auto p = json::optional_string(o, "pattern", "");
    if (!p) return bad(named + ": pattern must be text");
    if (auto s = text::check_field(named + " pattern", *p, kPatternChars); !s) return s.error();
    if (!p->empty()) {
      try {
        std::regex check(*p, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        return bad(named + ": pattern is not a valid regular expression");
      }
    }
    f.pattern = *p;
  } else if (o.contains("max_length") || o.contains("pattern")) {
    return bad(named + ": max_length and pattern are for string fields");
  }
  if (f.type == ParameterType::kInteger) {
    if (auto s = int_prop("min", f.min); !s) return s.error();
    if (auto s = int_prop("max", f.max); !s) return s.error();
    if (f.min > f.max) return bad(named + ": min is above max");
  } else if (o.contains("min") || o.contains("max")) {
    return bad(named + ": min and max are for integer fields");
  }
  if (f.type == ParameterType::kEnum) {
    auto it = o.find("values");
    if (it == o.end() || !it->value().is_array() || it->value().get_array().empty() ||
        it->value().get_array().size() > kEnumValues)
      return bad(named + ": values must list 1-100 choices");
    std::set<std::string> seen;
    for (const auto& c : it->value().get_array()) {
      if (!c.is_string()) return bad(named + ": each of values must be text");
      std::string s(c.get_string());
      if (s.empty()) return bad(named + ": a choice is empty");
      if (auto st = text::check_field(named + " choice", s, kEnumValueChars); !st)
        return st.error();
      if (!seen.insert(s).second) return bad(named + ": the choice " + s + " is listed twice");
      f.values.push_back(std::move(s));
    }
  } else if (o.contains("values")) {
    return bad(named + ": values are for enum fields");
  }
  if (auto it = o.find("default"); it != o.end()) {
    if (f.sensitive)
      return bad(named + ": a sensitive field has no default (it would be shown to everyone)");
    auto d = text_of(f, it->value(), "the default");
    if (!d) return d.error();
    if (auto s = check_value(f, *d); !s) return s.error();
    f.default_value = *d;
  }
  return f;
}

std::vector<std::int64_t> chain_of(const std::string& path) {
  std::vector<std::int64_t> out;
  std::int64_t n = 0;
  bool digits = false;
  for (char c : path) {
    if (c == '/') {
      if (digits) out.push_back(n);
      n = 0;
      digits = false;
    } else {
      n = n * 10 + (c - '0');
      digits = true;
    }
  }
  return out;
}

// Where a row sits from the top: the organisations' own by depth, then their groups', then the
// terminal's.
int rank_of(const store::ParameterValueRecord& r, const std::vector<std::int64_t>& chain) {
  const int depth = static_cast<int>(chain.size());
  auto at = std::find(chain.begin(), chain.end(), r.org_id);
  const int i = static_cast<int>(at - chain.begin());
  if (r.level == store::kLevelOrganisation) return i;
  if (r.level == store::kLevelGroup) return depth + i;
  return 2 * depth;
}

std::string describe_row(const store::ParameterValueRecord& r) {
  if (r.level == store::kLevelOrganisation) return "org:" + std::to_string(r.org_id);
  if (r.level == store::kLevelGroup) return "group:" + std::to_string(r.org_id) + ":" + r.target;
  return "terminal";
}

std::string describe_level(const ParameterLevel& w) {
  if (w.level == store::kLevelOrganisation) return "org:" + std::to_string(w.org_id);
  if (w.level == store::kLevelGroup) return "group:" + std::to_string(w.org_id) + ":" + w.group;
  return "terminal:" + w.serial;
}

Error no_template(const std::string& app) {
  return make_error(Code::kNotFound, "no parameter template for app " + text::safe_echo(app) +
                                         "; GET /api/v1/parameters/templates lists them");
}

struct Resolved {
  ParameterLevel where;
  std::vector<std::int64_t> chain;  // of the organisation (org, group) or the terminal's
  std::string group;                // the group the rows above are read for
  store::ParameterValueRecord key;  // level, org_id, target of this level's rows
  bool own_organisation = false;    // a non-root caller's own organisation's level
};

Expected<Resolved> resolve(Context& ctx, const Scope& scope, const ParameterLevel& in) {
  Resolved r;
  r.where = in;
  if (in.level == store::kLevelTerminal) {
    if (in.serial.empty()) return bad("serial is required for a terminal's values");
    auto t = terminal_in(ctx, scope, in.serial);
    if (!t) return t.error();
    auto o = ctx.store.organisation(t->org_id);
    if (!o) return o.error();
    r.chain = chain_of(o->path);
    r.group = t->group;
    r.key.level = store::kLevelTerminal;
    r.key.org_id = 0;
    r.key.target = t->serial;
    r.where.org_id = 0;
    return r;
  }
  if (in.level != store::kLevelOrganisation && in.level != store::kLevelGroup)
    return bad("level must be org, group or terminal");
  auto o = organisation_in(ctx, scope, in.org_id ? in.org_id : scope.org_id);
  if (!o) return o.error();
  r.chain = chain_of(o->path);
  r.where.org_id = o->id;
  r.key.level = in.level;
  r.key.org_id = o->id;
  r.own_organisation = !scope.whole_tree() && o->id == scope.org_id;
  if (in.level == store::kLevelGroup) {
    if (in.group.empty()) return bad("group is required for a group's values");
    if (auto s = text::check_field("group", in.group, limits::kGroupChars); !s) return s.error();
    r.group = in.group;
    r.key.target = in.group;
  }
  return r;
}

// Whether row `r` lies above level `at` (its locks hold there).
bool above(const store::ParameterValueRecord& r, const Resolved& at) {
  if (at.key.level == store::kLevelTerminal) return r.level != store::kLevelTerminal;
  const bool same_org = r.org_id == at.key.org_id;
  if (at.key.level == store::kLevelOrganisation)
    return r.level == store::kLevelOrganisation && (!same_org || at.own_organisation);
  // a group's level: every organisation's own values on the chain, and the group's values of
  // the organisations above
  if (r.level == store::kLevelOrganisation) return true;
  return r.level == store::kLevelGroup && !same_org;
}

std::string shown(const ParameterField* f, const store::ParameterValueRecord* r) {
  if (!r) return "(unset)";
  std::string lock = r->locked ? " [locked]" : "";
  if (!r->has_value) return "(inherited)" + lock;
  if (f && f->sensitive) return "(sealed)" + lock;
  return text::safe_echo(r->value, 200) + lock;
}

LevelValues level_values(const store::ParameterTemplateRecord& tpl, const ParameterSchema& schema,
                         const ParameterLevel& where,
                         const std::vector<store::ParameterValueRecord>& rows) {
  LevelValues out{tpl, where, {}};
  for (const auto& r : rows) {
    const auto* f = schema.field(r.key);
    const bool sensitive = r.sealed || (f && f->sensitive);
    out.values.push_back(LevelValue{r.key, r.has_value, sensitive ? "" : r.value, sensitive,
                                    r.locked, r.updated_by, r.updated});
  }
  return out;
}

// Row `r` after change `c`, its new value kept as `stored` (sealed or not).
void apply_change(store::ParameterValueRecord& r, const ParameterChange& c,
                  const std::string& stored, bool sealed) {
  if (c.unset) {
    r.has_value = false;
    r.value.clear();
    r.sealed = false;
  }
  if (c.value) {
    r.has_value = true;
    r.value = stored;
    r.sealed = sealed;
  }
  if (c.locked) r.locked = *c.locked;
}

// `rows` with `changes` made at level `key` (plain values: for a preview only).
void overlay(std::vector<store::ParameterValueRecord>& rows, const store::ParameterValueRecord& key,
             const std::vector<ParameterChange>& changes) {
  for (const auto& c : changes) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) {
      return r.level == key.level && r.org_id == key.org_id && r.target == key.target &&
             r.key == c.key;
    });
    store::ParameterValueRecord r = key;
    r.key = c.key;
    if (it != rows.end()) r = *it;
    apply_change(r, c, c.value ? *c.value : "", false);
    const bool keep = r.has_value || r.locked;
    if (it != rows.end()) {
      if (keep)
        *it = r;
      else
        rows.erase(it);
    } else if (keep) {
      rows.push_back(r);
    }
  }
}

}  // namespace

Expected<std::string> value_text(const ParameterField& f, const bj::value& v) {
  return text_of(f, v, "the value");
}

const char* to_string(ParameterType t) {
  switch (t) {
    case ParameterType::kString:
      return "string";
    case ParameterType::kInteger:
      return "integer";
    case ParameterType::kEnum:
      return "enum";
    case ParameterType::kBoolean:
      return "boolean";
  }
  return "string";
}

const ParameterField* ParameterSchema::field(const std::string& key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

Expected<ParameterSchema> parse_schema(std::string_view text) {
  if (text.size() > kSchemaBytes) return make_error(Code::kTooLarge, "a schema is at most 64 KiB");
  auto v = json::parse_untrusted(text);
  if (!v || !v->is_object()) return bad("the schema must be {\"fields\":[…]}");
  const auto& o = v->get_object();
  auto fields = o.find("fields");
  if (fields == o.end() || !fields->value().is_array())
    return bad("the schema must be {\"fields\":[…]}");
  const auto& a = fields->value().get_array();
  if (a.empty() || a.size() > kMaxFields) return bad("a schema has 1-100 fields");
  ParameterSchema s;
  std::set<std::string> keys;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto f = parse_field(a[i], i);
    if (!f) return f.error();
    if (!keys.insert(f->key).second) return bad("field " + f->key + " is listed twice");
    s.fields.push_back(std::move(*f));
  }
  return s;
}

std::string schema_json(const ParameterSchema& s) {
  bj::array fields;
  for (const auto& f : s.fields) {
    bj::object o{{"key", f.key},
                 {"type", to_string(f.type)},
                 {"label", bj::object{{"zh-CN", f.label_zh}, {"en", f.label_en}}},
                 {"sensitive", f.sensitive}};
    if (f.default_value) {
      if (f.type == ParameterType::kInteger)
        o["default"] = *strict_int(*f.default_value);
      else if (f.type == ParameterType::kBoolean)
        o["default"] = *f.default_value == "true";
      else
        o["default"] = *f.default_value;
    }
    if (f.type == ParameterType::kString) {
      o["max_length"] = f.max_length;
      if (!f.pattern.empty()) o["pattern"] = f.pattern;
    }
    if (f.type == ParameterType::kInteger) {
      if (f.min != INT64_MIN) o["min"] = f.min;
      if (f.max != INT64_MAX) o["max"] = f.max;
    }
    if (f.type == ParameterType::kEnum) {
      bj::array vs;
      for (const auto& v : f.values) vs.push_back(bj::string(v));
      o["values"] = std::move(vs);
    }
    fields.push_back(std::move(o));
  }
  return json::serialize(bj::object{{"fields", fields}});
}

Status check_value(const ParameterField& f, const std::string& value) {
  const std::string named = f.key;
  switch (f.type) {
    case ParameterType::kInteger: {
      auto n = strict_int(value);
      if (!n) return bad(named + " must be a whole number");
      if (*n < f.min || *n > f.max)
        return bad(named + " must be from " + std::to_string(f.min) + " to " +
                   std::to_string(f.max));
      return ok_status();
    }
    case ParameterType::kBoolean:
      if (value == "true" || value == "false") return ok_status();
      return bad(named + " must be true or false");
    case ParameterType::kEnum:
      if (std::find(f.values.begin(), f.values.end(), value) != f.values.end()) return ok_status();
      return bad(named + " must be one of its choices");
    case ParameterType::kString: {
      if (auto s = text::check_field(named, value, static_cast<std::size_t>(f.max_length)); !s)
        return s;
      if (!f.pattern.empty()) {
        try {
          if (!std::regex_match(value, std::regex(f.pattern, std::regex::ECMAScript)))
            return bad(named + " does not match its pattern " + f.pattern);
        } catch (const std::regex_error&) {
          return bad(named + " could not be checked against its pattern");
        }
      }
      return ok_status();
    }
  }
  return bad(named + " has an unknown type");
}

Expected<store::ParameterTemplateRecord> parameter_template(Context& ctx, const std::string& app) {
  auto t = ctx.store.parameter_template(app);
  if (!t && t.error().code == Code::kNotFound) return no_template(app);
  return t;
}

Expected<store::ParameterTemplateRecord> save_template(Context& ctx, const Scope& scope,
                                                       const TemplateInput& in, bool replace,
                                                       const Actor& who) {
  if (!scope.whole_tree())
    return make_error(Code::kForbidden,
                      "parameter templates are defined by the acquirer's administrators");
  if (!is_key(in.app, ".-")) return bad("app must be 1-64 characters of a-z, 0-9, _, . and -");
  if (in.name.empty()) return bad("name is required");
  if (auto s = text::check_field("name", in.name, kLabelChars); !s) return s.error();
  auto schema = parse_schema(in.schema_json);
  if (!schema) return schema.error();
  const std::string canonical = schema_json(*schema);
  const auto now = unix_now();
  store::ParameterTemplateRecord out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    std::string before;
    if (replace) {
      auto old = tx.parameter_template(in.app);
      if (!old && old.error().code == Code::kNotFound) return no_template(in.app);
      if (!old) return old.error();
      before = old->schema_json;
      out = *old;
      out.name = in.name;
      out.schema_json = canonical;
      out.revision = old->revision + 1;
      out.updated = now;
      if (auto u = tx.update_parameter_template(out); !u) return u;
    } else {
      auto made =
          tx.insert_parameter_template({0, in.app, in.name, canonical, 1, who.name, now, now});
      if (!made && made.error().code == Code::kConflict)
        return make_error(Code::kConflict, "app " + in.app +
                                               " has a template already; PUT "
                                               "/api/v1/parameters/templates/" +
                                               in.app + " replaces it");
      if (!made) return made.error();
      out = *made;
    }
    return record_audit(tx, who,
                        replace ? "parameters.template.replace" : "parameters.template.create",
                        "parameters:" + in.app, before, canonical, "");
  });
  if (!s) return s.error();
  return out;
}

namespace {

struct LoadedTemplate {
  store::ParameterTemplateRecord tpl;
  ParameterSchema schema;
};
// App `app`'s template with its schema read.
Expected<LoadedTemplate> template_of(Context& ctx, const std::string& app) {
  auto tpl = parameter_template(ctx, app);
  if (!tpl) return tpl.error();
  auto schema = parse_schema(tpl->schema_json);
  if (!schema) return schema.error();
  return LoadedTemplate{std::move(*tpl), std::move(*schema)};
}

}  // namespace

Expected<LevelValues> values_at(Context& ctx, const Scope& scope, const std::string& app,
                                const ParameterLevel& where) {
  auto loaded = template_of(ctx, app);
  if (!loaded) return loaded.error();
  const store::ParameterTemplateRecord& tpl = loaded->tpl;
  const ParameterSchema& schema = loaded->schema;
  auto at = resolve(ctx, scope, where);
  if (!at) return at.error();
  auto rows = ctx.store.parameter_values_at(tpl.id, at->key.level, at->key.org_id, at->key.target);
  if (!rows) return rows.error();
  return level_values(tpl, schema, at->where, *rows);
}

Expected<LevelValues> set_values(Context& ctx, const Scope& scope, const std::string& app,
                                 const ParameterLevel& where,
                                 const std::vector<ParameterChange>& changes, bool may_lock,
                                 const Actor& who, const std::string& reason) {
  if (changes.empty()) return bad("changes must list at least one field");
  if (changes.size() > kMaxFields) return bad("at most 100 changes at once");
  if (auto s = check_reason(reason, nullptr); !s) return s.error();
  auto loaded = template_of(ctx, app);
  if (!loaded) return loaded.error();
  const store::ParameterTemplateRecord& tpl = loaded->tpl;
  const ParameterSchema& schema = loaded->schema;
  auto at = resolve(ctx, scope, where);
  if (!at) return at.error();
  std::set<std::string> seen;
  for (const auto& c : changes) {
    const auto* f = schema.field(c.key);
    if (!f) return bad("the template of " + app + " has no field " + text::safe_echo(c.key));
    if (!seen.insert(c.key).second) return bad("field " + c.key + " is changed twice");
    if (c.value && c.unset) return bad(c.key + ": give a value or unset, not both");
    if (!c.value && !c.unset && !c.locked) return bad(c.key + ": nothing to change");
    if (c.value)
      if (auto s = check_value(*f, *c.value); !s) return s.error();
    if (c.locked && !may_lock)
      return make_error(Code::kForbidden, "only an administrator locks or unlocks a field");
    if (c.locked && at->own_organisation)
      return make_error(Code::kForbidden,
                        "your organisation's locks are set by the organisation above it");
    if (f->sensitive && c.value && !ctx.secrets)
      return make_error(Code::kUnavailable, "the server has no key to seal sensitive values");
  }
  LevelValues out;
  const auto now = unix_now();
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto reach = tx.parameter_values_for(tpl.id, at->chain, at->group, at->key.target);
    if (!reach) return reach.error();
    std::sort(reach->begin(), reach->end(), [&](const auto& a, const auto& b) {
      return rank_of(a, at->chain) < rank_of(b, at->chain);
    });
    auto here = tx.parameter_values_at(tpl.id, at->key.level, at->key.org_id, at->key.target);
    if (!here) return here.error();
    std::string before, after;
    for (const auto& c : changes) {
      for (const auto& r : *reach)
        if (r.key == c.key && r.locked && above(r, *at))
          return make_error(Code::kLocked, c.key + " is locked at " + describe_row(r) +
                                               "; ask that organisation's administrator");
      const auto* f = schema.field(c.key);
      const store::ParameterValueRecord* old = nullptr;
      for (const auto& r : *here)
        if (r.key == c.key) old = &r;
      store::ParameterValueRecord next = at->key;
      next.template_id = tpl.id;
      next.key = c.key;
      if (old) next = *old;
      const bool seal = f->sensitive && c.value;
      apply_change(next, c, seal ? ctx.secrets->seal(*c.value) : c.value.value_or(""), seal);
      next.updated_by = who.name;
      next.updated = now;
      const bool keep = next.has_value || next.locked;
      before += (before.empty() ? "" : "; ") + c.key + "=" + shown(f, old);
      after += (after.empty() ? "" : "; ") + c.key + "=" + shown(f, keep ? &next : nullptr);
      if (keep) {
        if (auto p = tx.put_parameter_value(next); !p) return p;
      } else if (old) {
        if (auto d = tx.delete_parameter_value(next); !d) return d.error();
      }
    }
    auto tpl_now = tpl;
    tpl_now.revision = tpl.revision + 1;
    tpl_now.updated = now;
    if (auto u = tx.update_parameter_template(tpl_now); !u) return u;
    auto rows = tx.parameter_values_at(tpl.id, at->key.level, at->key.org_id, at->key.target);
    if (!rows) return rows.error();
    out = level_values(tpl_now, schema, at->where, *rows);
    return record_audit(tx, who, "parameters.set",
                        "parameters:" + app + ":" + describe_level(at->where), before, after,
                        reason);
  });
  if (!s) return s.error();
  return out;
}

namespace {

// The organisations from the root down to terminal `t`'s.
Expected<std::vector<std::int64_t>> chain_of_terminal(Context& ctx,
                                                      const store::TerminalRecord& t) {
  auto o = ctx.store.organisation(t.org_id);
  if (!o) return o.error();
  return chain_of(o->path);
}

// Terminal `t`'s set of template `tpl` (its organisations `chain`), with `changes` at `where`
// when they reach it.
Expected<EffectiveSet> effective_of(Context& ctx, const store::ParameterTemplateRecord& tpl,
                                    const std::vector<std::int64_t>& chain,
                                    const store::TerminalRecord& t, const ParameterLevel* where,
                                    const std::vector<ParameterChange>* changes) {
  auto schema = parse_schema(tpl.schema_json);
  if (!schema) return schema.error();
  const std::string& app = tpl.app;
  auto rows = ctx.store.parameter_values_for(tpl.id, chain, t.group, t.serial);
  if (!rows) return rows.error();
  // A change at a level that does not reach the terminal leaves its set as it is.
  const bool reaches =
      where && (where->level == store::kLevelTerminal
                    ? where->serial == t.serial
                    : std::find(chain.begin(), chain.end(), where->org_id) != chain.end() &&
                          (where->level != store::kLevelGroup || where->group == t.group));
  if (where && changes && reaches) {
    store::ParameterValueRecord key;
    key.template_id = tpl.id;
    key.level = where->level;
    key.org_id = where->level == store::kLevelTerminal ? 0 : where->org_id;
    key.target = where->level == store::kLevelGroup      ? where->group
                 : where->level == store::kLevelTerminal ? where->serial
                                                         : "";
    overlay(*rows, key, *changes);
  }
  std::stable_sort(rows->begin(), rows->end(), [&](const auto& a, const auto& b) {
    return rank_of(a, chain) < rank_of(b, chain);
  });
  EffectiveSet out{tpl, *schema, {}, ""};
  bj::array digest;
  for (const auto& f : schema->fields) {
    EffectiveValue v{f.key, false, "", f.sensitive, "", ""};
    if (f.default_value) {
      v.has_value = true;
      v.value = *f.default_value;
      v.source = "default";
    }
    for (const auto& r : *rows) {
      if (r.key != f.key) continue;
      if (r.has_value) {
        std::string plain = r.value;
        if (r.sealed) {
          if (!ctx.secrets)
            return make_error(Code::kUnavailable, "the server has no key to open sealed values");
          auto opened = ctx.secrets->unseal(r.value);
          if (!opened) return opened.error();
          plain = *opened;
        }
        // A value the template no longer allows (its schema changed) is passed over.
        if (check_value(f, plain)) {
          v.has_value = true;
          v.value = std::move(plain);
          v.source = describe_row(r);
        }
      }
      if (r.locked) {
        v.locked_by = describe_row(r);
        break;
      }
    }
    std::string in_digest = v.value;
    if (f.sensitive && v.has_value && ctx.secrets) in_digest = ctx.secrets->index(v.value);
    digest.push_back(bj::array{bj::string(f.key), v.has_value, bj::string(in_digest)});
    out.values.push_back(std::move(v));
  }
  out.version = sha256_hex(json::canonical(bj::object{{"app", app}, {"values", digest}}))
                    .substr(0, kVersionChars);
  return out;
}

}  // namespace

Expected<EffectiveSet> effective_set(Context& ctx, const std::string& app,
                                     const store::TerminalRecord& t, const ParameterLevel* where,
                                     const std::vector<ParameterChange>* changes) {
  auto tpl = parameter_template(ctx, app);
  if (!tpl) return tpl.error();
  auto chain = chain_of_terminal(ctx, t);
  if (!chain) return chain.error();
  return effective_of(ctx, *tpl, *chain, t, where, changes);
}

Expected<EffectiveSet> preview_values(Context& ctx, const Scope& scope, const std::string& app,
                                      const std::string& serial, const ParameterLevel& where,
                                      const std::vector<ParameterChange>& changes) {
  auto t = terminal_in(ctx, scope, serial);
  if (!t) return t.error();
  auto loaded = template_of(ctx, app);
  if (!loaded) return loaded.error();
  const store::ParameterTemplateRecord& tpl = loaded->tpl;
  const ParameterSchema& schema = loaded->schema;
  auto at = resolve(ctx, scope, where);
  if (!at) return at.error();
  for (const auto& c : changes) {
    const auto* f = schema.field(c.key);
    if (!f) return bad("the template of " + app + " has no field " + text::safe_echo(c.key));
    if (c.value)
      if (auto s = check_value(*f, *c.value); !s) return s.error();
  }
  ParameterLevel resolved = at->where;
  resolved.serial = at->key.target;
  auto chain = chain_of_terminal(ctx, *t);
  if (!chain) return chain.error();
  auto set = effective_of(ctx, tpl, *chain, *t, &resolved, &changes);
  if (!set) return set.error();
  for (auto& v : set->values)
    if (v.sensitive) v.value.clear();  // a preview is for people
  return set;
}

Expected<std::vector<ParameterOffer>> parameter_offers(Context& ctx,
                                                       const store::TerminalRecord& t) {
  auto tpls = ctx.store.parameter_templates();
  if (!tpls) return tpls.error();
  if (tpls->empty()) return std::vector<ParameterOffer>();
  auto chain = chain_of_terminal(ctx, t);
  if (!chain) return chain.error();
  std::vector<ParameterOffer> out;
  for (const auto& tpl : *tpls) {
    auto set = effective_of(ctx, tpl, *chain, t, nullptr, nullptr);
    if (!set) return set.error();
    out.push_back({tpl.app, set->version});
  }
  return out;
}

Status acknowledge_parameters(Context& ctx, const store::TerminalRecord& t, const std::string& app,
                              const std::string& version) {
  if (version.size() != kVersionChars ||
      version.find_first_not_of("0123456789abcdef") != std::string::npos)
    return bad("version must be the 16 hex digits the terminal was given");
  auto tpl = parameter_template(ctx, app);
  if (!tpl) return tpl.error();
  return ctx.store.put_parameter_ack({t.id, tpl->id, version, unix_now()});
}

Expected<std::vector<TerminalParameters>> terminal_parameters(Context& ctx,
                                                              const store::TerminalRecord& t) {
  auto tpls = ctx.store.parameter_templates();
  if (!tpls) return tpls.error();
  auto acks = ctx.store.parameter_acks(t.id);
  if (!acks) return acks.error();
  auto chain = chain_of_terminal(ctx, t);
  if (!chain) return chain.error();
  std::vector<TerminalParameters> out;
  for (const auto& tpl : *tpls) {
    auto set = effective_of(ctx, tpl, *chain, t, nullptr, nullptr);
    if (!set) return set.error();
    TerminalParameters p{std::move(*set), "", 0};
    for (const auto& a : *acks)
      if (a.template_id == tpl.id) {
        p.applied_version = a.version;
        p.applied = a.applied;
      }
    out.push_back(std::move(p));
  }
  return out;
}

Status each_sealed_parameter(Context& ctx, const std::function<Status(std::string&)>& f,
                             bool save) {
  auto rows = ctx.store.sealed_parameter_values();
  if (!rows) return rows.error();
  for (auto& r : *rows) {
    if (auto s = f(r.value); !s) return s;
    if (save)
      if (auto s = ctx.store.put_parameter_value(r); !s) return s;
  }
  return ok_status();
}

}  // namespace posfleet::domain
