// posfleet CLI: key generation, release creation and offline signing. These
// run on the release manager's machine; the secret key never goes anywhere.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/clock.h"
#include "core/delta/patch.h"
#include "core/fs.h"
#include "core/hashing.h"
#include "core/manifest.h"
#include "core/signing.h"
#include "core/version.h"
#include "core/zchunk/zchunk.h"

namespace posfleet::cli {

namespace fs = std::filesystem;

Status key_generate(const std::string& out_prefix) {
  const std::string key_path = out_prefix + ".key", pub_path = out_prefix + ".pub";
  if (fs::exists(key_path))
    return make_error(
        Code::kConflict,
        key_path + " exists; refusing to overwrite a signing key (choose another --out)");
  auto key = generate_signing_key();
  if (auto parent = fs::path(out_prefix).parent_path(); !parent.empty())
    if (auto s = make_dirs(parent.string()); !s) return s;
  if (auto s = write_file_atomic(key_path, signing_key_json(key), 0600); !s) return s;
  if (auto s = write_file_atomic(pub_path, public_key_json(key.pub)); !s) return s;
  std::cout << say("密钥 ", "key ") << key.pub.key_id << say("\n  私钥：", "\n  secret: ")
            << key_path
            << say("（离线保管，权限 0600）\n  公钥：", " (keep offline, mode 0600)\n  public: ")
            << pub_path
            << say("（交给终端作为受信任的密钥）\n", " (give to terminals as a trusted key)\n");
  return ok_status();
}

namespace {

Expected<SignedManifest> load_manifest(const std::string& dir) {
  auto text = read_file(dir + "/manifest.json");
  if (!text)
    return make_error(Code::kNotFound,
                      "no " + dir + "/manifest.json; run `posfleet release create` first");
  auto sm = SignedManifest::parse(*text);  // refuses what a terminal would refuse (names, versions)
  if (!sm) return sm.error().with_context(dir + "/manifest.json");
  return sm;
}

Status save_manifest(const std::string& dir, const SignedManifest& m) {
  return write_file_atomic(dir + "/manifest.json", m.to_json_text() + "\n");
}

}  // namespace

namespace {

// Where posfleetd serves a zchunk file to any client: by its hash, as a CDN would.
std::string zchunk_path(const std::string& sha256) { return "/zchunk/" + sha256 + ".zck"; }

void print_zchunk(const std::string& file, const zchunk::Info& info, const std::string& sha256) {
  std::cout << "  " << file << "  " << human_size(info.length) << ", " << info.chunks
            << say(" 个块，头部 ", " chunks, header ") << human_size(info.header_length)
            << say("\n  服务器地址：<posfleetd>", "\n  served at <posfleetd>")
            << zchunk_path(sha256) << "\n";
}

// --zchunk NAME=FILE.zck (checked, copied in) or NAME (made of the component's file).
Status attach_zchunk(const std::string& dir, const std::string& spec, Manifest& m) {
  const auto eq = spec.find('=');
  const std::string name = spec.substr(0, eq);
  Component* c = nullptr;
  for (auto& each : m.components)
    if (each.name == name) c = &each;
  if (!c) return make_error(Code::kInvalidArgument, "--zchunk " + name + ": no such component");
  const bool make_it = eq == std::string::npos;
  const std::string given = make_it ? "" : spec.substr(eq + 1);
  const std::string file =
      dir + "/" + (make_it ? c->filename + ".zck" : fs::path(given).filename().string());
  // Made here (and checked whole by make), or given and checked whole before it is copied.
  auto info = make_it ? zchunk::make(dir + "/" + c->filename, file) : zchunk::check(given);
  if (!info) return info.error().with_context("--zchunk " + name);
  std::error_code ec;
  if (!make_it && fs::absolute(given) != fs::absolute(file))
    fs::copy_file(given, file, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return make_error(Code::kIo, "cannot copy " + given + " into " + dir + ": " + ec.message());
  auto d = digest_file(file);
  if (!d) return d.error();
  c->zchunk = ZchunkFile{fs::path(file).filename().string(), d->sha256, d->size};
  if (auto s = check_file_name(c->zchunk->filename); !s) return s.error().with_context("--zchunk");
  print_zchunk(c->zchunk->filename, *info, d->sha256);
  return ok_status();
}

}  // namespace

Status release_zchunk(const std::string& image) {
  const std::string out = image + ".zck";
  auto made = zchunk::make(image, out);
  if (!made) return made.error();
  auto d = digest_file(out);
  if (!d) return d.error();
  print_zchunk(out, *made, d->sha256);
  std::cout << say("  头部：", "  header: ") << out << ".header"
            << say("（放入 .swu，type = \"delta\"，url 为上面的地址；再用 `release create "
                   "--zchunk NAME=",
                   " (pack it in the .swu, type = \"delta\", url the address above; then "
                   "`release create --zchunk NAME=")
            << out << "`)\n";
  return ok_status();
}

Status release_create(const CreateOptions& o) {
  if (auto v = Version::parse(o.version); !v) return v.error();
  if (o.models.empty())
    return make_error(Code::kInvalidArgument, "name at least one hardware model with --model");
  if (o.components.empty())
    return make_error(Code::kInvalidArgument,
                      "add at least one component with --component NAME=FILE, e.g. os=./os.img");
  if (o.expires_days < 1)
    return make_error(Code::kInvalidArgument, "--expires-days must be at least 1");
  SignedManifest sm;
  Manifest& m = sm.manifest;
  m.version = o.version;
  m.models = o.models;
  m.notes_zh = o.notes_zh;
  m.notes_en = o.notes_en;
  m.security = o.security;
  m.rollback = o.rollback;
  if (o.sequence < 0 || o.sequence > Manifest::kMaxSequence)
    return make_error(Code::kInvalidArgument, "--sequence must be from 1 to 2^53-1");
  m.sequence = o.sequence > 0 ? o.sequence : unix_now();
  m.expires = unix_now() + std::int64_t{o.expires_days} * 86400;
  if (!o.expires_at.empty()) {
    auto t = parse_utc(o.expires_at);
    if (!t) return t.error().with_context("--expires");
    m.expires = *t;
    if (m.expires <= unix_now())
      std::cerr << "warning: --expires is in the past; terminals will refuse this release\n";
  }
  if (auto s = make_dirs(o.dir); !s) return s;
  for (const auto& spec : o.components) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(Code::kInvalidArgument,
                        "--component \"" + spec + "\" must be NAME=FILE[@VERSION]");
    Component c;
    c.name = spec.substr(0, eq);
    std::string file = spec.substr(eq + 1);
    c.version = o.version;
    if (auto at = file.rfind('@'); at != std::string::npos && !fs::exists(file)) {
      c.version = file.substr(at + 1);
      file = file.substr(0, at);
    }
    c.filename = fs::path(file).filename().string();
    // The terminal's own rules (core/manifest.h), checked before anything is copied.
    for (auto s : {check_component_name(c.name), check_file_name(c.filename)})
      if (!s)
        return make_error(Code::kInvalidArgument,
                          s.error().message + "; rename it and create the release again");
    if (auto v = Version::parse(c.version); !v)
      return v.error().with_context("--component " + c.name);
    auto d = digest_file(file);
    if (!d) return d.error().with_context("component " + c.name);
    c.sha256 = d->sha256;
    c.length = d->size;
    for (const auto& other : m.components)
      if (other.filename == c.filename || other.name == c.name)
        return make_error(Code::kInvalidArgument,
                          "component names and file names must be unique: " + c.name);
    std::error_code ec;
    const std::string dest = o.dir + "/" + c.filename;
    if (fs::absolute(file) != fs::absolute(dest))
      fs::copy_file(file, dest, fs::copy_options::overwrite_existing, ec);
    if (ec)
      return make_error(Code::kIo, "cannot copy " + file + " into " + o.dir + ": " + ec.message());
    std::cout << "  " << c.name << " " << c.version << "  " << c.filename << "  " << c.length
              << " bytes  sha256 " << c.sha256.substr(0, 16) << "…\n";
    m.components.push_back(std::move(c));
  }
  auto find = [&](const std::string& name) -> Component* {
    for (auto& c : m.components)
      if (c.name == name) return &c;
    return nullptr;
  };
  for (const auto& name : o.mandatory) {
    auto* c = find(name);
    if (!c)
      return make_error(Code::kInvalidArgument, "--mandatory " + name + ": no such component");
    c->mandatory = true;
  }
  for (const auto& spec : o.depends) {
    auto eq = spec.find('=');
    auto* c = eq == std::string::npos ? nullptr : find(spec.substr(0, eq));
    if (!c || !find(spec.substr(eq + 1)))
      return make_error(
          Code::kInvalidArgument,
          "--depends \"" + spec + "\" must be NAME=OTHER with two components of this release");
    c->depends.push_back(spec.substr(eq + 1));
  }
  for (const auto& spec : o.zchunks)
    if (auto s = attach_zchunk(o.dir, spec, m); !s) return s;
  if (auto s = save_manifest(o.dir, sm); !s) return s;
  std::cout << say("版本 ", "release ") << m.version << say("，适用 ", " for ") << m.models.size()
            << say(" 个型号，过期时间 ", " model(s), expires ") << local_time(m.expires)
            << say("，序号 ", ", sequence ") << m.sequence << say("，已写入 ", ", written to ")
            << o.dir
            << say("/manifest.json（未签名：请运行 `posfleet release sign`）\n",
                   "/manifest.json (unsigned: run `posfleet release sign`)\n");
  return ok_status();
}

Status release_sign(const std::string& dir, const std::string& key_file) {
  auto key_text = read_file(key_file);
  if (!key_text) return key_text.error();
  auto key = parse_signing_key(*key_text);
  if (!key) return key.error().with_context(key_file);
  auto sm = load_manifest(dir);
  if (!sm) return sm.error();
  // Sign only what is really in the folder: re-hash every component file.
  for (const auto& c : sm->manifest.components) {
    auto d = digest_file(dir + "/" + c.filename);
    if (!d) return d.error();
    if (d->sha256 != c.sha256 || d->size != c.length)
      return make_error(Code::kHashMismatch,
                        c.filename + " changed since `release create`; create the release again");
  }
  if (unix_now() >= sm->manifest.expires)
    std::cerr << "warning: release " << sm->manifest.version << " expired at "
              << format_utc(sm->manifest.expires) << "; terminals will refuse it\n";
  sm->sign(*key);
  if (auto s = save_manifest(dir, *sm); !s) return s;
  std::cout << say("已用密钥 ", "signed release ")
            << (chinese() ? key->pub.key_id : sm->manifest.version)
            << say(" 签名版本 ", " with key ")
            << (chinese() ? sm->manifest.version : key->pub.key_id) << say("（共 ", " (")
            << sm->signatures.size() << say(" 个签名）\n", " signature(s))\n");
  return ok_status();
}

namespace {

// The patch file's name: the component's, the two versions and ".pfdelta", or (past the
// manifest's 100-byte limit) the patch's own hash.
std::string delta_file_name(const Component& from, const Component& to,
                            const std::string& patch_sha256) {
  std::string name = to.name + "_" + from.version + "_to_" + to.version + ".pfdelta";
  if (!check_file_name(name)) name = patch_sha256.substr(0, 32) + ".pfdelta";
  return name;
}

// A component's file as its manifest pins it, whole: the source or the target of a patch.
Expected<std::string> read_component(const std::string& dir, const Component& c) {
  auto bytes = read_file(dir + "/" + c.filename);
  if (!bytes) return bytes.error();
  if (bytes->size() != c.length || sha256_hex(*bytes) != c.sha256)
    return make_error(Code::kHashMismatch,
                      dir + "/" + c.filename + " is not the file its manifest.json names");
  return bytes;
}

}  // namespace

Status release_delta(const DeltaOptions& o) {
  auto from = load_manifest(o.from_dir);
  if (!from) return from.error();
  auto to = load_manifest(o.to_dir);
  if (!to) return to.error();
  if (from->manifest.version == to->manifest.version)
    return make_error(Code::kInvalidArgument,
                      "--from and --to are the same release " + to->manifest.version);
  int made = 0;
  for (auto& c : to->manifest.components) {
    const Component* old = nullptr;
    for (const auto& f : from->manifest.components)
      if (f.name == c.name) old = &f;
    if (!old) {
      std::cout << "  " << c.name
                << say("：旧版本中没有此组件，跳过\n", ": not in the old release, skipped\n");
      continue;
    }
    if (old->sha256 == c.sha256) {
      std::cout << "  " << c.name << say("：未变化，跳过\n", ": unchanged, skipped\n");
      continue;
    }
    auto source = read_component(o.from_dir, *old);
    if (!source) return source.error();
    auto target = read_component(o.to_dir, c);
    if (!target) return target.error();
    const auto started = std::chrono::steady_clock::now();
    auto patch = delta::make_patch(*source, *target);
    if (!patch) return patch.error().with_context("component " + c.name);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::erase_if(c.deltas, [&](const Delta& d) { return d.from_sha256 == old->sha256; });
    const std::string sha = sha256_hex(*patch);
    const std::string name = delta_file_name(*old, c, sha);
    char figures[96];
    std::snprintf(
        figures, sizeof figures, "%.1f %%, %.2f s",
        c.length ? 100.0 * static_cast<double>(patch->size()) / static_cast<double>(c.length) : 0.0,
        seconds);
    std::cout << "  " << c.name << " " << old->version << " → " << c.version << ": "
              << human_size(patch->size()) << say("，完整文件 ", ", the full file ")
              << human_size(c.length) << " (" << figures << ")";
    // A patch that saves less than a tenth of the download is not worth a terminal's work.
    if (patch->size() * 10 >= c.length * 9) {
      std::cout << say("：节省不足 10%，不使用\n", ": saves under 10 %, not used\n");
      continue;
    }
    if (c.deltas.size() >= Component::kMaxDeltas)
      return make_error(Code::kInvalidArgument,
                        "component " + c.name + " already has " +
                            std::to_string(Component::kMaxDeltas) +
                            " deltas, the most a manifest takes; remove the oldest first");
    if (auto s = write_file_atomic(o.to_dir + "/" + name, *patch); !s) return s;
    c.deltas.push_back(Delta{old->version, old->sha256, name, sha, patch->size()});
    std::cout << "  → " << name << "\n";
    ++made;
  }
  const std::size_t voided = to->signatures.size();
  to->signatures.clear();
  to->received_bytes.clear();
  if (auto s = save_manifest(o.to_dir, *to); !s) return s;
  std::cout << say("已写入 ", "wrote ") << made << say(" 个差分包到 ", " delta(s) into ")
            << o.to_dir << "/manifest.json";
  if (voided > 0)
    std::cout << say("；原有 ", "; its ") << voided
              << say(" 个签名已作废，请重新运行 `posfleet release sign`",
                     " signature(s) no longer covered it and were removed: run `posfleet "
                     "release sign` again");
  else
    std::cout << say("（未签名：请运行 `posfleet release sign`）",
                     " (unsigned: run `posfleet release sign`)");
  std::cout << "\n";
  return ok_status();
}

}  // namespace posfleet::cli
