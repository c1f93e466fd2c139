// posfleet server: parameters (参数下发, docs/parameters.md). An app's template lists its fields
// with a type (string — with a length and an optional pattern —, integer with a range, enum,
// boolean), a default and whether it is sensitive. Values are set at an organisation (its
// subtree), at a group within an organisation (that group's terminals in its subtree) or at one
// terminal. A terminal's effective set is read from the root down: the organisations' values,
// then their groups', then its own, each deeper one winning, unless a level above locked the
// field: a lock holds below it, as the policy lock does. Sensitive values are sealed at rest
// (domain/secrets) and never shown again; terminals receive them with their set. A set's
// version is a digest of its values (sensitive ones by their keyed index), so a terminal's
// acknowledgement says exactly which values it applied.
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"
#include "server/store/parameters_store.h"

namespace boost::json {
class value;
}

namespace posfleet::domain {

enum class ParameterType { kString, kInteger, kEnum, kBoolean };
const char* to_string(ParameterType t);

struct ParameterField {
  std::string key;  // [a-z0-9_], 1-64
  ParameterType type = ParameterType::kString;
  std::string label_zh, label_en;
  std::optional<std::string> default_value;       // as text, valid for the field
  bool sensitive = false;                         // write-only, sealed at rest
  std::int64_t max_length = 256;                  // string: characters
  std::string pattern;                            // string: an ECMAScript regular expression, whole
  std::int64_t min = INT64_MIN, max = INT64_MAX;  // integer
  std::vector<std::string> values;                // enum
};

struct ParameterSchema {
  std::vector<ParameterField> fields;
  const ParameterField* field(const std::string& key) const;
};

// The schema in `json` ({"fields":[...]}), every rule checked: kInvalidArgument naming the field
// and what is wrong.
Expected<ParameterSchema> parse_schema(std::string_view json);
std::string schema_json(const ParameterSchema& s);
// A value given in JSON for field `f` as the text values are kept in (a whole number for an
// integer — or its digits as text —, true/false for a boolean, text otherwise), not yet checked
// against the field's rules.
Expected<std::string> value_text(const ParameterField& f, const boost::json::value& v);
// Whether `value` (text) fits field `f`: kInvalidArgument naming the field and the rule.
Status check_value(const ParameterField& f, const std::string& value);

struct TemplateInput {
  std::string app;  // [a-z0-9_.-], 1-64
  std::string name;
  std::string schema_json;
};
// A new template (kConflict if the app has one) or, with `replace`, the app's template replaced
// (kNotFound if it has none). Only the acquirer's administrators define templates. Audited.
Expected<store::ParameterTemplateRecord> save_template(Context& ctx, const Scope& scope,
                                                       const TemplateInput& in, bool replace,
                                                       const Actor& who);
Expected<store::ParameterTemplateRecord> parameter_template(Context& ctx, const std::string& app);

// Where values are set.
struct ParameterLevel {
  std::string level = store::kLevelOrganisation;  // org | group | terminal
  std::int64_t org_id = 0;  // org and group levels (0: the caller's own organisation)
  std::string group;        // group level
  std::string serial;       // terminal level
};

struct ParameterChange {
  std::string key;
  std::optional<std::string> value;  // set this value
  bool unset = false;                // remove this level's value
  std::optional<bool> locked;        // lock or unlock the field at this level
};

// One field as a level holds it, for people: a sensitive value only as "set".
struct LevelValue {
  std::string key;
  bool has_value = false;
  std::string value;  // "" when sensitive
  bool sensitive = false;
  bool locked = false;
  std::string updated_by;
  std::int64_t updated = 0;
};
struct LevelValues {
  store::ParameterTemplateRecord tpl;
  ParameterLevel where;  // resolved: org_id filled in
  std::vector<LevelValue> values;
};
// The values one level of the caller's scope holds (another organisation's, or a terminal
// outside the scope: kNotFound).
Expected<LevelValues> values_at(Context& ctx, const Scope& scope, const std::string& app,
                                const ParameterLevel& where);

// Applies `changes` at `where` in one audited change (before and after per field, sensitive
// ones as "(sealed)"), with `reason` (optional). A value must fit its field; a field locked above
// the level cannot be set or unlocked there (kLocked, naming where); changing a lock needs
// `may_lock` (an administrator).
Expected<LevelValues> set_values(Context& ctx, const Scope& scope, const std::string& app,
                                 const ParameterLevel& where,
                                 const std::vector<ParameterChange>& changes, bool may_lock,
                                 const Actor& who, const std::string& reason);

// A field of a terminal's effective set.
struct EffectiveValue {
  std::string key;
  bool has_value = false;
  std::string value;  // the plain value (unsealed): for the terminal, never shown to people
  bool sensitive = false;
  std::string source;     // "default", "org:7", "group:7:shops", "terminal"
  std::string locked_by;  // "" or the level whose lock held it
};
struct EffectiveSet {
  store::ParameterTemplateRecord tpl;
  ParameterSchema schema;
  std::vector<EffectiveValue> values;  // in the schema's order
  std::string version;                 // 16 hex digits
};
// Terminal `t`'s effective set of `app`; with `changes` at `where`, what it would be after them
// (the preview before saving).
Expected<EffectiveSet> effective_set(Context& ctx, const std::string& app,
                                     const store::TerminalRecord& t,
                                     const ParameterLevel* where = nullptr,
                                     const std::vector<ParameterChange>* changes = nullptr);

// The preview before saving: terminal `serial`'s effective set (of the caller's scope) if
// `changes` were made at `where`, sensitive values left out.
Expected<EffectiveSet> preview_values(Context& ctx, const Scope& scope, const std::string& app,
                                      const std::string& serial, const ParameterLevel& where,
                                      const std::vector<ParameterChange>& changes);

// What the poll tells a terminal: each app with a template and its set's version.
struct ParameterOffer {
  std::string app, version;
};
Expected<std::vector<ParameterOffer>> parameter_offers(Context& ctx,
                                                       const store::TerminalRecord& t);

// The terminal says it applied version `version` of `app`'s set.
Status acknowledge_parameters(Context& ctx, const store::TerminalRecord& t, const std::string& app,
                              const std::string& version);

struct TerminalParameters {
  EffectiveSet set;
  std::string applied_version;  // "" if it never acknowledged one
  std::int64_t applied = 0;
};
// Every app's effective set of a terminal with what it acknowledged, for its page.
Expected<std::vector<TerminalParameters>> terminal_parameters(Context& ctx,
                                                              const store::TerminalRecord& t);

// Calls `f` on every sealed parameter value and saves it after (key rotation).
Status each_sealed_parameter(Context& ctx, const std::function<Status(std::string&)>& f, bool save);

}  // namespace posfleet::domain
