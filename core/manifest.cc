#include "core/manifest.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/json.h"
#include "core/version.h"

namespace posfleet {

boost::json::object Manifest::to_json() const {
  boost::json::array comps;
  for (const auto& c : components) {
    boost::json::object o{{"name", c.name},
                          {"version", c.version},
                          {"filename", c.filename},
                          {"sha256", c.sha256},
                          {"length", c.length}};
    // Written only when set, so manifests without them keep their signed bytes.
    if (c.mandatory) o["mandatory"] = true;
    if (!c.depends.empty()) {
      boost::json::array deps;
      for (const auto& d : c.depends) deps.push_back(boost::json::string(d));
      o["depends"] = deps;
    }
    if (!c.deltas.empty()) {
      boost::json::array deltas;
      for (const auto& d : c.deltas)
        deltas.push_back(boost::json::object{{"from_version", d.from_version},
                                             {"from_sha256", d.from_sha256},
                                             {"filename", d.filename},
                                             {"sha256", d.sha256},
                                             {"length", d.length}});
      o["deltas"] = deltas;
    }
    if (c.zchunk)
      o["zchunk"] = boost::json::object{{"filename", c.zchunk->filename},
                                        {"sha256", c.zchunk->sha256},
                                        {"length", c.zchunk->length}};
    comps.push_back(std::move(o));
  }
  boost::json::array mods;
  for (const auto& m : models) mods.push_back(boost::json::string(m));
  boost::json::object o{{"type", "posfleet-release"},
                        {"schema", kSchema},
                        {"version", version},
                        {"expires", format_utc(expires)},
                        {"models", mods},
                        {"notes", boost::json::object{{"zh-CN", notes_zh}, {"en", notes_en}}},
                        {"security", security},
                        {"rollback", rollback},
                        {"components", comps}};
  if (sequence > 0) o["sequence"] = sequence;  // absent when 0: older manifests keep their bytes
  return o;
}

namespace {

// A name as it may be shown: printable ASCII kept, every other byte as \xNN,
// at most 80 bytes of it, so an error never carries raw or endless bytes.
std::string shown(std::string_view name) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : name.substr(0, 80)) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += "\\x";
      out.push_back(hex[ch >> 4]);
      out.push_back(hex[ch & 15]);
    }
  }
  if (name.size() > 80) out += "…";
  return "\"" + out + "\"";
}

Status check_name(std::string_view name, std::size_t max, const char* what) {
  if (name.empty() || name.size() > max)
    return make_error(Code::kParse, std::string(what) + " " + shown(name) + " must be 1 to " +
                                        std::to_string(max) + " bytes long");
  for (unsigned char ch : name)
    if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && !(ch >= '0' && ch <= '9') &&
        ch != '.' && ch != '_' && ch != '-' && ch != '+')
      return make_error(Code::kParse,
                        std::string(what) + " " + shown(name) +
                            " may hold only letters, digits and . _ + - (no spaces, slashes or "
                            "control characters)");
  if (name.front() == '.')
    return make_error(Code::kParse,
                      std::string(what) + " " + shown(name) + " must not start with '.'");
  return ok_status();
}

}  // namespace

Status check_component_name(std::string_view name) {
  return check_name(name, 64, "component name");
}

Status check_file_name(std::string_view name) {
  if (auto s = check_name(name, 100, "file name"); !s) return s;
  if (name == "slot.json" || name.starts_with("slot.json."))
    return make_error(Code::kParse,
                      "file name " + shown(name) + " is reserved for the slot's own record");
  return ok_status();
}

