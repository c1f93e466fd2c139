#include "core/root.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "core/json.h"

namespace posfleet {

namespace {

boost::json::object role_json(const RoleKeys& role) {
  boost::json::array keys;
  for (const auto& k : role.keys)
    keys.push_back(boost::json::object{{"keyid", k.key_id}, {"public", to_base64(k.raw)}});
  return boost::json::object{{"threshold", role.threshold}, {"keys", keys}};
}

Status only_fields(const boost::json::object& o, std::initializer_list<std::string_view> allowed,
                   const std::string& where) {
  for (const auto& kv : o)
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end())
      return make_error(Code::kParse, where + " has an unknown field (" +
                                          std::to_string(kv.key().size()) +
                                          " bytes); a newer posfleet may be needed");
  return ok_status();
}

Expected<RoleKeys> role_from(const boost::json::object& parent, const char* name) {
  const std::string where = std::string("root's \"") + name + "\"";
  auto o = json::get_object(parent, name);
  if (!o) return o.error().with_context("root");
  if (auto s = only_fields(**o, {"threshold", "keys"}, where); !s) return s.error();
  auto keys = json::get_array(**o, "keys");
  if (!keys) return keys.error().with_context(where);
  if ((*keys)->empty() || (*keys)->size() > Root::kMaxKeys)
    return make_error(Code::kParse,
                      where + " must list 1 to " + std::to_string(Root::kMaxKeys) + " keys");
  RoleKeys role;
  std::set<std::string> seen;
  for (const auto& e : **keys) {
    if (!e.is_object()) return make_error(Code::kParse, where + ": a key must be an object");
    const auto& ko = e.get_object();
    if (auto s = only_fields(ko, {"keyid", "public"}, where + " key"); !s) return s.error();
    auto kid = json::get_string(ko, "keyid");
    auto pub = json::get_string(ko, "public");
    if (!kid || !pub) return make_error(Code::kParse, where + ": a key needs keyid and public");
    auto raw = from_base64(*pub);
    if (!raw || raw->size() != 32)
      return make_error(Code::kParse, where + ": a public key is not 32 bytes of base64");
    if (key_id_of(*raw) != *kid)
      return make_error(Code::kParse, where + ": a keyid does not match its public key");
    if (!seen.insert(*kid).second)
      return make_error(Code::kParse, where + " lists key " + *kid + " twice");
    role.keys.push_back({*kid, *raw});
  }
  auto threshold = json::get_int(**o, "threshold");
  if (!threshold) return threshold.error().with_context(where);
  if (*threshold < 1 || *threshold > static_cast<std::int64_t>(role.keys.size()))
    return make_error(Code::kParse, where + " threshold must be 1 to its number of keys (" +
                                        std::to_string(role.keys.size()) + ")");
  role.threshold = static_cast<int>(*threshold);
  return role;
}

}  // namespace

boost::json::object Root::to_json() const {
  return boost::json::object{{"type", "posfleet-root"}, {"schema", kSchema},
                             {"version", version},      {"expires", format_utc(expires)},
                             {"root", role_json(root)}, {"release", role_json(release)}};
}

Expected<Root> Root::from_json(const boost::json::value& v) {
  if (!v.is_object()) return make_error(Code::kParse, "root \"signed\" must be an object");
  const auto& o = v.get_object();
  if (auto s = only_fields(o, {"type", "schema", "version", "expires", "root", "release"},
                           "root \"signed\"");
      !s)
    return s.error();
  if (json::string_or(o, "type", "") != "posfleet-root")
    return make_error(Code::kParse, "root type is not \"posfleet-root\"");
  auto schema = json::get_int(o, "schema");
  if (!schema || *schema != kSchema)
    return make_error(Code::kParse,
                      "root schema is not " + std::to_string(kSchema) + "; update posfleet");
  Root r;
  auto version = json::get_int(o, "version");
  if (!version || *version < 1 || *version > kMaxVersion)
    return make_error(Code::kParse, "root version must be an integer from 1 to 2^53-1");
  r.version = *version;
  auto expires = json::get_string(o, "expires");
  if (!expires) return expires.error().with_context("root");
  auto t = parse_utc(*expires);
  if (!t) return t.error().with_context("root expires");
  r.expires = *t;
  auto root = role_from(o, "root");
  if (!root) return root.error();
  auto release = role_from(o, "release");
  if (!release) return release.error();
  r.root = std::move(*root);
  r.release = std::move(*release);
  for (const auto& k : r.release.keys)
    for (const auto& rk : r.root.keys)
      if (k.key_id == rk.key_id)
        return make_error(Code::kParse, "key " + k.key_id +
                                            " is both a root key and a release key; keep the "
                                            "roles apart (a release key must not sign roots)");
  return r;
}

std::string SignedRoot::signed_bytes() const {
  return received_bytes.empty() ? json::canonical(root.to_json()) : received_bytes;
}

void SignedRoot::sign(const SigningKey& key) {
  // Signing covers the bytes received, so a signature added on a second machine
  // matches the first one's (the root's own serialization is canonical too).
  std::string sig = sign_detached(key, signed_bytes());
  std::erase_if(signatures, [&](const Signature& s) { return s.key_id == key.pub.key_id; });
  signatures.push_back({key.pub.key_id, sig});
}

