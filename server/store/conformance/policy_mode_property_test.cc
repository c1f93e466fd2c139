// Store conformance, property: on random fleets the store's effective update
// mode — query_terminals' per-terminal `mode`, count_terminals by mode and the
// overview's mode counts — is what core/policy makes of the same policies
// (fleet, then group, then each organisation from the top down to the
// terminal's, then terminal, PolicyPatch::apply_to: a lock at a scope holds
// against every scope below it), in a random tree of organisations.
//
// Deterministic by default; POSFLEET_POLICY_SEED=<n> starts from another seed.
// A failure names the seed and the fleet, and stops at the first bad case.
#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "core/policy.h"
#include "server/store/conformance/fixture.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace posfleet::store::conformance {
namespace {

constexpr int kCases = 300;
const char* const kModes[] = {"auto", "manual", "never"};

// The one place that reads a mode out of core/policy's answer.
std::string mode_name(const Policy& p) { return to_string(p.mode); }

struct Fleet {
  std::map<std::pair<std::string, std::string>, std::string> patches;  // (scope, key) → json
  // Organisations below the acquirer. A late one is made after the others and, when the policies
  // are written first, after them; it has no policy of its own: it inherits.
  struct Organisation {
    std::size_t parent = 0;  // 0: the acquirer, else 1 + its index here
    std::int64_t id = 0;     // as the store numbers them: the others first, then the late ones
    std::string path;
    bool late = false;
  };
  std::vector<Organisation> organisations;
  struct Terminal {
    std::string serial, group;
    std::size_t org = 0;  // as Organisation::parent
    bool retired = false;
  };
  std::vector<Terminal> terminals;

