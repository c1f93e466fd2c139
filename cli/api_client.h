// posfleet CLI: calling posfleetd's management API and printing its answers.
// An error answer becomes an Error whose message names what was asked, the
// server's error code and its message, cleaned (output.h) — never the raw body.
// Thread-safety: one thread (the CLI's).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "core/http_client.h"
#include "core/text.h"

namespace posfleet::cli {

// The client for s.server (made once). Refuses an http:// server unless it
// is a loopback address or s.allow_plain_http; pins s.ca_bundle for https://.
Expected<HttpClient*> client(const ServerOptions& s);
// The TLS options client() uses, checked (see client()); errors in the CLI's language.
Expected<TlsClientOptions> transport_options(const ServerOptions& s);
// True for http(s)://127.x.x.x, [::1] and localhost URLs: this machine only.
bool loopback_url(const std::string& url);
// Sends a JSON request; returns the parsed reply or the server's error message.
Expected<boost::json::value> call(const ServerOptions& s, const std::string& method,
                                  const std::string& path, const std::string& what,
                                  const boost::json::value* body = nullptr);
// Calls, then prints the answer: exact JSON with --json, else human(answer).
// There is no default: every command says how a person reads its answer.
Status show(const ServerOptions& s, const std::string& method, const std::string& path,
            const std::string& what, const boost::json::value* body,
            const std::function<void(const boost::json::value&)>& human);
// The error an answer >= 300 stands for: "<what>: <message> [<code>, HTTP <status>]".
Error server_error(const HttpResult& r, const std::string& what);
// A field as text for people: strings as they are, lists joined by commas and
// other values as JSON, cleaned (output.h); "-" for missing, null or empty.
std::string str(const boost::json::value& v, const char* key);
// A true/false field as 是/否 or yes/no.
std::string yes_no(const boost::json::value& v, const char* key);
// A field that holds a UTC time, in local time ("-" for missing or null).
std::string time_of(const boost::json::value& v, const char* key);
// Under a paged list: "1-50 of 120 terminals" ("1-50 / 共 120 台终端"), and the
// --offset of the next page.
void print_page_footer(const boost::json::value& page, std::size_t shown,
                       const std::string& measure_zh, const std::string& noun_zh,
                       const std::string& noun_en);
void print_json(const boost::json::value& v);
// URL-encodes a path segment or a query value (core/text's percent_encode, the one encoder).
// --filter KEY=VALUE options as the server's terminal filter object (deploy, rollout);
// a malformed or repeated key is refused with a clear error.
Expected<boost::json::object> filter_object(const std::vector<std::string>& filters);

inline std::string url_encode(std::string_view s) { return text::percent_encode(s); }

}  // namespace posfleet::cli
