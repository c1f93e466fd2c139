// posfleet CLI: calling posfleetd's management API and printing its answers.
#pragma once

#include <boost/json/value.hpp>

#include <string>

#include "cli/commands.h"
#include "core/http_client.h"

namespace posfleet::cli {

Expected<HttpClient*> client(const ServerOptions& s);
// Sends a JSON request; returns the parsed reply or the server's error message.
Expected<boost::json::value> call(const ServerOptions& s, const std::string& method, const std::string& path,
                                  const std::string& what, const boost::json::value* body = nullptr);
// A field as text for tables: strings as they are, "-" for missing or null.
std::string str(const boost::json::value& v, const char* key);
void print_json(const boost::json::value& v);
// URL-encodes a query value.
std::string url_encode(const std::string& s);

}  // namespace posfleet::cli
