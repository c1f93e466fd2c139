// How the management API parses what a caller sends, at the router: bodies
// that are not JSON objects, fields of the wrong type, values past their
// limits (core/limits.h), query text that is not valid UTF-8. Every refusal is
// a 400 (or 404 for an id that names nothing) with the error code the CLI and
// the console read, and nothing is written. Table-driven: one row per request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/limits.h"
#include "server/testing/handler_fixture.h"

namespace posfleet::api {
namespace {

struct Row {
  const char* what;
  std::string method, path, body;
  std::map<std::string, std::string> query;
  int status;
  std::string code;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.what; }

class RequestParsingTest : public testing::HandlerTest, public ::testing::WithParamInterface<Row> {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    admin_ = bearer("admin");
    add_release("2.0.0");
    auto res = send("POST", "/api/v1/terminals", R"({"serial":"PF1","model":"A920"})",
                    {{"authorization", admin_}});
    ASSERT_EQ(res.status, 201) << res.body;
  }
  // What a refused request must not have changed.
  std::string state() {
    std::string out;
    for (const char* path : {"/api/v1/terminals", "/api/v1/deployments", "/api/v1/terminals/PF1"})
      out += send("GET", path, "", {{"authorization", admin_}}).body;
    auto tokens = store_->count_api_tokens();  // the list shows when each was last used
    return out + (tokens ? std::to_string(*tokens) : tokens.error().to_string());
  }
  std::string admin_;
};

TEST_P(RequestParsingTest, RefusesWithTheDocumentedStatusAndCode) {
  const Row& row = GetParam();
  const std::string before = state();
  auto res = send(row.method, row.path, row.body, {{"authorization", admin_}}, row.query);
  EXPECT_EQ(res.status, row.status) << res.body;
  EXPECT_EQ(error_code(res), row.code) << res.body;
  // The message never quotes refused bytes raw: the answer is valid JSON.
  EXPECT_TRUE(json::parse(res.body)) << res.body;
  EXPECT_EQ(state(), before) << "a refused request changed something";
}

const std::string kLong = std::string(limits::kReasonChars + 1, 'r');
const std::string kLongModel = std::string(limits::kModelChars + 1, 'm');

INSTANTIATE_TEST_SUITE_P(
    Bodies, RequestParsingTest,
    ::testing::Values(Row{"not JSON", "POST", "/api/v1/terminals", "{", {}, 400, "parse"},
                      Row{"empty body", "POST", "/api/v1/terminals", "", {}, 400, "parse"},
                      Row{"an array", "POST", "/api/v1/terminals", "[]", {}, 400, "parse"},
                      Row{"a string", "POST", "/api/v1/deployments", R"("PF1")", {}, 400, "parse"},
                      Row{"trailing comma",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":"PF2",})",
                          {},
                          400,
                          "parse"},
                      Row{"invalid UTF-8 in the body",
                          "POST",
                          "/api/v1/terminals",
                          "{\"serial\":\"PF\xff\",\"model\":\"A920\"}",
                          {},
                          400,
                          "parse"},
                      Row{"a NUL in a string",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":"PF2","model":"A\u0000920"})",
                          {},
                          400,
                          "parse"},
                      Row{"serial of the wrong type",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":5,"model":"A920"})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"model of the wrong type",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":"PF2","model":["A920"]})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"serial with a slash",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":"PF/2","model":"A920"})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"serial past 64",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":")" + std::string(65, 'S') + R"(","model":"A920"})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"model past its limit",
                          "POST",
                          "/api/v1/terminals",
                          R"({"serial":"PF2","model":")" + kLongModel + R"("})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"a release version that is a number",
                          "POST",
                          "/api/v1/deployments",
                          R"({"release":2,"terminal":"PF1"})",
                          {},
                          400,
                          "parse"},
                      Row{"deployment reason past its limit",
                          "POST",
                          "/api/v1/deployments",
                          R"({"release":"2.0.0","terminal":"PF1","reason":")" + kLong + R"("})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"retire without a reason",
                          "POST",
                          "/api/v1/terminals/PF1/retire",
                          "{}",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"retire reason past its limit",
                          "POST",
                          "/api/v1/terminals/PF1/retire",
                          R"({"reason":")" + kLong + R"("})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"token of an unknown role",
                          "POST",
                          "/api/v1/tokens",
                          R"({"name":"ci","role":"root"})",
                          {},
                          400,
                          "invalid_argument"},
                      Row{"token role of the wrong type",
                          "POST",
                          "/api/v1/tokens",
                          R"({"name":"ci","role":true})",
                          {},
                          400,
                          "invalid_argument"}));

INSTANTIATE_TEST_SUITE_P(Queries, RequestParsingTest,
                         ::testing::Values(Row{"limit past 1000",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"limit", "1001"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"limit zero",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"limit", "0"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"limit not a number",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"limit", "ten"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"negative offset",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"offset", "-1"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"huge offset",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"offset", "99999999999999999999"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"unknown status",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"status", "done"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"unknown result",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"result", "ok"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"unknown terminal",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"terminal", "NOPE"}},
                                               404,
                                               "not_found"},
                                           Row{"invalid UTF-8 in a value",
                                               "GET",
                                               "/api/v1/deployments",
                                               "",
                                               {{"status", "\xff"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"after and before at once",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"after", "PF1"}, {"before", "PF9"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"after that is no serial",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"after", "PF 1';--"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"before longer than a serial",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"before", std::string(65, 'A')}},
                                               400,
                                               "invalid_argument"},
                                           Row{"invalid UTF-8 in a name",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"q\xc3", "x"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"a control character in a search",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"q", std::string("P\0F", 3)}},
                                               400,
                                               "invalid_argument"},
                                           Row{"a query value past its limit",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"model",
                                                 std::string(limits::kQueryValueChars + 1, 'm')}},
                                               400,
                                               "invalid_argument"},
                                           Row{"terminal list limit past its bound",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"limit", "1001"}},
                                               400,
                                               "invalid_argument"},
                                           Row{"terminal list mode unknown",
                                               "GET",
                                               "/api/v1/terminals",
                                               "",
                                               {{"mode", "sometimes"}},
                                               400,
                                               "invalid_argument"}));

INSTANTIATE_TEST_SUITE_P(
    Ids, RequestParsingTest,
    ::testing::Values(
        Row{"deployment id not a number",
            "GET",
            "/api/v1/deployments/abc",
            "",
            {},
            404,
            "not_found"},
        Row{"deployment id zero", "GET", "/api/v1/deployments/0", "", {}, 404, "not_found"},
        Row{"deployment id with a suffix",
            "GET",
            "/api/v1/deployments/1x",
            "",
            {},
            404,
            "not_found"},
        Row{"unknown deployment", "GET", "/api/v1/deployments/999", "", {}, 404, "not_found"},
        Row{"invalid UTF-8 in a path segment",
            "GET",
            "/api/v1/terminals/PF\xff",
            "",
            {},
            400,
            "invalid_argument"},
        Row{"unknown release", "GET", "/api/v1/releases/9.9.9", "", {}, 404, "not_found"},
        Row{"unknown terminal", "GET", "/api/v1/terminals/NOPE", "", {}, 404, "not_found"}));

}  // namespace
}  // namespace posfleet::api