namespace {
Expected<Delta> parse_delta(const boost::json::value& v, const Component& target) {
  if (!v.is_object()) return make_error(Code::kParse, "a delta must be an object");
  const auto& o = v.get_object();
  Delta d;
  for (auto [field, out] : {std::pair{"from_version", &d.from_version},
                            {"from_sha256", &d.from_sha256},
                            {"filename", &d.filename},
                            {"sha256", &d.sha256}}) {
    auto s = json::get_string(o, field);
    if (!s) return s.error().with_context("delta");
    *out = *s;
  }
  if (auto s = check_file_name(d.filename); !s) return s.error().with_context("delta");
  if (auto ver = Version::parse(d.from_version); !ver) return ver.error().with_context("delta");
  if (!is_sha256_hex(d.from_sha256) || !is_sha256_hex(d.sha256))
    return make_error(Code::kParse, "delta " + d.filename + ": a sha256 is not 64 hex digits");
  if (d.from_sha256 == target.sha256)
    return make_error(Code::kParse, "delta " + d.filename + ": its source is the component itself");
  auto len = json::get_int(o, "length");
  if (!len || *len < 1)
    return make_error(Code::kParse, "delta " + d.filename + ": length must be a positive integer");
  d.length = static_cast<std::uint64_t>(*len);
  return d;
}

Expected<ZchunkFile> parse_zchunk(const boost::json::value& v, const Component& c) {
  if (!v.is_object()) return make_error(Code::kParse, "zchunk must be an object");
  const auto& o = v.get_object();
  ZchunkFile z;
  for (auto [field, out] : {std::pair{"filename", &z.filename}, {"sha256", &z.sha256}}) {
    auto s = json::get_string(o, field);
    if (!s) return s.error().with_context("zchunk");
    *out = *s;
  }
  if (auto s = check_file_name(z.filename); !s) return s.error().with_context("zchunk");
  if (!is_sha256_hex(z.sha256))
    return make_error(Code::kParse, "zchunk " + z.filename + ": sha256 is not 64 hex digits");
  if (z.sha256 == c.sha256)
    return make_error(Code::kParse, "zchunk " + z.filename + " is the component itself");
  auto len = json::get_int(o, "length");
  if (!len || *len < 1)
    return make_error(Code::kParse, "zchunk " + z.filename + ": length must be a positive integer");
  z.length = static_cast<std::uint64_t>(*len);
  return z;
}

Expected<Component> component_from(const boost::json::value& v) {
  if (!v.is_object()) return make_error(Code::kParse, "a component must be an object");
  const auto& o = v.get_object();
  Component c;
  for (auto [field, out] : {std::pair{"name", &c.name},
                            {"version", &c.version},
                            {"filename", &c.filename},
                            {"sha256", &c.sha256}}) {
    auto s = json::get_string(o, field);
    if (!s) return s.error();
    *out = *s;
  }
  if (auto s = check_component_name(c.name); !s) return s.error();
  if (auto s = check_file_name(c.filename); !s)
    return s.error().with_context("component " + c.name);
  if (auto ver = Version::parse(c.version); !ver)
    return ver.error().with_context("component " + c.name);
  if (!is_sha256_hex(c.sha256))
    return make_error(Code::kParse, "component " + c.name + ": sha256 is not 64 hex digits");
  auto len = json::get_int(o, "length");
  if (!len || *len < 0)
    return make_error(Code::kParse,
                      "component " + c.name + ": length must be a non-negative integer");
  c.length = static_cast<std::uint64_t>(*len);
  if (auto* m = o.if_contains("mandatory"); m && m->is_bool()) c.mandatory = m->get_bool();
  if (auto deps = json::get_array(o, "depends"); deps)
    for (const auto& d : **deps) {
      if (!d.is_string())
        return make_error(Code::kParse, "component " + c.name + ": depends lists component names");
      c.depends.emplace_back(d.get_string());
    }
  if (o.contains("deltas")) {
    auto deltas = json::get_array(o, "deltas");
    if (!deltas) return deltas.error().with_context("component " + c.name);
    if ((*deltas)->size() > Component::kMaxDeltas)
      return make_error(Code::kParse, "component " + c.name + ": more than " +
                                          std::to_string(Component::kMaxDeltas) + " deltas");
    for (const auto& e : **deltas) {
      auto d = parse_delta(e, c);
      if (!d) return d.error().with_context("component " + c.name);
      c.deltas.push_back(std::move(*d));
    }
  }
  if (const auto* z = o.if_contains("zchunk")) {
    auto parsed = parse_zchunk(*z, c);
    if (!parsed) return parsed.error().with_context("component " + c.name);
    c.zchunk = std::move(*parsed);
  }
  return c;
}
}  // namespace

