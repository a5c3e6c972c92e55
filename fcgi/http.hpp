// The request and response as handlers see them: plain structs, no FastCGI types, so the
// router and handlers can be tested without sockets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json.hpp"

namespace nt {

struct Request {
  std::string method;
  std::string path;   // without the query string, percent-decoding not applied
  std::string query;  // raw query string
  std::string body;
  std::string content_type;
  std::string remote_addr;
  std::string request_id;
  std::string host;
  std::string origin;
  std::string authorization;
  std::string accept_language;
  std::string x_language;
  std::string user_agent;
  std::string original_uri;  // set by nginx for auth_request subrequests
  std::string cors_request_method;  // Access-Control-Request-Method of a preflight
  std::map<std::string, std::string> path_params;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool cacheable = false;  // public documents (openapi, languages) may be cached
};

Response json_response(int status, const Json& body);
Response no_content();

// The first value of `name` in a query string, decoded (url_decode, '+' is a space); nullopt
// when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace nt
