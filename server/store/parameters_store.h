// posfleet server: the store's parameters area (参数下发): templates of an app's parameters with
// their typed schema, the values set at an organisation, a group within an organisation or one
// terminal, and which version of its set each terminal says it applied. One part of
// store::Store (store.h); the rules (types, inheritance, locks, versions) are in
// domain/parameters.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct ParameterTemplateRecord {
  std::int64_t id = 0;
  std::string app;            // the app the parameters are for: "payment"
  std::string name;           // shown to people
  std::string schema_json;    // the typed fields (domain/parameters.h reads and checks it)
  std::int64_t revision = 1;  // one more for each change of the template or of any of its values
  std::string created_by;
  std::int64_t created = 0, updated = 0;
};

// Where a value is set. An organisation's value applies to its subtree; a group's to the
// terminals of that group within the organisation's subtree; a terminal's to that terminal.
inline constexpr const char* kLevelOrganisation = "org";
inline constexpr const char* kLevelGroup = "group";
inline constexpr const char* kLevelTerminal = "terminal";

struct ParameterValueRecord {
  std::int64_t template_id = 0;
  std::string level;        // kLevel*
  std::int64_t org_id = 0;  // org and group levels: the organisation; terminal level: 0
  std::string target;       // org: ""; group: the group's name; terminal: its serial
  std::string key;
  bool has_value = false;  // false: only a lock, holding what is set above
  std::string value;       // as text; sealed (domain/secrets) when `sealed`
  bool sealed = false;
  bool locked = false;  // nothing below this level may change it
  std::string updated_by;
  std::int64_t updated = 0;
};

struct ParameterAckRecord {
  std::int64_t terminal_id = 0;
  std::int64_t template_id = 0;
  std::string version;  // of the set it applied
  std::int64_t applied = 0;
};

class ParameterStore {
 public:
  virtual ~ParameterStore() = default;

  // kConflict when the app has a template already.
  virtual Expected<ParameterTemplateRecord> insert_parameter_template(
      const ParameterTemplateRecord& t) = 0;
  // Writes name, schema, revision and updated of template t.id (kNotFound).
  virtual Status update_parameter_template(const ParameterTemplateRecord& t) = 0;
  virtual Expected<ParameterTemplateRecord> parameter_template(const std::string& app) = 0;
  virtual Expected<std::vector<ParameterTemplateRecord>> parameter_templates() = 0;  // by app

  // The values of one level (template, level, org_id, target), by key.
  virtual Expected<std::vector<ParameterValueRecord>> parameter_values_at(
      std::int64_t template_id, const std::string& level, std::int64_t org_id,
      const std::string& target) = 0;
  // Every value that can reach a terminal of organisation chain `orgs` (root first), in group
  // `group`, with serial `serial`: the organisations' own, their values for the group, and the
  // terminal's. In no particular order (the domain orders them).
  virtual Expected<std::vector<ParameterValueRecord>> parameter_values_for(
      std::int64_t template_id, const std::vector<std::int64_t>& orgs, const std::string& group,
      const std::string& serial) = 0;
  // Writes one value (a new one, or over the one of the same level and key).
  virtual Status put_parameter_value(const ParameterValueRecord& v) = 0;
  // Removes one; true if there was one.
  virtual Expected<bool> delete_parameter_value(const ParameterValueRecord& v) = 0;
  // Every sealed value (for key rotation).
  virtual Expected<std::vector<ParameterValueRecord>> sealed_parameter_values() = 0;

  virtual Status put_parameter_ack(const ParameterAckRecord& a) = 0;
  // A terminal's acknowledgements, by template id.
  virtual Expected<std::vector<ParameterAckRecord>> parameter_acks(std::int64_t terminal_id) = 0;
};

}  // namespace posfleet::store