const Delta* Component::delta_from(std::string_view source_sha256) const {
  for (const auto& d : deltas)
    if (d.from_sha256 == source_sha256) return &d;
  return nullptr;
}

Expected<Manifest> Manifest::from_json(const boost::json::value& v) {
  if (!v.is_object()) return make_error(Code::kParse, "manifest \"signed\" must be an object");
  const auto& o = v.get_object();
  if (json::string_or(o, "type", "") != "posfleet-release")
    return make_error(Code::kParse, "manifest type is not \"posfleet-release\"");
  auto schema = json::get_int(o, "schema");
  if (!schema || *schema != kSchema)
    return make_error(Code::kParse,
                      "manifest schema is not " + std::to_string(kSchema) + "; update posfleet");
  Manifest m;
  auto version = json::get_string(o, "version");
  if (!version) return version.error();
  if (auto pv = Version::parse(*version); !pv) return pv.error();
  m.version = *version;
  auto expires = json::get_string(o, "expires");
  if (!expires) return expires.error();
  auto t = parse_utc(*expires);
  if (!t) return t.error();
  m.expires = *t;
  auto models = json::get_array(o, "models");
  if (!models) return models.error();
  for (const auto& e : **models) {
    if (!e.is_string()) return make_error(Code::kParse, "models must be strings");
    m.models.emplace_back(e.get_string());
  }
  if (m.models.empty())
    return make_error(Code::kParse, "a manifest names at least one hardware model");
  if (auto notes = json::get_object(o, "notes"); notes) {
    m.notes_zh = json::string_or(**notes, "zh-CN", "");
    m.notes_en = json::string_or(**notes, "en", "");
  }
  auto flag = [&](const char* k) {
    auto* p = o.if_contains(k);
    return p && p->is_bool() && p->get_bool();
  };
  m.security = flag("security");
  m.rollback = flag("rollback");
  if (o.contains("sequence")) {
    auto seq = json::get_int(o, "sequence");
    if (!seq || *seq < 1 || *seq > Manifest::kMaxSequence)
      return make_error(Code::kParse, "manifest sequence must be an integer from 1 to 2^53-1");
    m.sequence = *seq;
  }
  auto comps = json::get_array(o, "components");
  if (!comps) return comps.error();
  std::set<std::string> names, files;
  for (const auto& e : **comps) {
    auto c = component_from(e);
    if (!c) return c.error();
    if (!names.insert(c->name).second)
      return make_error(Code::kParse, "component " + c->name + " appears twice");
    if (!files.insert(c->filename).second)
      return make_error(Code::kParse, "file name " + c->filename +
                                          " appears twice; each component needs its own");
    std::set<std::string> sources;
    for (const auto& d : c->deltas) {
      if (!files.insert(d.filename).second)
        return make_error(Code::kParse,
                          "file name " + d.filename + " appears twice; each delta needs its own");
      if (!sources.insert(d.from_sha256).second)
        return make_error(Code::kParse,
                          "component " + c->name + " lists two deltas from the same source");
    }
    if (c->zchunk && !files.insert(c->zchunk->filename).second)
      return make_error(Code::kParse, "file name " + c->zchunk->filename +
                                          " appears twice; the zchunk file needs its own");
    m.components.push_back(std::move(*c));
  }
  if (m.components.empty())
    return make_error(Code::kParse, "a manifest has at least one component");
  for (const auto& c : m.components)
    for (const auto& d : c.depends)
      if (!names.count(d))
        return make_error(Code::kParse,
                          "component " + c.name + " depends on unknown component " + d);
  return m;
}

std::string SignedManifest::signed_bytes() const {
  return received_bytes.empty() ? json::canonical(manifest.to_json()) : received_bytes;
}

