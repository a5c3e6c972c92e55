// Request validation (common/validate.hpp) and the strict JSON parser (common/json.hpp).
#include "validate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "json.hpp"

namespace nt {
namespace {

Json parse(std::string_view text, JsonParseError* err, int max_depth = 32,
           bool require_object = true) {
  return parse_json(text, max_depth, require_object, err);
}

Json object(std::string_view text) {
  JsonParseError err;
  Json j = parse(text, &err);
  EXPECT_TRUE(j) << text;
  return j;
}

// ---------------------------------------------------------------- FieldReader

TEST(FieldReader, ReadsValidFields) {
  const Json body = object(R"({"name":"日本語","age":42,"flag":true,"note":null})");
  FieldReader r(body);
  EXPECT_EQ(r.str("name", true, 1, 3), std::optional<std::string>("日本語"));
  EXPECT_EQ(r.integer("age", true, 0, 150), std::optional<int64_t>(42));
  EXPECT_EQ(r.boolean("flag", true), std::optional<bool>(true));
  EXPECT_EQ(r.str("note", false, 0, 10), std::nullopt);
  EXPECT_EQ(r.str("absent", false, 0, 10), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_NO_THROW(r.done());
}

TEST(FieldReader, Has) {
  const Json body = object(R"({"a":1,"b":null,"c":""})");
  FieldReader r(body);
  EXPECT_TRUE(r.has("a"));
  EXPECT_FALSE(r.has("b"));
  EXPECT_TRUE(r.has("c"));
  EXPECT_FALSE(r.has("d"));
}

TEST(FieldReader, CollectsEveryErrorAndDoneThrowsOnce) {
  const Json body = object(
      R"({"username":"","age":"x","flag":3,"email":null,"bio":"abcdef","count":1000,"n":1.5})");
  FieldReader r(body);
  EXPECT_EQ(r.str("username", true, 3, 50), std::nullopt);
  EXPECT_EQ(r.integer("age", true, 0, 150), std::nullopt);
  EXPECT_EQ(r.boolean("flag", true), std::nullopt);
  EXPECT_EQ(r.str("email", true, 3, 255), std::nullopt);
  EXPECT_EQ(r.str("bio", false, 0, 5), std::nullopt);
  EXPECT_EQ(r.integer("count", false, 1, 100), std::nullopt);
  EXPECT_EQ(r.integer("n", false, 0, 10), std::nullopt);
  EXPECT_EQ(r.str("password", true, 8, 72), std::nullopt);
  EXPECT_FALSE(r.ok());
  try {
    r.done();
    FAIL() << "done() did not throw";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.err(), Err::kValidation);
    EXPECT_EQ(error_info(e.err()).status, 422);
    const auto& f = e.fields();
    ASSERT_EQ(f.size(), 8u);
    EXPECT_EQ(f[0].field, "username");
    EXPECT_EQ(f[0].code, "too_short");
    ASSERT_EQ(f[0].args.size(), 1u);
    EXPECT_EQ(f[0].args[0], (std::pair<std::string, std::string>("min", "3")));
    EXPECT_EQ(f[1].field, "age");
    EXPECT_EQ(f[1].code, "invalid_type");
    EXPECT_EQ(f[2].field, "flag");
    EXPECT_EQ(f[2].code, "invalid_type");
    EXPECT_EQ(f[3].field, "email");
    EXPECT_EQ(f[3].code, "required");
    EXPECT_EQ(f[4].field, "bio");
    EXPECT_EQ(f[4].code, "too_long");
    ASSERT_EQ(f[4].args.size(), 1u);
    EXPECT_EQ(f[4].args[0], (std::pair<std::string, std::string>("max", "5")));
    EXPECT_EQ(f[5].field, "count");
    EXPECT_EQ(f[5].code, "out_of_range");
    EXPECT_EQ(f[6].field, "n");
    EXPECT_EQ(f[6].code, "invalid_type");
    EXPECT_EQ(f[7].field, "password");
    EXPECT_EQ(f[7].code, "required");
  }
}

TEST(FieldReader, LengthsAreInCodePoints) {
  const Json body = object(R"({"s":"😀😀😀"})");
  FieldReader ok(body);
  EXPECT_EQ(ok.str("s", true, 3, 3), std::optional<std::string>("😀😀😀"));
  EXPECT_TRUE(ok.ok());
  FieldReader too_long(body);
  EXPECT_EQ(too_long.str("s", true, 0, 2), std::nullopt);
  EXPECT_FALSE(too_long.ok());
}

TEST(FieldReader, IntegerBoundsAreInclusive) {
  const Json body = object(R"({"lo":1,"hi":100,"neg":-1})");
  FieldReader r(body);
  EXPECT_EQ(r.integer("lo", true, 1, 100), std::optional<int64_t>(1));
  EXPECT_EQ(r.integer("hi", true, 1, 100), std::optional<int64_t>(100));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.integer("neg", true, 0, 100), std::nullopt);
  EXPECT_FALSE(r.ok());
}

TEST(FieldReader, NumberReadsIntegersAndReals) {
  const Json body = object(R"({"i":-3,"r":2.5,"e":1e2,"z":-0.0,"n":null})");
  FieldReader r(body);
  EXPECT_EQ(r.number("i", true, -10, 10), std::optional<double>(-3.0));
  EXPECT_EQ(r.number("r", true, -10, 10), std::optional<double>(2.5));
  EXPECT_EQ(r.number("e", true, 0, 100), std::optional<double>(100.0));
  EXPECT_EQ(r.number("z", true, 0, 1), std::optional<double>(0.0));
  EXPECT_EQ(r.number("n", false, 0, 1), std::nullopt);
  EXPECT_EQ(r.number("absent", false, 0, 1), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.error_count(), 0u);
}

TEST(FieldReader, NumberErrors) {
  const Json body = object(
      R"({"s":"1.5","b":false,"a":[1],"o":{},"lo":-0.001,"hi":1e308,"big":9223372036854775807,)"
      R"("n":null})");
  FieldReader r(body);
  for (const char* name : {"s", "b", "a", "o", "lo", "hi", "big", "n", "absent"}) {
    EXPECT_EQ(r.number(name, true, 0, 1000), std::nullopt) << name;
  }
  EXPECT_EQ(r.error_count(), 9u);
  try {
    r.done();
    FAIL() << "done() did not throw";
  } catch (const ApiError& e) {
    const auto& f = e.fields();
    ASSERT_EQ(f.size(), 9u);
    const char* codes[] = {"invalid_type", "invalid_type", "invalid_type",
                           "invalid_type", "out_of_range", "out_of_range",
                           "out_of_range", "required",     "required"};
    for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f[i].code, codes[i]) << f[i].field;
  }
}

