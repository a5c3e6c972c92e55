// The pure parts of geofence_service: reading a fence body and deciding, for one fix, which
// fences change state and which events that records.
#include "geofence_service.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nt {
namespace {

// Metres per degree of latitude on the API's sphere.
constexpr double kMetersPerDegree = kEarthRadiusMeters * 3.14159265358979323846 / 180.0;

// A latitude `m` metres north of the equator (distance from (0, 0) along the meridian).
double north(double m) {
  return m / kMetersPerDegree;
}

Json body(std::string_view text) {
  JsonParseError err;
  Json j = parse_json(text, 32, true, &err);
  EXPECT_TRUE(j) << text;
  return j;
}

struct Read {
  FenceFields fields;
  std::vector<std::string> errors;  // "field:code"
};

Read read(std::string_view text, bool create) {
  const Json b = body(text);
  FieldReader f(b);
  Read out{read_fence_fields(f, create), {}};
  try {
    f.done();
  } catch (const ApiError& e) {
    EXPECT_EQ(error_info(e.err()).status, 422);
    for (const FieldError& fe : e.fields()) out.errors.push_back(fe.field + ":" + fe.code);
  }
  return out;
}

using Errors = std::vector<std::string>;

TEST(FenceFields, ReadsACreateBodyAndTrimsTheName) {
  const Read r = read(R"({"name":"  Home\t","center_latitude":48.85,"center_longitude":-2.5,)"
                      R"("radius_meters":150,"notify_on_entry":false})",
                      true);
  EXPECT_EQ(r.errors, Errors{});
  EXPECT_EQ(r.fields.name, "Home");
  EXPECT_DOUBLE_EQ(*r.fields.center_latitude, 48.85);
  EXPECT_DOUBLE_EQ(*r.fields.center_longitude, -2.5);
  EXPECT_EQ(r.fields.radius_meters, 150);
  EXPECT_EQ(r.fields.notify_on_entry, false);
  EXPECT_FALSE(r.fields.notify_on_exit.has_value());  // the caller's default (true) applies
}

TEST(FenceFields, CreateNeedsNameCentreAndRadius) {
  EXPECT_EQ(read("{}", true).errors,
            (Errors{"name:required", "center_latitude:required", "center_longitude:required",
                    "radius_meters:required"}));
  // An update reads only what is there.
  const Read r = read(R"({"radius_meters":10})", false);
  EXPECT_EQ(r.errors, Errors{});
  EXPECT_EQ(r.fields.radius_meters, 10);
  EXPECT_FALSE(r.fields.name || r.fields.center_latitude || r.fields.center_longitude);
}

TEST(FenceFields, RejectsBadValuesWithTheirCodes) {
  EXPECT_EQ(read(R"({"name":" \t "})", false).errors, Errors{"name:too_short"});
  EXPECT_EQ(read(R"({"name":""})", false).errors, Errors{"name:too_short"});
  EXPECT_EQ(read(R"({"name":)" + std::string("\"") + std::string(256, 'x') + "\"}", false).errors,
            Errors{"name:too_long"});
  // 255 characters of three bytes each are still 255 characters.
  std::string kana;
  for (int i = 0; i < 255; ++i) kana += "あ";
  EXPECT_EQ(read(R"({"name":")" + kana + "\"}", false).errors, Errors{});
  EXPECT_EQ(read(R"({"name":5})", false).errors, Errors{"name:invalid_type"});
  EXPECT_EQ(read(R"({"center_latitude":91,"center_longitude":-180.5})", false).errors,
            (Errors{"center_latitude:out_of_range", "center_longitude:out_of_range"}));
  EXPECT_EQ(read(R"({"center_latitude":"48.8","center_longitude":true})", false).errors,
            (Errors{"center_latitude:invalid_type", "center_longitude:invalid_type"}));
  EXPECT_EQ(read(R"({"radius_meters":9})", false).errors, Errors{"radius_meters:out_of_range"});
  EXPECT_EQ(read(R"({"radius_meters":100001})", false).errors,
            Errors{"radius_meters:out_of_range"});
  EXPECT_EQ(read(R"({"radius_meters":10.5})", false).errors, Errors{"radius_meters:invalid_type"});
  EXPECT_EQ(read(R"({"radius_meters":"100"})", false).errors, Errors{"radius_meters:invalid_type"});
  EXPECT_EQ(read(R"({"notify_on_entry":1,"notify_on_exit":"no"})", false).errors,
            (Errors{"notify_on_entry:invalid_type", "notify_on_exit:invalid_type"}));
  EXPECT_EQ(read(R"({"radius_meters":100000,"center_latitude":-90,"center_longitude":180})", false)
                .errors,
            Errors{});
}

FenceInput fence_at_origin(double radius, FenceState state) {
  return {0.0, 0.0, radius, state};
}

TEST(DecideFences, FirstObservationInsideIsAnEntryOutsideIsOnlyAState) {
  const std::vector<FenceInput> fences{fence_at_origin(100, FenceState::kUnknown),
                                       {north(1000), 0.0, 100, FenceState::kUnknown}};
  const auto got = decide_fences(fences, north(50), 0.0, std::nullopt);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].index, 0u);
  EXPECT_EQ(got[0].state, FenceState::kInside);
  EXPECT_EQ(got[0].event, FenceEvent::kEntry);
  EXPECT_EQ(got[1].index, 1u);
  EXPECT_EQ(got[1].state, FenceState::kOutside);
  EXPECT_EQ(got[1].event, FenceEvent::kNone);
}

TEST(DecideFences, UnchangedStatesAreLeftOut) {
  const std::vector<FenceInput> fences{fence_at_origin(100, FenceState::kInside),
                                       {north(5000), 0.0, 100, FenceState::kOutside}};
  EXPECT_TRUE(decide_fences(fences, north(10), 0.0, 5.0).empty());
}

TEST(DecideFences, EntryAndExitAcrossTheEdge) {
  const std::vector<FenceInput> outside{fence_at_origin(100, FenceState::kOutside)};
  auto got = decide_fences(outside, north(99), 0.0, std::nullopt);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event, FenceEvent::kEntry);

  const std::vector<FenceInput> inside{fence_at_origin(100, FenceState::kInside)};
  got = decide_fences(inside, north(101), 0.0, std::nullopt);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].state, FenceState::kOutside);
  EXPECT_EQ(got[0].event, FenceEvent::kExit);
}

TEST(DecideFences, AccuracyHoldsAnEdgeFixInside) {
  const std::vector<FenceInput> inside{fence_at_origin(100, FenceState::kInside)};
  // 20 m past the edge with a 30 m accuracy: not believed to have left.
  EXPECT_TRUE(decide_fences(inside, north(120), 0.0, 30.0).empty());
  // 40 m past: beyond the margin.
  const auto got = decide_fences(inside, north(140), 0.0, 30.0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event, FenceEvent::kExit);
  // A poor fix cannot hold the user inside past the 50 m cap.
  EXPECT_EQ(decide_fences(inside, north(160), 0.0, 5000.0).size(), 1u);
}

TEST(DecideFences, FenceAcrossTheAntimeridian) {
  // A fence centred at 179.9995 E; a fix at 179.9995 W is about 111 m away across the line.
  const std::vector<FenceInput> fences{{0.0, 179.9995, 150, FenceState::kOutside}};
  const auto got = decide_fences(fences, 0.0, -179.9995, std::nullopt);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event, FenceEvent::kEntry);
}

}  // namespace
}  // namespace nt
