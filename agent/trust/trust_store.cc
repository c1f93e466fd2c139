#include "agent/trust/trust_store.h"

#include <boost/json.hpp>

#include "core/json.h"

namespace posfleet::agent {

Expected<std::unique_ptr<TrustStore>> TrustStore::open(Fs& fs, const std::string& dir,
                                                       const std::optional<SignedRoot>& pinned,
                                                       std::vector<PublicKey> keys, int threshold) {
  std::unique_ptr<TrustStore> t(new TrustStore(fs, dir + "/trust.json"));
  t->keys_ = std::move(keys);
  t->threshold_ = threshold;
  if (pinned) {
    if (auto s = check_self_signed(*pinned); !s) return s.error().with_context("pinned root");
    t->root_ = pinned;
  }
  if (!fs.exists(t->path_)) return t;
  auto text = fs.read(t->path_);
  if (!text) return text.error().with_context("trust store");
  auto v = json::parse(*text);
  const auto broken = [&](const std::string& why) {
    return make_error(Code::kParse, "trust store " + t->path_ + " " + why +
                                        "; restore it from a backup or re-provision the "
                                        "terminal (it is never reset silently)");
  };
  if (!v || !v->is_object()) return broken("is not a JSON object");
  const auto& o = v->get_object();
  auto seq = json::get_int(o, "sequence");
  if (!seq || *seq < 0) return broken("has no valid \"sequence\"");
  t->sequence_ = *seq;
  if (auto* r = o.if_contains("root"); r && !r->is_null()) {
    auto saved = SignedRoot::parse(json::serialize(*r));
    if (!saved) return broken("holds a root that does not parse: " + saved.error().message);
    if (auto s = check_self_signed(*saved); !s) return broken("holds a root that is not signed");
    if (!t->root_ || saved->root.version >= t->root_->root.version) t->root_ = std::move(*saved);
  }
  return t;
}

bool TrustStore::has_root() const {
  std::lock_guard lock(mu_);
  return root_.has_value();
}

std::int64_t TrustStore::root_version() const {
  std::lock_guard lock(mu_);
  return root_ ? root_->root.version : 0;
}

std::string TrustStore::root_text() const {
  std::lock_guard lock(mu_);
  return root_ ? root_->to_json_text() : "";
}

std::int64_t TrustStore::highest_sequence() const {
  std::lock_guard lock(mu_);
  return sequence_;
}

Status TrustStore::save_locked(const std::optional<SignedRoot>& root, std::int64_t sequence) {
  boost::json::object o{{"sequence", sequence}, {"root", nullptr}};
  if (root) {
    auto v = json::parse(root->to_json_text());
    if (!v) return v.error();
    o["root"] = std::move(*v);
  }
  return fs_.write_atomic(path_, json::serialize(o));
}

Status TrustStore::accept_root(const SignedRoot& next) {
  std::lock_guard lock(mu_);
  if (!root_)
    return make_error(Code::kRootUntrusted,
                      "this terminal has no pinned root (config \"root\"); it cannot take a new "
                      "one");
  if (auto s = check_next_root(root_->root, next); !s) return s;
  if (auto s = save_locked(next, sequence_); !s) return s;
  root_ = next;
  return ok_status();
}

Status TrustStore::check_locked(const SignedManifest& m, std::int64_t now) const {
  if (root_) {
    if (auto s = verify_release(m, root_->root); !s) return s;
    if (auto s = check_root_fresh(root_->root, now); !s) return s;
  } else if (auto s = verify_signatures(m, keys_, threshold_); !s) {
    return s;
  }
  return check_sequence(m.manifest, sequence_);
}

Status TrustStore::check_release(const SignedManifest& m, std::int64_t now) const {
  std::lock_guard lock(mu_);
  return check_locked(m, now);
}

Status TrustStore::recheck_pending(const SignedManifest& m, std::int64_t now) const {
  std::lock_guard lock(mu_);
  auto s = check_locked(m, now);
  if (s) return s;
  const Code c = s.error().code;
  if (c == Code::kUnknownKey || c == Code::kTooFewSignatures || c == Code::kBadSignature)
    return make_error(Code::kKeyRevoked,
                      "release " + m.manifest.version + " is no longer trusted under root " +
                          std::to_string(root_ ? root_->root.version : 0) + " (" +
                          s.error().message + "); it is dropped, not installed");
  return s;
}

Status TrustStore::record_sequence(std::int64_t sequence) {
  std::lock_guard lock(mu_);
  if (sequence <= sequence_) return ok_status();
  if (auto s = save_locked(root_, sequence); !s) return s;
  sequence_ = sequence;
  return ok_status();
}

}  // namespace posfleet::agent