TEST(FieldReader, NumberBoundsAreInclusive) {
  const Json body = object(R"({"lo":-90,"hi":90.0,"over":90.0000001})");
  FieldReader r(body);
  EXPECT_EQ(r.number("lo", true, -90, 90), std::optional<double>(-90.0));
  EXPECT_EQ(r.number("hi", true, -90, 90), std::optional<double>(90.0));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.number("over", true, -90, 90), std::nullopt);
  EXPECT_FALSE(r.ok());
}

TEST(FieldReader, AddedErrorsAreReported) {
  const Json body = object("{}");
  FieldReader r(body);
  r.add({"participant_ids", "too_short", {{"min", "1"}}});
  try {
    r.done();
    FAIL() << "done() did not throw";
  } catch (const ApiError& e) {
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].field, "participant_ids");
  }
}

// ---------------------------------------------------------------- parse_json

TEST(ParseJson, AcceptsAnObject) {
  JsonParseError err = JsonParseError::kSyntax;
  const Json j = parse(R"({"a":[1,{"b":"c"}],"d":null})", &err);
  ASSERT_TRUE(j);
  EXPECT_EQ(err, JsonParseError::kNone);
  EXPECT_EQ(j.dump(), R"({"a":[1,{"b":"c"}],"d":null})");
}

