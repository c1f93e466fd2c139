// posfleet agent: the payment app's parameters (参数下发, docs/parameters.md) as the terminal
// keeps them: one file per app, <device_dir>/parameters/<app>.json, written atomically, which the
// payment app reads. The poll names each app's set by version; a set whose version differs from
// the file's is fetched, checked field by field, written, and only then acknowledged to the
// server (an acknowledgement that did not go out is sent again after the next poll). The menu's
// 参数查看 shows the files read-only, sensitive values masked.
// Thread-safety: stateless functions and a plain folder; one writer (the daemon's loop).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace posfleet::agent {

class DdiClient;

struct ParameterValue {
  std::string key, type, label_zh, label_en;
  bool has_value = false;
  std::string value;  // as text ("true", "60", …)
  bool sensitive = false, locked = false;
};

struct ParameterSet {
  std::string app, version;
  std::vector<ParameterValue> values;
  bool acknowledged = false;  // the server was told it is applied
  std::string applied;        // when it was written (UTC)
};

inline constexpr std::size_t kMaxParameterApps = 16;
inline constexpr std::size_t kMaxParameterFields = 100;

// A set as the server sends it ({"app","version","fields":[…]}), every bound checked: app and key
// names, 16 hex digits of version, at most 100 fields, values of at most 1,024 characters of
// valid text.
Expected<ParameterSet> parse_parameter_set(const boost::json::object& o);
boost::json::object to_json(const ParameterSet& s);

class ParameterFolder {
 public:
  explicit ParameterFolder(std::string dir) : dir_(std::move(dir)) {}
  // The app's set on the terminal; kNotFound if it has none yet.
  Expected<ParameterSet> load(const std::string& app) const;
  Status save(const ParameterSet& s) const;
  // Every app's set, by app (at most kMaxParameterApps).
  Expected<std::vector<ParameterSet>> all() const;

 private:
  std::string dir_;
};

// What a poll's extension says of parameters (its "parameters" list): each app whose version
// differs from the terminal's is fetched and written, each set not yet acknowledged is
// acknowledged. Trouble with one app is logged and left for the next poll.
void sync_parameters(DdiClient& ddi, const ParameterFolder& folder,
                     const boost::json::object& extension);

}  // namespace posfleet::agent
