// posfleet CLI: commands that talk to posfleetd's management API (/api/v1).
#include <boost/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/manifest.h"
#include "cli/api_client.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_deployment(const bj::value& d) {
  std::cout << "deployment " << str(d, "id") << ": release " << str(d, "release") << " to " << str(d, "terminal")
            << "\n  status " << str(d, "status") << ", result " << str(d, "result");
  if (auto m = str(d, "message"); !m.empty() && m != "-") std::cout << ", " << m;
  std::cout << "\n";
  if (auto* h = d.get_object().if_contains("history"); h && h->is_array())
    for (const auto& e : h->get_array()) {
      std::cout << "  " << str(e, "time") << "  " << str(e, "execution") << "/" << str(e, "result");
      if (auto* details = e.get_object().if_contains("details"); details && details->is_array())
        for (const auto& line : details->get_array())
          if (line.is_string()) std::cout << "  " << std::string(line.get_string());
      std::cout << "\n";
    }
}

}  // namespace

Status release_publish(const ServerOptions& s, const std::string& dir) {
  auto text = read_file(dir + "/manifest.json");
  if (!text) return make_error(Code::kNotFound, "no " + dir + "/manifest.json; run `posfleet release create` first");
  auto sm = SignedManifest::parse(*text);
  if (!sm) return sm.error();
  if (sm->signatures.empty()) return make_error(Code::kInvalidArgument, "release is not signed; run `posfleet release sign`");
  auto c = client(s);
  if (!c) return c.error();
  for (const auto& comp : sm->manifest.components) {
    const std::string path = "/api/v1/artifacts/" + comp.sha256;
    auto have = (*c)->request("GET", path);
    if (!have) return have.error();
    if (have->status == 200) {
      std::cout << "  " << comp.filename << ": already on the server\n";
      continue;
    }
    std::cout << "  " << comp.filename << ": uploading " << comp.length << " bytes…" << std::flush;
    auto up = (*c)->put_file(path, dir + "/" + comp.filename);
    if (!up) return up.error();
    if (up->status >= 300) return http_error(*up, "upload " + comp.filename);
    std::cout << " done\n";
  }
  auto r = (*c)->request("POST", "/api/v1/releases", *text);
  if (!r) return r.error();
  if (r->status >= 300) return http_error(*r, "publish release " + sm->manifest.version);
  if (s.json)
    std::cout << r->body << "\n";
  else
    std::cout << "published release " << sm->manifest.version << "\n";
  return ok_status();
}

Status release_list(const ServerOptions& s) {
  auto v = call(s, "GET", "/api/v1/releases", "list releases");
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  for (const auto& r : v->at("releases").as_array())
    std::cout << str(r, "version") << "  models " << str(r, "models") << "  expires " << str(r, "expires")
              << (r.at("security").as_bool() ? "  security" : "") << "\n";
  return ok_status();
}

Status terminal_register(const ServerOptions& s, const std::string& serial, const std::string& model) {
  bj::value body = bj::object{{"serial", serial}, {"model", model}};
  auto v = call(s, "POST", "/api/v1/terminals", "register terminal " + serial, &body);
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  std::cout << "registered terminal " << serial << " (" << model << ")\n  DDI token (shown once): "
            << str(*v, "token") << "\n";
  return ok_status();
}

Status terminal_show(const ServerOptions& s, const std::string& serial) {
  auto v = call(s, "GET", "/api/v1/terminals/" + serial, "terminal " + serial);
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  std::cout << "terminal " << serial << " (" << str(*v, "model") << ")\n  version   " << str(*v, "installed_version")
            << "\n  last seen " << str(*v, "last_seen") << "\n";
  if (!v->at("retired").is_null())
    std::cout << "  RETIRED   " << str(*v, "retired") << " (" << str(*v, "retired_reason")
              << "): its token is refused; register it again to bring it back\n";
  for (const auto& d : v->at("deployments").as_array())
    std::cout << "  deployment " << str(d, "id") << "  " << str(d, "release") << "  " << str(d, "status") << "/"
              << str(d, "result") << "  " << str(d, "message") << "\n";
  return ok_status();
}

Status terminal_list(const ServerOptions& s) {
  auto v = call(s, "GET", "/api/v1/terminals?limit=1000", "list terminals");
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  for (const auto& t : v->at("terminals").as_array())
    std::cout << str(t, "serial") << "  " << str(t, "model") << "  " << str(t, "installed_version") << "  "
              << str(t, "last_seen") << (t.at("retired").is_null() ? "" : "  retired") << "\n";
  return ok_status();
}

Status deploy(const ServerOptions& s, const std::string& release, const std::string& terminal) {
  bj::value body = bj::object{{"release", release}, {"terminal", terminal}};
  auto v = call(s, "POST", "/api/v1/deployments", "deploy " + release + " to " + terminal, &body);
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  print_deployment(*v);
  return ok_status();
}

Status deployment_show(const ServerOptions& s, const std::string& id) {
  auto v = call(s, "GET", "/api/v1/deployments/" + id, "deployment " + id);
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  print_deployment(*v);
  return ok_status();
}

Status deployment_cancel(const ServerOptions& s, const std::string& id) {
  auto v = call(s, "POST", "/api/v1/deployments/" + id + "/cancel", "cancel deployment " + id);
  if (!v) return v.error();
  if (s.json) return print_json(*v), ok_status();
  print_deployment(*v);
  return ok_status();
}

}  // namespace posfleet::cli