TEST(ParseJson, RejectsDuplicateKeys) {
  JsonParseError err;
  EXPECT_FALSE(parse(R"({"a":1,"a":2})", &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
  EXPECT_FALSE(parse(R"({"o":{"x":1,"x":1}})", &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
}

TEST(ParseJson, RejectsDeepNestingWithoutRecursing) {
  JsonParseError err;
  EXPECT_FALSE(parse(std::string(100000, '['), &err));
  EXPECT_EQ(err, JsonParseError::kTooDeep);
  EXPECT_FALSE(parse(std::string(100000, '[') + std::string(100000, ']'), &err, 32, false));
  EXPECT_EQ(err, JsonParseError::kTooDeep);
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  EXPECT_FALSE(parse(objects, &err));
  EXPECT_EQ(err, JsonParseError::kTooDeep);
}

TEST(ParseJson, DepthLimitIsExact) {
  JsonParseError err;
  EXPECT_TRUE(parse("[[[1]]]", &err, 3, false));
  EXPECT_EQ(err, JsonParseError::kNone);
  EXPECT_FALSE(parse("[[[1]]]", &err, 2, false));
  EXPECT_EQ(err, JsonParseError::kTooDeep);
  EXPECT_TRUE(parse(R"({"a":{"b":1}})", &err, 2));
  EXPECT_FALSE(parse(R"({"a":{"b":{}}})", &err, 2));
  EXPECT_EQ(err, JsonParseError::kTooDeep);
  // Siblings do not add up.
  EXPECT_TRUE(parse(R"({"a":[],"b":[],"c":[],"d":[]})", &err, 2));
}

TEST(ParseJson, BracketsInsideStringsDoNotCount) {
  JsonParseError err;
  EXPECT_TRUE(parse(R"({"a":"[[[[[[[[{{{{"})", &err, 1));
  EXPECT_TRUE(parse(R"({"a":"\"[[[[[[\\"})", &err, 1));
  EXPECT_EQ(err, JsonParseError::kNone);
}

TEST(ParseJson, RejectsTrailingGarbage) {
  JsonParseError err;
  for (const char* text : {R"({"a":1} x)", R"({"a":1}{})", R"({"a":1},)", "{} {}"}) {
    EXPECT_FALSE(parse(text, &err)) << text;
    EXPECT_EQ(err, JsonParseError::kSyntax) << text;
  }
  EXPECT_TRUE(parse("{\"a\":1}\n", &err));
}

TEST(ParseJson, RejectsNulInStrings) {
  JsonParseError err;
  EXPECT_FALSE(parse(R"({"a":"x\u0000y"})", &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
  EXPECT_FALSE(parse(R"({"a\u0000b":1})", &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
  EXPECT_FALSE(parse(std::string("{\"a\":\"x\0y\"}", 11), &err));
}

TEST(ParseJson, RejectsInvalidUtf8) {
  JsonParseError err;
  EXPECT_FALSE(parse("{\"a\":\"\xff\"}", &err));
  EXPECT_FALSE(parse("{\"a\":\"\xc3\"}", &err));
  EXPECT_FALSE(parse("{\"a\":\"\xed\xa0\x80\"}", &err));  // UTF-16 surrogate as UTF-8
  EXPECT_TRUE(parse("{\"a\":\"\xc3\xa9\"}", &err));
}

TEST(ParseJson, RejectsSyntaxErrors) {
  JsonParseError err;
  for (const char* text : {"", " ", "{", "{'a':1}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "nul"}) {
    EXPECT_FALSE(parse(text, &err)) << text;
    EXPECT_EQ(err, JsonParseError::kSyntax) << text;
  }
}

TEST(ParseJson, NonObjectWhenRequired) {
  JsonParseError err;
  for (const char* text : {"[1]", "\"s\"", "42", "null", "true"}) {
    EXPECT_FALSE(parse(text, &err, 32, true)) << text;
    EXPECT_EQ(err, JsonParseError::kNotObject) << text;
    EXPECT_TRUE(parse(text, &err, 32, false)) << text;
    EXPECT_EQ(err, JsonParseError::kNone) << text;
  }
}

// ---------------------------------------------------------------- utf8_length, is_uuid

TEST(Utf8Length, CountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("é"), 1u);
  EXPECT_EQ(utf8_length("日本語"), 3u);
  EXPECT_EQ(utf8_length("😀"), 1u);
  EXPECT_EQ(utf8_length("a😀b日"), 4u);
}

TEST(IsUuid, Canonical) {
  EXPECT_TRUE(is_uuid("8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d"));
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_TRUE(is_uuid("8D3C9A52-3F4E-4B7A-9C1D-2E5F6A7B8C9D"));
}

TEST(IsUuid, Rejects) {
  for (const char* s :
       {"", "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9", "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d0",
        "8d3c9a523f4e4b7a9c1d2e5f6a7b8c9d", "8d3c9a52-3f4e-4b7a-9c1d2-e5f6a7b8c9d",
        "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9g", "{8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c}",
        "8d3c9a52_3f4e_4b7a_9c1d_2e5f6a7b8c9d", " 8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9"}) {
    EXPECT_FALSE(is_uuid(s)) << s;
  }
}

}  // namespace
}  // namespace nt
