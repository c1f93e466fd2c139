#include "server/store/conformance/fixture.h"

namespace posfleet::store::conformance {

void StoreConformance::SetUp() {
  dir_ = std::make_unique<posfleet::testing::TempDir>("posfleet_conformance_" + GetParam().name);
  auto h = GetParam().open(dir_->path());
  ASSERT_TRUE(h) << GetParam().name << ": " << h.error().to_string();
  harness_ = std::move(*h);
}

std::int64_t StoreConformance::terminal(const std::string& serial, const std::string& group,
                                        const std::string& model) {
  TerminalRecord t;
  t.tenant = "DEFAULT";
  t.serial = serial;
  t.model = model;
  t.token_hash = "token-" + serial;
  t.created = 1;
  auto id = store().insert_terminal(t);
  EXPECT_TRUE(id) << serial << ": " << id.error().to_string();
  if (!id) return 0;
  if (!group.empty()) {
    EXPECT_TRUE(store().set_terminal_group(*id, group)) << serial;
  }
  return *id;
}

ReleaseRecord StoreConformance::release(const std::string& version, bool security) {
  const std::string sha = "sha-" + version;
  EXPECT_TRUE(store().put_artifact({sha, "s1-" + version, "m5-" + version, 3}));
  ReleaseRecord r;
  r.version = version;
  r.manifest_json = R"({"version":")" + version + "\"}";
  r.models_csv = "A920";
  r.key_ids_csv = "k1";
  r.expires = 1LL << 40;
  r.created = 1;
  r.security = security;
  r.components = {{0, 0, "os", version, "os.img", sha, 3}};
  auto id = store().insert_release(r);
  EXPECT_TRUE(id) << version << ": " << id.error().to_string();
  return r;
}

std::int64_t StoreConformance::deployment(std::int64_t terminal_id, std::int64_t release_id,
                                          const std::string& status, const std::string& result,
                                          std::int64_t updated) {
  auto id = store().insert_deployment({0, terminal_id, release_id, *parse_deployment_status(status),
                                       *parse_deployment_result(result), "", updated, updated});
  EXPECT_TRUE(id) << id.error().to_string();
  return id ? *id : 0;
}

void StoreConformance::policy(const std::string& scope, const std::string& key,
                              const std::string& patch_json) {
  auto id = store().change_policy(
      {0, scope, key, "{}", patch_json, "test", "console", "test", "applied", 1}, patch_json, true);
  ASSERT_TRUE(id) << scope << ":" << key << ": " << id.error().to_string();
}

std::int64_t StoreConformance::merchant(const std::string& legal_name, const std::string& phone) {
  auto id = store().insert_merchant({0, legal_name, phone, "enc", 1});
  EXPECT_TRUE(id) << legal_name;
  return id ? *id : 0;
}

AuditEntry StoreConformance::audit(const std::string& actor, const std::string& path,
                                   const std::string& target, std::int64_t time,
                                   const std::string& actor_kind) {
  AuditEntry e;
  e.time = time;
  e.actor = actor;
  e.actor_kind = actor_kind;
  e.path = path;
  e.action = "test.action";
  e.target = target;
  auto a = store().append_audit(e);
  EXPECT_TRUE(a) << a.error().to_string();
  return a ? *a : e;
}

}  // namespace posfleet::store::conformance
