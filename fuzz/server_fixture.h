// posfleet fuzz targets: the server's routes in-process on a real SQLite store, through the
// handler tests' fixture (server/testing/handler_fixture.h), set up once per fuzzing process:
// an admin API token, terminal PF1 with its DDI token, release 2.0.0 deployed to PF1.
// send_checked() sends a request and checks what every answer must be whatever was sent: not
// a 500 (a hostile body is the client's error, never the server's), and a JSON answer that is
// valid, strictly parsed JSON (no raw bytes echoed).
// Thread-safety: one fuzzing thread.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "core/json.h"
#include "fuzz/fuzz_support.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::fuzz {

class ServerFixture : public testing::HandlerTest {
 public:
  ServerFixture() {
    SetUp();
    // The fixture lives until the process exits (libFuzzer's jobs end with exit()): its
    // temporary directory goes then, or long -fork runs would fill TMPDIR with stores.
    static std::string dir;
    dir = dir_.path();
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
    admin = bearer("admin");
    auto res = send("POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})",
                    {{"authorization", admin}});
    FUZZ_CHECK(res.status == 201, "the fixture's terminal was not registered");
    terminal = "TargetToken " + std::string(body_of(res).at("token").as_string());
    add_release("2.0.0");
    res = send("POST", "/api/v1/deployments", R"({"release":"2.0.0","terminal":"PF1"})",
               {{"authorization", admin}});
    FUZZ_CHECK(res.status == 201, "the fixture's deployment was not made");
    action_id = std::to_string(body_of(res).at("id").as_int64());
  }
  ~ServerFixture() override { TearDown(); }
  void TestBody() override {}

  http::Response send_checked(http::Request req) {
    req.remote = "127.0.0.1";
    auto m = router_.match(req);
    http::Response res;
    std::optional<http::Response> refused;
    if (!m.handler)
      res = http::unrouted(req, m);
    else if (m.before_body && (refused = (*m.before_body)(req)))
      res = *refused;
    else if (m.body == http::BodyKind::kStream)
      res = http::error_response(400, "bad_request", "streamed bodies are not fuzzed here");
    else
      res = (*m.handler)(req);
    FUZZ_CHECK(res.status != 500, "a request was answered 500");
    if (res.content_type == "application/json" && !res.file && !res.body.empty())
      FUZZ_CHECK(json::parse(res.body), "a JSON answer is not valid JSON");
    return res;
  }

  std::string admin, terminal, action_id;
};

}  // namespace posfleet::fuzz