void SignedManifest::sign(const SigningKey& key) {
  received_bytes.clear();
  std::string sig = sign_detached(key, signed_bytes());
  std::erase_if(signatures, [&](const Signature& s) { return s.key_id == key.pub.key_id; });
  signatures.push_back({key.pub.key_id, sig});
}

std::string SignedManifest::to_json_text() const {
  boost::json::array sigs;
  for (const auto& s : signatures)
    sigs.push_back(boost::json::object{{"keyid", s.key_id}, {"sig", to_base64(s.sig)}});
  return json::serialize(boost::json::object{{"signed", manifest.to_json()}, {"signatures", sigs}});
}

Expected<SignedManifest> SignedManifest::parse(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return v.error().with_context("manifest");
  if (!v->is_object()) return make_error(Code::kParse, "manifest envelope must be a JSON object");
  const auto& o = v->get_object();
  auto* body = o.if_contains("signed");
  if (!body) return make_error(Code::kParse, "manifest envelope has no \"signed\" part");
  auto m = Manifest::from_json(*body);
  if (!m) return m.error().with_context("manifest");
  SignedManifest sm;
  sm.manifest = std::move(*m);
  sm.received_bytes = json::canonical(*body);
  if (auto sigs = json::get_array(o, "signatures"); sigs) {
    for (const auto& e : **sigs) {
      if (!e.is_object()) return make_error(Code::kParse, "a signature must be an object");
      auto kid = json::get_string(e.get_object(), "keyid");
      auto sig64 = json::get_string(e.get_object(), "sig");
      if (!kid || !sig64)
        return make_error(Code::kParse, "a signature needs \"keyid\" and \"sig\"");
      auto raw = from_base64(*sig64);
      if (!raw) return make_error(Code::kParse, "signature of key " + *kid + " is not base64");
      sm.signatures.push_back({*kid, *raw});
    }
  }
  return sm;
}

Status verify_signatures(const SignedManifest& m, const std::vector<PublicKey>& trusted,
                         int threshold) {
  const std::string bytes = m.signed_bytes();
  std::set<std::string> good;
  int known = 0;
  std::string bad_key;
  for (const auto& s : m.signatures) {
    auto it = std::find_if(trusted.begin(), trusted.end(),
                           [&](const PublicKey& k) { return k.key_id == s.key_id; });
    if (it == trusted.end()) continue;
    ++known;
    if (verify_detached(*it, bytes, s.sig))
      good.insert(s.key_id);
    else
      bad_key = s.key_id;
  }
  if (known == 0)
    return make_error(Code::kUnknownKey,
                      "release is not signed by any key this terminal trusts (signed by " +
                          std::to_string(m.signatures.size()) + " unknown key(s))");
  if (!bad_key.empty() && static_cast<int>(good.size()) < threshold)
    return make_error(
        Code::kBadSignature,
        "signature of key " + bad_key + " does not match the release; it was altered or forged");
  if (static_cast<int>(good.size()) < threshold)
    return make_error(Code::kTooFewSignatures, "release has " + std::to_string(good.size()) +
                                                   " valid signature(s); " +
                                                   std::to_string(threshold) + " required");
  return ok_status();
}

Status check_sequence(const Manifest& m, std::int64_t highest_accepted) {
  if (m.sequence < highest_accepted)
    return make_error(Code::kSequenceReplayed,
                      "release " + m.version + " has sequence " + std::to_string(m.sequence) +
                          ", below " + std::to_string(highest_accepted) +
                          " already accepted by this terminal (an older release replayed); "
                          "to install it, sign it again with a higher sequence");
  return ok_status();
}

Status check_applicable(const Manifest& m, const std::string& model,
                        const std::string& installed_version, std::int64_t now) {
  if (now >= m.expires)
    return make_error(Code::kExpired, "release " + m.version + " expired at " +
                                          format_utc(m.expires) +
                                          "; ask the operator to re-sign it with a new expiry");
  if (std::find(m.models.begin(), m.models.end(), model) == m.models.end())
    return make_error(Code::kWrongModel, "release " + m.version + " is not for model " + model);
  auto want = Version::parse(m.version);
  auto have = Version::parse(installed_version);
  if (!want) return want.error();
  if (have && *want < *have && !m.rollback)
    return make_error(Code::kDowngrade, "release " + m.version + " is older than the installed " +
                                            installed_version +
                                            "; a downgrade needs a release signed as a rollback");
  return ok_status();
}

}  // namespace posfleet