  std::string org_path(std::size_t org) const {
    return org == 0 ? "/1/" : organisations[org - 1].path;
  }
  std::string describe() const {
    std::ostringstream o;
    for (const auto& org : organisations)
      o << "  organisation " << org.path << (org.late ? " late" : "") << "\n";
    for (const auto& [k, v] : patches)
      o << "  policy " << k.first << ":" << k.second << " " << v << "\n";
    for (const auto& t : terminals)
      o << "  terminal " << t.serial << " group '" << t.group << "' in " << org_path(t.org)
        << (t.retired ? " retired" : "") << "\n";
    return o.str();
  }
};

std::string random_patch(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  boost::json::object o;
  if (int m = pick(4); m < 3) o["mode"] = kModes[m];
  if (int l = pick(4); l == 0) {
    o["locked"] = true;
    o["lock_reason"] = "audit";
  } else if (l == 1) {
    o["locked"] = false;
  }
  if (pick(3) == 0) o["cellular"] = "forbidden";
  return boost::json::serialize(o);
}

Fleet random_fleet(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  Fleet f;
  std::vector<std::string> groups;
  for (int g = 0, n = pick(4); g < n; ++g) groups.push_back("g" + std::to_string(g));
  groups.push_back("unset");  // a group no policy names
  if (pick(4)) f.patches[{"fleet", ""}] = random_patch(rng);
  for (const auto& g : groups)
    if (g != "unset" && pick(4)) f.patches[{"group", g}] = random_patch(rng);
  if (pick(3) == 0) f.patches[{"group", "empty"}] = random_patch(rng);  // a group without terminals
  for (int i = 0, n = pick(7); i < n; ++i) {
    Fleet::Organisation o;
    o.parent = static_cast<std::size_t>(pick(i + 1));
    o.late = pick(4) == 0 || (o.parent && f.organisations[o.parent - 1].late);
    f.organisations.push_back(o);
  }
  std::int64_t next_id = 2;
  for (bool late : {false, true})
    for (auto& o : f.organisations)
      if (o.late == late) {
        o.id = next_id++;
        o.path = f.org_path(o.parent) + std::to_string(o.id) + "/";
      }
  for (const auto& o : f.organisations)
    if (!o.late && pick(3)) f.patches[{"organisation", o.path}] = random_patch(rng);
  for (int i = 0, n = 1 + pick(12); i < n; ++i) {
    Fleet::Terminal t;
    t.serial = "T" + std::to_string(i);
    t.group =
        pick(3) == 0 ? "" : groups[static_cast<size_t>(pick(static_cast<int>(groups.size())))];
    t.org = static_cast<std::size_t>(pick(static_cast<int>(f.organisations.size()) + 1));
    t.retired = pick(6) == 0;
    if (pick(2)) f.patches[{"terminal", t.serial}] = random_patch(rng);
    f.terminals.push_back(t);
  }
  if (pick(4) == 0) f.patches[{"terminal", "GHOST"}] = random_patch(rng);  // no such terminal
  return f;
}

// What core/policy decides for each terminal: fleet, group, organisations, terminal.
std::map<std::string, std::string> expected_modes(const Fleet& f) {
  std::map<std::string, std::string> out;
  auto apply = [&](Policy& p, const std::string& scope, const std::string& key) {
    auto it = f.patches.find({scope, key});
    if (it == f.patches.end()) return;
    auto patch = PolicyPatch::from_json(boost::json::parse(it->second).as_object());
    ASSERT_TRUE(patch) << it->second;
    patch->apply_to(p);
  };
  for (const auto& t : f.terminals) {
    Policy p;
    apply(p, "fleet", "");
    if (!t.group.empty()) apply(p, "group", t.group);
    const std::string path = f.org_path(t.org);
    for (auto end = path.find('/', 3); end != std::string::npos; end = path.find('/', end + 1))
      apply(p, "organisation", path.substr(0, end + 1));
    apply(p, "terminal", t.serial);
    out[t.serial] = mode_name(p);
  }
  return out;
}

TEST_P(PolicyModeProperty, StoreModesEqualCorePolicyOnRandomFleets) {
  std::uint64_t base = 20261202;
  if (const char* env = std::getenv("POSFLEET_POLICY_SEED")) base = std::strtoull(env, nullptr, 10);
  posfleet::testing::TempDir dir("posfleet_policy_property_" + GetParam().name);
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = base + static_cast<std::uint64_t>(n);
    std::mt19937_64 rng(seed);
    const Fleet fleet = random_fleet(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun: POSFLEET_POLICY_SEED=" +
                 std::to_string(seed) + "); the fleet:\n" + fleet.describe());
    const std::string case_dir = dir.path() + "/" + std::to_string(n);
    std::filesystem::create_directories(case_dir);
    auto opened = GetParam().open(case_dir);
    ASSERT_TRUE(opened) << opened.error().to_string();
    Store& s = (*opened)->store();

    // The fleet is written in one unit of work: quicker, and the same rows. Every other case
    // writes the policies first, so that a terminal's registration and group change, not only a
    // policy change, must give it its stored mode (policy_mode_sql.h).
    const bool policies_first = seed % 2 == 1;
    auto write_policies = [&](Tx& tx) -> Status {
      for (const auto& [scope, patch] : fleet.patches) {
        auto r = tx.change_policy(
            {0, scope.first, scope.second, "{}", patch, "test", "console", "test", "applied", 1},
            patch, true);
        if (!r) return r.error();
      }
      return ok_status();
    };
    auto make_organisations = [&](Tx& tx, bool late) -> Status {
      for (std::size_t i = 0; i < fleet.organisations.size(); ++i) {
        const auto& o = fleet.organisations[i];
        if (o.late != late) continue;
        const std::int64_t parent = o.parent ? fleet.organisations[o.parent - 1].id : 1;
        auto made = tx.insert_organisation(
            {0, parent, "reseller", "org" + std::to_string(i), "", "test", 1});
        if (!made) return made.error();
        if (made->path != o.path)
          return make_error(Code::kInternal, "organisation made at " + made->path);
      }
      return ok_status();
    };
    Status built = s.transact([&](Tx& tx) -> Status {
      if (auto st = make_organisations(tx, false); !st) return st;
      if (policies_first)
        if (auto st = write_policies(tx); !st) return st;
      if (auto st = make_organisations(tx, true); !st) return st;
      for (const auto& t : fleet.terminals) {
        auto id = tx.insert_terminal(
            {0, "DEFAULT", t.serial, "A920", "token-" + t.serial, "", "{}", 1, 0, "", 0, 0, ""});
        if (!id) return id.error();
        if (!t.group.empty())
          if (auto st = tx.set_terminal_group(*id, t.group); !st) return st;
        if (t.org)
          if (auto st = tx.set_terminal_organisation(*id, fleet.organisations[t.org - 1].id); !st)
            return st;
        if (t.retired)
          if (auto r = tx.retire_terminal(*id, 5, "test", "retired-" + t.serial); !r)
            return r.error();
      }
      return policies_first ? ok_status() : write_policies(tx);
    });
    ASSERT_TRUE(built) << built.error().to_string();
    const auto expected = expected_modes(fleet);
    if (HasFatalFailure()) return;

    auto rows = s.query_terminals({.limit = 1000});
    ASSERT_TRUE(rows) << rows.error().to_string();
    ASSERT_EQ(rows->size(), fleet.terminals.size());
    for (const auto& r : *rows)
      EXPECT_EQ(r.mode, expected.at(r.terminal.serial))
          << "query_terminals' mode of " << r.terminal.serial;

    std::map<std::string, std::int64_t> in_service;
    for (const auto& t : fleet.terminals)
      if (!t.retired) ++in_service[expected.at(t.serial)];
    for (const char* mode : kModes) {
      std::set<std::string> want;
      for (const auto& [serial, m] : expected)
        if (m == mode) want.insert(serial);
      auto listed = s.query_terminals({.mode = mode, .limit = 1000});
      ASSERT_TRUE(listed) << listed.error().to_string();
      std::set<std::string> got;
      for (const auto& r : *listed) got.insert(r.terminal.serial);
      EXPECT_EQ(got, want) << "query_terminals filtered by mode " << mode;
      auto count = s.count_terminals({.mode = mode});
      ASSERT_TRUE(count) << count.error().to_string();
      EXPECT_EQ(*count, static_cast<std::int64_t>(want.size())) << "count_terminals of " << mode;
      auto live = s.count_terminals({.mode = mode, .retired = false});
      ASSERT_TRUE(live);
      EXPECT_EQ(*live, in_service[mode]) << "count_terminals of " << mode << " in service";
    }
    auto o = s.overview(0, 0, 0);
    ASSERT_TRUE(o) << o.error().to_string();
    EXPECT_EQ(o->mode_auto, in_service["auto"]) << "overview";
    EXPECT_EQ(o->mode_manual, in_service["manual"]) << "overview";
    EXPECT_EQ(o->mode_never, in_service["never"]) << "overview";
    if (HasFailure()) return;  // the first bad fleet is the one to read
  }
}

}  // namespace
}  // namespace posfleet::store::conformance