std::string SignedRoot::to_json_text() const {
  boost::json::array sigs;
  for (const auto& s : signatures)
    sigs.push_back(boost::json::object{{"keyid", s.key_id}, {"sig", to_base64(s.sig)}});
  // The signed part is written in its canonical form, so the file is the same
  // whichever machine wrote it.
  boost::json::value body = root.to_json();
  if (auto v = json::parse(signed_bytes()); v) body = std::move(*v);
  return json::serialize(boost::json::object{{"signed", body}, {"signatures", sigs}});
}

Expected<SignedRoot> SignedRoot::parse(std::string_view text) {
  if (text.size() > Root::kMaxRootBytes)
    return make_error(Code::kTooLarge, "root document is larger than " +
                                           std::to_string(Root::kMaxRootBytes / 1024) + " KiB");
  auto v = json::parse(text);
  if (!v) return v.error().with_context("root");
  if (!v->is_object()) return make_error(Code::kParse, "root envelope must be a JSON object");
  const auto& o = v->get_object();
  if (auto s = only_fields(o, {"signed", "signatures"}, "root envelope"); !s) return s.error();
  auto* body = o.if_contains("signed");
  if (!body) return make_error(Code::kParse, "root envelope has no \"signed\" part");
  auto r = Root::from_json(*body);
  if (!r) return r.error();
  SignedRoot sr;
  sr.root = std::move(*r);
  sr.received_bytes = json::canonical(*body);
  auto sigs = json::get_array(o, "signatures");
  if (!sigs) return sigs.error().with_context("root envelope");
  if ((*sigs)->size() > Root::kMaxSignatures)
    return make_error(Code::kParse, "root envelope has more than " +
                                        std::to_string(Root::kMaxSignatures) + " signatures");
  for (const auto& e : **sigs) {
    if (!e.is_object()) return make_error(Code::kParse, "a root signature must be an object");
    const auto& so = e.get_object();
    if (auto s = only_fields(so, {"keyid", "sig"}, "a root signature"); !s) return s.error();
    auto kid = json::get_string(so, "keyid");
    auto sig64 = json::get_string(so, "sig");
    if (!kid || !sig64 || kid->size() != 16)
      return make_error(Code::kParse, "a root signature needs \"keyid\" (16 hex) and \"sig\"");
    auto raw = from_base64(*sig64);
    if (!raw || raw->size() != 64)
      return make_error(Code::kParse, "a root signature is not 64 bytes of base64");
    sr.signatures.push_back({*kid, *raw});
  }
  return sr;
}

Status check_root_threshold(const SignedRoot& r, const RoleKeys& role, const std::string& whose) {
  const std::string bytes = r.signed_bytes();
  std::set<std::string> good;  // distinct keys: one key signing twice counts once
  for (const auto& s : r.signatures) {
    auto it = std::find_if(role.keys.begin(), role.keys.end(),
                           [&](const PublicKey& k) { return k.key_id == s.key_id; });
    if (it != role.keys.end() && verify_detached(*it, bytes, s.sig)) good.insert(s.key_id);
  }
  if (static_cast<int>(good.size()) < role.threshold)
    return make_error(Code::kRootUntrusted,
                      "root " + std::to_string(r.root.version) + " has " +
                          std::to_string(good.size()) + " valid signature(s) by " + whose + "; " +
                          std::to_string(role.threshold) +
                          " required (sign it with more root keys: posfleet root sign)");
  return ok_status();
}

Status check_self_signed(const SignedRoot& r) {
  return check_root_threshold(r, r.root.root,
                              "its own root keys (root " + std::to_string(r.root.version) + ")");
}

Status check_next_root(const Root& trusted, const SignedRoot& next) {
  const std::int64_t want = trusted.version + 1;
  if (next.root.version != want) {
    const std::string why = next.root.version <= trusted.version
                                ? " is not newer than the trusted root " +
                                      std::to_string(trusted.version) + " (a rollback or replay)"
                                : " skips versions; the trusted root is " +
                                      std::to_string(trusted.version) + " and roots are taken " +
                                      "one version at a time";
    return make_error(Code::kRootNotNext, "root " + std::to_string(next.root.version) + why);
  }
  if (auto s = check_root_threshold(
          next, trusted.root,
          "the root keys of the trusted root " + std::to_string(trusted.version));
      !s)
    return s;
  return check_root_threshold(next, next.root.root,
                              "its own root keys (root " + std::to_string(next.root.version) + ")");
}

Status check_root_fresh(const Root& r, std::int64_t now) {
  if (now >= r.expires)
    return make_error(Code::kExpired, "root " + std::to_string(r.version) + " expired at " +
                                          format_utc(r.expires) +
                                          "; the release manager must publish a newer root");
  return ok_status();
}

Expected<Root> walk_roots(Root trusted, const std::vector<SignedRoot>& newer) {
  if (newer.size() > static_cast<std::size_t>(kMaxRootWalk))
    return make_error(Code::kRootNotNext,
                      "more than " + std::to_string(kMaxRootWalk) + " new roots at once; refused");
  for (const auto& next : newer) {
    if (auto s = check_next_root(trusted, next); !s) return s.error();
    trusted = next.root;
  }
  return trusted;
}

Status verify_release(const SignedManifest& m, const Root& root) {
  return verify_signatures(m, root.release.keys, root.release.threshold);
}

}  // namespace posfleet
