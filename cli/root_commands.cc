// posfleet CLI: the root of trust (docs/formats/root.md). `root init` makes the
// first root and its keys, `root next` the unsigned next version, `root sign`
// adds one signature (threshold signing: each root key holder signs on their
// own machine), `root publish` uploads a signed root to posfleetd, which takes
// it only if it chains from its current root.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/root.h"

namespace posfleet::cli {

namespace fs = std::filesystem;

namespace {

Expected<SignedRoot> load_root(const std::string& file) {
  auto text = read_file(file);
  if (!text) return text.error();
  auto r = SignedRoot::parse(*text);
  if (!r) return r.error().with_context(file);
  return r;
}

Status save_root(const std::string& file, const SignedRoot& r) {
  return write_file_atomic(file, r.to_json_text() + "\n");
}

Expected<std::vector<PublicKey>> load_public_keys(const std::vector<std::string>& files) {
  std::vector<PublicKey> keys;
  for (const auto& f : files) {
    auto text = read_file(f);
    if (!text) return text.error();
    auto k = parse_public_key(*text);
    if (!k) return k.error().with_context(f);
    keys.push_back(*k);
  }
  return keys;
}

Status check_counts(int keys, int threshold, const char* what) {
  if (keys < 1 || keys > static_cast<int>(Root::kMaxKeys) || threshold < 1 || threshold > keys)
    return make_error(Code::kInvalidArgument,
                      std::string(what) + ": 1 to " + std::to_string(Root::kMaxKeys) +
                          " keys and a threshold from 1 to the number of keys");
  return ok_status();
}

void describe(const SignedRoot& r) {
  std::cout << say("根文档版本 ", "root version ") << r.root.version
            << say("，过期时间 ", ", expires ") << local_time(r.root.expires)
            << say("\n  根密钥 ", "\n  root keys ") << r.root.root.threshold << "/"
            << r.root.root.keys.size() << ":";
  for (const auto& k : r.root.root.keys) std::cout << " " << k.key_id;
  std::cout << say("\n  发布密钥 ", "\n  release keys ") << r.root.release.threshold << "/"
            << r.root.release.keys.size() << ":";
  for (const auto& k : r.root.release.keys) std::cout << " " << k.key_id;
  std::cout << say("\n  签名 ", "\n  signatures ") << r.signatures.size() << "\n";
}

}  // namespace

Status root_init(const RootInitOptions& o) {
  if (auto s = check_counts(o.root_keys, o.root_threshold, "--root-keys/--root-threshold"); !s)
    return s;
  if (auto s =
          check_counts(o.release_keys, o.release_threshold, "--release-keys/--release-threshold");
      !s)
    return s;
  if (o.expires_days < 1)
    return make_error(Code::kInvalidArgument, "--expires-days must be at least 1");
  const std::string root_file = o.dir + "/root.json";
  if (fs::exists(root_file))
    return make_error(Code::kConflict,
                      root_file + " exists; refusing to replace a root (choose another --dir)");
  if (auto s = make_dirs(o.dir); !s) return s;
  SignedRoot r;
  r.root.version = 1;
  r.root.expires = unix_now() + std::int64_t{o.expires_days} * 86400;
  r.root.root.threshold = o.root_threshold;
  r.root.release.threshold = o.release_threshold;
  std::vector<SigningKey> root_keys;
  for (int i = 1; i <= o.root_keys; ++i) {
    const std::string prefix = o.dir + "/root-key-" + std::to_string(i);
    if (auto s = key_generate(prefix); !s) return s;
    auto k = read_file(prefix + ".key");
    if (!k) return k.error();
    auto key = parse_signing_key(*k);
    if (!key) return key.error();
    root_keys.push_back(*key);
    r.root.root.keys.push_back(key->pub);
  }
  for (int i = 1; i <= o.release_keys; ++i) {
    const std::string prefix = o.dir + "/release-key-" + std::to_string(i);
    if (auto s = key_generate(prefix); !s) return s;
    auto p = load_public_keys({prefix + ".pub"});
    if (!p) return p.error();
    r.root.release.keys.push_back(p->front());
  }
  for (const auto& k : root_keys) r.sign(k);
  if (auto s = save_root(root_file, r); !s) return s;
  describe(r);
  std::cout << say("已写入 ", "written to ") << root_file
            << say("：作为终端配置中的 \"root\"；根私钥请分开离线保管\n",
                   ": give it to terminals as their config's \"root\"; keep each root key "
                   "offline, apart\n");
  return ok_status();
}

Status root_next(const RootNextOptions& o) {
  auto cur = load_root(o.from);
  if (!cur) return cur.error();
  SignedRoot next;
  next.root = cur->root;
  next.root.version = cur->root.version + 1;
  next.root.expires = unix_now() + std::int64_t{std::max(1, o.expires_days)} * 86400;
  if (!o.root_keys.empty()) {
    auto k = load_public_keys(o.root_keys);
    if (!k) return k.error();
    next.root.root.keys = *k;
  }
  if (!o.release_keys.empty()) {
    auto k = load_public_keys(o.release_keys);
    if (!k) return k.error();
    next.root.release.keys = *k;
  }
  auto pick = [](int asked, int had, std::size_t keys) {
    return asked > 0 ? asked : std::min<int>(had, static_cast<int>(keys));
  };
  next.root.root.threshold =
      pick(o.root_threshold, cur->root.root.threshold, next.root.root.keys.size());
  next.root.release.threshold =
      pick(o.release_threshold, cur->root.release.threshold, next.root.release.keys.size());
  // Parse what we would write: the same strict rules a terminal applies.
  if (auto back = SignedRoot::parse(next.to_json_text()); !back) return back.error();
  if (fs::exists(o.out))
    return make_error(Code::kConflict, o.out + " exists; refusing to overwrite it");
  if (auto s = save_root(o.out, next); !s) return s;
  describe(next);
  std::cout << say("未签名：需要旧根文档和新根文档各自阈值数量的根密钥签名（posfleet root sign）\n",
                   "unsigned: it needs signatures of a threshold of the old root's root keys "
                   "and of its own (posfleet root sign)\n");
  return ok_status();
}

Status root_sign(const std::string& file, const std::string& key_file) {
  auto key_text = read_file(key_file);
  if (!key_text) return key_text.error();
  auto key = parse_signing_key(*key_text);
  if (!key) return key.error().with_context(key_file);
  auto r = load_root(file);
  if (!r) return r.error();
  if (unix_now() >= r->root.expires)
    std::cerr << "warning: root " << r->root.version << " expired at "
              << format_utc(r->root.expires) << "\n";
  r->sign(*key);
  if (auto s = save_root(file, *r); !s) return s;
  describe(*r);
  std::cout << say("自身根密钥签名：", "its own root keys: ")
            << (check_self_signed(*r) ? say("已达到阈值\n", "threshold met\n")
                                      : say("尚未达到阈值\n", "below threshold\n"));
  return ok_status();
}

Status root_publish(const ServerOptions& s, const std::string& file) {
  auto r = load_root(file);
  if (!r) return r.error();
  if (auto ok = check_self_signed(*r); !ok) return ok;
  auto text = read_file(file);
  if (!text) return text.error();
  auto c = client(s);
  if (!c) return c.error();
  auto res = (*c)->request("POST", "/api/v1/roots", *text);
  if (!res) return res.error();
  if (res->status >= 300) return server_error(*res, say("发布根文档", "publish root"));
  if (s.json) {
    std::cout << res->body << "\n";
    return ok_status();
  }
  std::cout << say("已发布根文档版本 ", "published root version ") << r->root.version
            << say("；终端在下次轮询时更新\n", "; terminals take it at their next poll\n");
  return ok_status();
}

}  // namespace posfleet::cli
