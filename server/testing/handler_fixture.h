// posfleet test support: the server's routes in-process, as posfleetd builds
// them (server/routes.h), on a real SQLite store and artifact store in a temp
// dir. A test sends http::Request values through the router and reads the
// http::Response — status and body, the wire contract — never which handler or
// domain function answered, so that refactoring handler internals keeps these
// tests meaningful.
//
// send() does what the listener does once a request's head has passed its own
// checks (Host, media type, body size: e2e/hostile_http_test.py covers those):
// match the route, answer 404/405 when none takes it, run a streamed route's
// BeforeBody, then the handler.
// Thread-safety: one test, one thread.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/json.h"
#include "core/testing/temp_dir.h"
#include "server/domain/context.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/tokens.h"
#include "server/http/router.h"
#include "server/routes.h"
#include "server/store/sqlite/sqlite_store.h"

namespace posfleet::testing {

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::open(dir_.file("posfleet.db"));
    ASSERT_TRUE(store) << store.error().to_string();
    store_ = std::move(*store);
    artifacts_ = std::make_unique<store::ArtifactStore>(dir_.file("artifacts"));
    ASSERT_TRUE(artifacts_->init());
    auto box = domain::SecretBox::open(dir_.file("secret.key"));
    ASSERT_TRUE(box) << box.error().to_string();
    secrets_ = std::make_unique<domain::SecretBox>(std::move(*box));
    sms_ = std::make_unique<domain::OutboxSmsSender>(dir_.file("sms-outbox.jsonl"));
    ctx_ = std::make_unique<domain::Context>(domain::Context{.store = *store_,
                                                             .artifacts = *artifacts_,
                                                             .poll_seconds = 60,
                                                             .data_dir = dir_.path(),
                                                             .sms = sms_.get(),
                                                             .secrets = secrets_.get()});
    ctx_->external_url = "https://fleet.example.com";
    add_all_routes(router_, *ctx_);
  }

  // One request through the router; `path` is already percent-decoded.
  http::Response send(const std::string& method, const std::string& path,
                      const std::string& body = "", std::map<std::string, std::string> headers = {},
                      std::map<std::string, std::string> query = {}) {
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.headers = std::move(headers);
    req.query = std::move(query);
    req.remote = "127.0.0.1";
    auto m = router_.match(req);
    if (!m.handler) return http::unrouted(req, m);
    if (m.before_body)
      if (auto refused = (*m.before_body)(req)) return *refused;
    return (*m.handler)(req);
  }

  // "Bearer <token>" of a new API token with `role`.
  std::string bearer(const std::string& role) {
    const std::string token = domain::new_token();
    auto id = store_->insert_api_token({0, domain::hash_token(token), role + "-token", role, 1});
    EXPECT_TRUE(id) << id.error().to_string();
    return "Bearer " + token;
  }

  // A release stored as publishing leaves it (one 3-byte `os` component for
  // model A920, expiring in a year), without the signing that publishing
  // checks: the handlers under test only read it.
  void add_release(const std::string& version) {
    ASSERT_TRUE(store_->put_artifact({"aa" + version, "s1", "m5", 3}));
    store::ReleaseRecord r{
        0,          version, "{}",
        "A920",     "k",     unix_now() + 365 * 86400,
        unix_now(), false,   {{0, 0, "os", version, "os.img", "aa" + version, 3}}};
    auto id = store_->insert_release(r);
    ASSERT_TRUE(id) << id.error().to_string();
  }

  static boost::json::value body_of(const http::Response& res) {
    auto v = json::parse(res.body);
    EXPECT_TRUE(v) << "not JSON: " << res.body;
    return v ? *v : boost::json::value();
  }
  // The error code of an error body ({"error":{"code":...}}), "" if none.
  static std::string error_code(const http::Response& res) {
    auto v = json::parse(res.body);
    if (!v || !v->is_object()) return "";
    const auto* e = v->get_object().if_contains("error");
    if (!e || !e->is_object()) return "";
    const auto* c = e->get_object().if_contains("code");
    return c && c->is_string() ? std::string(c->get_string()) : "";
  }

  TempDir dir_{"posfleet_handlers"};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::ArtifactStore> artifacts_;
  std::unique_ptr<domain::SecretBox> secrets_;
  std::unique_ptr<domain::OutboxSmsSender> sms_;
  std::unique_ptr<domain::Context> ctx_;
  http::Router router_;
};

}  // namespace posfleet::testing
