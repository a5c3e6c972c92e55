// The router (fcgi/router.hpp), tested without sockets: a small hand-built table for the
// matching rules, and the real route_table() for the routes the contract names.
#include "router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace nt {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Response dummy(Ctx&) {
  return Response{};
}

const std::vector<Route>& table() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/users", dummy, Auth::kNone, "list"},
      {"POST", "/users", dummy, Auth::kRequired, "create"},
      {"GET", "/users/search", dummy, Auth::kRequired, "search"},
      {"GET", "/users/{user_id}", dummy, Auth::kOptional, "get"},
      {"DELETE", "/users/{user_id}", dummy, Auth::kRequired, "delete"},
      {"GET", "/chats/{chat_id}/messages/{message_id}", dummy, Auth::kRequired, "message"},
      {"POST", "/only-post", dummy, Auth::kNone, "post only"},
      {"GET", "/", dummy, Auth::kNone, "root"},
  };
  return kRoutes;
}

std::string summary_of(const RouteMatch& m) {
  return m.route ? m.route->summary : "<none>";
}

TEST(Router, ExactMatch) {
  const RouteMatch m = match_route(table(), "GET", "/users");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "GET");
  EXPECT_STREQ(m.route->pattern, "/users");
  EXPECT_EQ(summary_of(m), "list");
  EXPECT_THAT(m.params, IsEmpty());
}

TEST(Router, MethodSelectsTheRow) {
  const RouteMatch m = match_route(table(), "POST", "/users");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(summary_of(m), "create");
  EXPECT_EQ(m.route->auth, Auth::kRequired);
}

TEST(Router, RootPath) {
  EXPECT_EQ(summary_of(match_route(table(), "GET", "/")), "root");
  EXPECT_EQ(match_route(table(), "GET", "").route, nullptr);
}

TEST(Router, ParamIsCaptured) {
  const RouteMatch m = match_route(table(), "GET", "/users/8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->pattern, "/users/{user_id}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params.at("user_id"), "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d");
}

TEST(Router, TwoParamsAreCaptured) {
  const RouteMatch m = match_route(table(), "GET", "/chats/12/messages/345");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(summary_of(m), "message");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params.at("chat_id"), "12");
  EXPECT_EQ(m.params.at("message_id"), "345");
}

TEST(Router, ParamNeverSpansSegmentsOrIsEmpty) {
  EXPECT_EQ(match_route(table(), "GET", "/users/a/b").route, nullptr);
  EXPECT_THAT(match_route(table(), "GET", "/users/a/b").allow, IsEmpty());
  EXPECT_EQ(match_route(table(), "GET", "/chats//messages/1").route, nullptr);
  EXPECT_EQ(match_route(table(), "GET", "/chats/1/messages/").route, nullptr);
}

TEST(Router, LiteralBeforeParamWins) {
  const RouteMatch m = match_route(table(), "GET", "/users/search");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->pattern, "/users/search");
  EXPECT_THAT(m.params, IsEmpty());
}

TEST(Router, MethodNotAllowedListsTheAllowedMethods) {
  const RouteMatch m = match_route(table(), "PUT", "/users/abc");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, UnorderedElementsAre("GET", "DELETE", "HEAD"));
}

TEST(Router, MethodNotAllowedOnCollection) {
  const RouteMatch m = match_route(table(), "DELETE", "/users");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, UnorderedElementsAre("GET", "POST", "HEAD"));
}

TEST(Router, AllowHasNoDuplicates) {
  // "/users/search" matches both the literal and the {user_id} GET rows.
  const RouteMatch m = match_route(table(), "POST", "/users/search");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, UnorderedElementsAre("GET", "DELETE", "HEAD"));
}