namespace posfleet {

Expected<std::vector<std::string>> resolve_selection(const Manifest& m,
                                                     const std::vector<std::string>& chosen) {
  std::set<std::string> want;
  auto find = [&](const std::string& n) {
    return std::find_if(m.components.begin(), m.components.end(),
                        [&](const Component& c) { return c.name == n; });
  };
  for (const auto& n : chosen) {
    if (find(n) == m.components.end())
      return make_error(Code::kInvalidArgument, "release has no component " + n);
    want.insert(n);
  }
  if (chosen.empty())
    for (const auto& c : m.components) want.insert(c.name);
  for (const auto& c : m.components)
    if (c.mandatory) want.insert(c.name);
  for (bool grew = true; grew;) {  // close over dependencies
    grew = false;
    for (const auto& c : m.components)
      if (want.count(c.name))
        for (const auto& d : c.depends) grew |= want.insert(d).second;
  }
  std::vector<std::string> out;
  for (const auto& c : m.components)
    if (want.count(c.name)) out.push_back(c.name);
  return out;
}

std::string required_because(const Manifest& m, const std::vector<std::string>& chosen,
                             const std::string& name) {
  for (const auto& c : m.components)
    if (c.name == name && c.mandatory) return "mandatory";
  std::vector<std::string> others;
  for (const auto& n : chosen)
    if (n != name) others.push_back(n);
  auto rest = resolve_selection(m, others);
  if (!rest || others.empty()) return "";
  for (const auto& c : m.components)
    if (std::find(rest->begin(), rest->end(), c.name) != rest->end() &&
        std::find(c.depends.begin(), c.depends.end(), name) != c.depends.end())
      return "needed by " + c.name;
  return "";
}

}  // namespace posfleet

namespace posfleet {

std::string manifest_sha256(const SignedManifest& m) { return sha256_hex(m.signed_bytes()); }

Expected<Applies> check_against_installed(const SignedManifest& sm,
                                          const std::vector<std::string>& wanted,
                                          const InstalledRelease& installed) {
  const Manifest& m = sm.manifest;
  const bool same_manifest =
      !installed.manifest_sha256.empty() && installed.manifest_sha256 == manifest_sha256(sm);
  auto want = Version::parse(m.version);
  auto have = Version::parse(installed.version);
  if (want && have && *want == *have && !same_manifest && !m.rollback)
    return make_error(Code::kVersionReused, "release " + m.version +
                                                " is already installed with other content; "
                                                "a changed release needs a new version number");
  bool all_there = same_manifest;
  for (const auto& c : m.components) {
    if (std::find(wanted.begin(), wanted.end(), c.name) == wanted.end()) continue;
    auto old = std::find_if(installed.components.begin(), installed.components.end(),
                            [&](const Component& i) { return i.name == c.name; });
    if (old == installed.components.end()) {
      all_there = false;
      continue;
    }
    all_there = all_there && old->sha256 == c.sha256;
    if (m.rollback) continue;
    auto cv = Version::parse(c.version);
    auto ov = Version::parse(old->version);
    if (cv && ov && *cv < *ov)
      return make_error(Code::kDowngrade, "component " + c.name + " would go from " + old->version +
                                              " down to " + c.version +
                                              "; a downgrade needs a release signed as a rollback");
    if (c.version == old->version && c.sha256 != old->sha256)
      return make_error(Code::kVersionReused,
                        "component " + c.name + " " + c.version +
                            " is installed with other content; changed content needs a new "
                            "component version");
  }
  return all_there ? Applies::kAlreadyInstalled : Applies::kInstall;
}

}  // namespace posfleet
