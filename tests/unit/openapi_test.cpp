// docs/openapi.json against the route table (fcgi/routes.cpp): every public route is
// documented under the same path pattern and method, and nothing is documented that the server
// does not route.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "router.hpp"
#include "test_files.hpp"

namespace nt {
namespace {

const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The document, parsed with jansson directly (OpenAPI schemas nest deeper than request
// bodies may); duplicate keys are an error.
Json load_doc() {
  const std::string text = test::read_file(NERUTALK_DOCS_DIR "/openapi.json");
  json_error_t error;
  return Json::steal(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &error));
}

bool is_public(const Route& r) {
  return std::string(r.pattern).rfind("/internal/", 0) != 0;
}

TEST(OpenApi, DocumentParses) {
  const Json doc = load_doc();
  ASSERT_TRUE(doc) << NERUTALK_DOCS_DIR "/openapi.json is missing or not valid JSON";
  EXPECT_TRUE(json_is_object(doc.get()));
  EXPECT_TRUE(json_is_object(json_object_get(doc.get(), "paths")));
  EXPECT_TRUE(json_is_object(json_object_get(doc.get(), "info")));
}

TEST(OpenApi, VersionIs31) {
  const Json doc = load_doc();
  ASSERT_TRUE(doc);
  const std::string version = test::json_str(doc, "openapi");
  EXPECT_EQ(version.substr(0, 4), "3.1.") << "openapi is \"" << version << "\"";
}

TEST(OpenApi, EveryPublicRouteIsDocumented) {
  const Json doc = load_doc();
  ASSERT_TRUE(doc);
  json_t* paths = json_object_get(doc.get(), "paths");
  ASSERT_TRUE(json_is_object(paths));
  int public_routes = 0;
  for (const Route& r : route_table()) {
    if (!is_public(r)) continue;
    ++public_routes;
    json_t* item = json_object_get(paths, r.pattern);
    EXPECT_TRUE(json_is_object(item)) << "path not documented: " << r.pattern;
    if (!item) continue;
    EXPECT_TRUE(json_is_object(json_object_get(item, lower(r.method).c_str())))
        << "operation not documented: " << r.method << " " << r.pattern;
  }
  EXPECT_GT(public_routes, 0);
}

TEST(OpenApi, InternalRoutesAreNotDocumented) {
  const Json doc = load_doc();
  ASSERT_TRUE(doc);
  json_t* paths = json_object_get(doc.get(), "paths");
  const char* key;
  json_t* item;
  json_object_foreach(paths, key, item) {
    EXPECT_NE(std::string(key).rfind("/internal/", 0), 0u) << key;
  }
}

TEST(OpenApi, EveryDocumentedOperationIsRouted) {
  const Json doc = load_doc();
  ASSERT_TRUE(doc);
  json_t* paths = json_object_get(doc.get(), "paths");
  ASSERT_TRUE(json_is_object(paths));
  std::set<std::pair<std::string, std::string>> routed;
  for (const Route& r : route_table()) routed.emplace(r.method, r.pattern);

  const char* path;
  json_t* item;
  json_object_foreach(paths, path, item) {
    ASSERT_TRUE(json_is_object(item)) << path;
    const char* method;
    json_t* op;
    int operations = 0;
    json_object_foreach(item, method, op) {
      if (!kHttpMethods.count(method)) continue;  // summary, parameters, servers, ...
      ++operations;
      // HEAD is served by the GET row of the same path.
      const std::string m = std::string(method) == "head" ? "GET" : upper(method);
      EXPECT_TRUE(routed.count({m, path}))
          << "documented but not routed: " << upper(method) << " " << path;
    }
    EXPECT_GT(operations, 0) << "path without operations: " << path;
  }
}

TEST(OpenApi, DocumentedPathParametersMatchThePattern) {
  // Each {name} of a documented path is declared as an "in": "path" parameter, either on the
  // path item or on the operation.
  const Json doc = load_doc();
  ASSERT_TRUE(doc);
  json_t* paths = json_object_get(doc.get(), "paths");
  const char* path;
  json_t* item;
  json_object_foreach(paths, path, item) {
    std::set<std::string> in_pattern;
    const std::string p = path;
    for (size_t open = p.find('{'); open != std::string::npos; open = p.find('{', open + 1)) {
      const size_t close = p.find('}', open);
      if (close == std::string::npos) break;
      in_pattern.insert(p.substr(open + 1, close - open - 1));
    }
    const char* method;
    json_t* op;
    json_object_foreach(item, method, op) {
      if (!kHttpMethods.count(method)) continue;
      std::set<std::string> declared;
      for (json_t* params :
           {json_object_get(item, "parameters"), json_object_get(op, "parameters")}) {
        for (size_t i = 0; params && i < json_array_size(params); ++i) {
          const Json prm = Json::borrow(json_array_get(params, i));
          if (test::json_str(prm, "in") == "path") declared.insert(test::json_str(prm, "name"));
          // A $ref'd parameter is resolved under components/parameters.
          const std::string ref = test::json_str(prm, "$ref");
          const std::string prefix = "#/components/parameters/";
          if (ref.rfind(prefix, 0) == 0) {
            const Json target =
                doc.at("components").at("parameters").at(ref.substr(prefix.size()).c_str());
            if (test::json_str(target, "in") == "path") {
              declared.insert(test::json_str(target, "name"));
            }
          }
        }
      }
      EXPECT_EQ(declared, in_pattern) << method << " " << path;
    }
  }
}

}  // namespace
}  // namespace nt