TEST(Router, HeadIsAnsweredByGet) {
  const RouteMatch m = match_route(table(), "HEAD", "/users/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "GET");
  EXPECT_EQ(m.params.at("user_id"), "abc");
}

TEST(Router, HeadIsNotAllowedWithoutGet) {
  const RouteMatch m = match_route(table(), "HEAD", "/only-post");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, ElementsAre("POST"));
  const RouteMatch g = match_route(table(), "GET", "/only-post");
  EXPECT_EQ(g.route, nullptr);
  EXPECT_THAT(g.allow, ElementsAre("POST"));
}

TEST(Router, UnknownPathIsNotFound) {
  const RouteMatch m = match_route(table(), "GET", "/nothing/here");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, IsEmpty());
  EXPECT_THAT(m.params, IsEmpty());
}

TEST(Router, TrailingSlashDoesNotMatch) {
  RouteMatch m = match_route(table(), "GET", "/users/");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, IsEmpty());
  m = match_route(table(), "GET", "/users/abc/");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, IsEmpty());
}

TEST(Router, MatchingIsCaseSensitive) {
  EXPECT_EQ(match_route(table(), "GET", "/Users").route, nullptr);
  const RouteMatch m = match_route(table(), "get", "/users");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, UnorderedElementsAre("GET", "POST", "HEAD"));
}

TEST(Router, PathWithoutLeadingSlashDoesNotMatch) {
  EXPECT_EQ(match_route(table(), "GET", "users").route, nullptr);
}

// ---------------------------------------------------------------- the real table

TEST(RouteTable, ProfileRequiresAuth) {
  const RouteMatch m = match_route(route_table(), "GET", "/api/v1/profile");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->pattern, "/api/v1/profile");
  EXPECT_EQ(m.route->auth, Auth::kRequired);
  EXPECT_NE(m.route->handler, nullptr);
}

TEST(RouteTable, DeleteProfileIsMethodNotAllowed) {
  const RouteMatch m = match_route(route_table(), "DELETE", "/api/v1/profile");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allow, UnorderedElementsAre("GET", "PUT", "HEAD"));
}

TEST(RouteTable, AccountEndpointsAreOpen) {
  for (const char* path : {"/api/v1/register", "/api/v1/login", "/api/v1/refresh-token"}) {
    const RouteMatch m = match_route(route_table(), "POST", path);
    ASSERT_NE(m.route, nullptr) << path;
    EXPECT_EQ(m.route->auth, Auth::kNone) << path;
  }
  const RouteMatch h = match_route(route_table(), "GET", "/health");
  ASSERT_NE(h.route, nullptr);
  EXPECT_EQ(h.route->auth, Auth::kNone);
}

TEST(RouteTable, UserSearchIsNotAUserId) {
  const RouteMatch m = match_route(route_table(), "GET", "/api/v1/users/search");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->pattern, "/api/v1/users/search");
  const RouteMatch u =
      match_route(route_table(), "GET", "/api/v1/users/8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d");
  ASSERT_NE(u.route, nullptr);
  EXPECT_STREQ(u.route->pattern, "/api/v1/users/{user_id}");
  EXPECT_EQ(u.params.at("user_id"), "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d");
}

TEST(RouteTable, RowsAreWellFormedAndUnique) {
  std::set<std::pair<std::string, std::string>> seen;
  const std::set<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  for (const Route& r : route_table()) {
    EXPECT_TRUE(methods.count(r.method)) << r.method << " " << r.pattern;
    ASSERT_NE(r.pattern, nullptr);
    EXPECT_EQ(r.pattern[0], '/') << r.pattern;
    EXPECT_NE(r.handler, nullptr) << r.pattern;
    EXPECT_TRUE(seen.emplace(r.method, r.pattern).second)
        << "duplicate " << r.method << " " << r.pattern;
    // Every row is reachable: no earlier row shadows it.
    const RouteMatch m = match_route(route_table(), r.method, r.pattern);
    ASSERT_NE(m.route, nullptr) << r.pattern;
    EXPECT_EQ(m.route, &r) << r.method << " " << r.pattern << " is shadowed by "
                           << m.route->pattern;
  }
  EXPECT_FALSE(seen.empty());
}

}  // namespace
}  // namespace nt
