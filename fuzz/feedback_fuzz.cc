// Fuzz target: what a terminal sends the server over DDI (server/ddi/ddi_api.cc), through the
// real router on a real SQLite store — deployment, confirmation and cancel feedback, configData,
// the posfleet policy change and support ticket. The first line names the resource and,
// optionally, the action id ("feedback", "confirmation 7", "configData", "policy", "ticket",
// "cancel"); the rest is the body. Every answer must be a client error or success, never a 500,
// and valid JSON.
#include <string>

#include "fuzz/fuzz_support.h"
#include "fuzz/server_fixture.h"

using namespace posfleet;

namespace {
fuzz::ServerFixture* server = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  server = new fuzz::ServerFixture();  // lives as long as the process: libFuzzer never returns
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  auto [line, body] = fuzz::split_first_line(fuzz::as_text(data, size));
  std::string resource(line), action = server->action_id;
  if (auto sp = line.find(' '); sp != std::string_view::npos) {
    resource = std::string(line.substr(0, sp));
    action = std::string(line.substr(sp + 1));
  }
  const std::string base = "/DEFAULT/controller/v1/PF1";
  http::Request req;
  req.headers = {{"authorization", server->terminal}, {"content-type", "application/json"}};
  req.body = std::string(body);
  if (resource == "confirmation") {
    req.method = "POST", req.path = base + "/confirmationBase/" + action + "/feedback";
  } else if (resource == "cancel") {
    req.method = "POST", req.path = base + "/cancelAction/" + action + "/feedback";
  } else if (resource == "configData") {
    req.method = "PUT", req.path = base + "/configData";
  } else if (resource == "policy") {
    req.method = "PUT", req.path = base + "/posfleet/policy";
  } else if (resource == "ticket") {
    req.method = "POST", req.path = base + "/posfleet/tickets";
  } else {
    req.method = "POST", req.path = base + "/deploymentBase/" + action + "/feedback";
  }
  (void)server->send_checked(std::move(req));
  return 0;
}
