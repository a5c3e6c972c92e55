// Nearby search without a database (common/location_nearby.hpp): the query parameters of
// GET /location/nearby and the exact filter, order and limit applied to the index's candidates.
#include "location_nearby.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "geo.hpp"

namespace nt {
namespace {

using Opt = std::optional<std::string>;
using Codes = std::vector<std::pair<std::string, std::string>>;

// The (field, code) pairs of the 422 that parsing throws; fails the test when it does not.
Codes errors_of(const Opt& radius, const Opt& lat, const Opt& lon) {
  try {
    parse_nearby_query(radius, lat, lon, 50);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.err(), Err::kValidation);
    Codes out;
    for (const FieldError& f : e.fields()) out.emplace_back(f.field, f.code);
    return out;
  }
  ADD_FAILURE() << "no 422";
  return {};
}

TEST(NearbyQuery, DefaultsAndValidValues) {
  const NearbyQuery d = parse_nearby_query(std::nullopt, std::nullopt, std::nullopt, 20);
  EXPECT_EQ(d.radius_m, 1000);
  EXPECT_EQ(d.limit, 20);
  EXPECT_FALSE(d.latitude.has_value());
  EXPECT_FALSE(d.longitude.has_value());

  const NearbyQuery q = parse_nearby_query("50000", "-6.2088", "106.8456", 50);
  EXPECT_EQ(q.radius_m, 50000);
  EXPECT_DOUBLE_EQ(*q.latitude, -6.2088);
  EXPECT_DOUBLE_EQ(*q.longitude, 106.8456);
  EXPECT_EQ(parse_nearby_query("1", "90", "-180", 50).radius_m, 1);
  EXPECT_DOUBLE_EQ(*parse_nearby_query("1", "-90", "180", 50).latitude, -90.0);
}

TEST(NearbyQuery, RadiusMustBeAnIntegerFrom1To50000) {
  for (const char* bad : {"0", "50001", "-1", "99999999999999999999999"}) {
    EXPECT_EQ(errors_of(bad, std::nullopt, std::nullopt),
              (Codes{{"radius_meters", "out_of_range"}}))
        << bad;
  }
  for (const char* bad : {"abc", "", "1.5", "1e3", "-", " 10", "10m", "0x10"}) {
    EXPECT_EQ(errors_of(bad, std::nullopt, std::nullopt),
              (Codes{{"radius_meters", "invalid_type"}}))
        << bad;
  }
}

TEST(NearbyQuery, CentreNeedsBothCoordinatesInRange) {
  EXPECT_EQ(errors_of(std::nullopt, "91", "0"), (Codes{{"latitude", "out_of_range"}}));
  EXPECT_EQ(errors_of(std::nullopt, "0", "-180.5"), (Codes{{"longitude", "out_of_range"}}));
  EXPECT_EQ(errors_of(std::nullopt, "1e999", "0"), (Codes{{"latitude", "out_of_range"}}));
  for (const char* bad : {"abc", "nan", "inf", "0x1p3", ""}) {
    EXPECT_EQ(errors_of(std::nullopt, bad, "0"), (Codes{{"latitude", "invalid_type"}})) << bad;
  }
  EXPECT_EQ(errors_of(std::nullopt, std::nullopt, "10"), (Codes{{"latitude", "required"}}));
  EXPECT_EQ(errors_of(std::nullopt, "10", std::nullopt), (Codes{{"longitude", "required"}}));
  // Every problem in one answer.
  EXPECT_EQ(errors_of("0", "x", std::nullopt), (Codes{{"radius_meters", "out_of_range"},
                                                      {"latitude", "invalid_type"},
                                                      {"longitude", "required"}}));
}

// The point `meters` due north of (lat, lon): one degree of latitude is π·R/180 metres.
std::pair<double, double> north(double lat, double lon, double meters) {
  return {lat + meters / (kEarthRadiusMeters * 3.14159265358979323846 / 180.0), lon};
}

TEST(RankNearby, KeepsTheCircleNearestFirstAndCuts) {
  const double lat = -6.2, lon = 106.8;
  std::vector<NearbyCandidate> c;
  const auto add = [&](const std::string& id, std::pair<double, double> p) {
    c.push_back({id, p.first, p.second});
  };
  add("far", north(lat, lon, 1500));  // in the box of a larger search only
  add("b", north(lat, lon, 500));
  add("a", north(lat, lon, 100));
  add("edge", north(lat, lon, 999.99));
  add("corner", {lat + 0.0089, lon + 0.0089});  // inside the box, ~1.4 km away: not in the circle
  const std::vector<NearbyHit> hits = rank_nearby(c, lat, lon, 1000, 10);
  std::vector<std::string> ids;
  for (const NearbyHit& h : hits) ids.push_back(c[h.index].user_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "edge"}));
  EXPECT_NEAR(hits[0].distance_m, 100, 1e-6);
  EXPECT_NEAR(hits[1].distance_m, 500, 1e-6);
  EXPECT_NEAR(hits[2].distance_m, 999.99, 1e-6);

  const std::vector<NearbyHit> two = rank_nearby(c, lat, lon, 1000, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(c[two[1].index].user_id, "b");
  EXPECT_TRUE(rank_nearby(c, lat, lon, 1000, 0).empty());
  EXPECT_TRUE(rank_nearby({}, lat, lon, 1000, 50).empty());
}

TEST(RankNearby, EqualDistancesByUserIdAndAcrossTheAntimeridian) {
  std::vector<NearbyCandidate> c = {{"z", 0.0, 179.999}, {"m", 0.0, -179.999}, {"y", 0.0, 179.0}};
  const std::vector<NearbyHit> hits = rank_nearby(c, 0.0, 180.0, 1000, 50);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(c[hits[0].index].user_id, "m");
  EXPECT_EQ(c[hits[1].index].user_id, "z");
  EXPECT_NEAR(hits[0].distance_m, hits[1].distance_m, 1e-6);
  EXPECT_NEAR(hits[0].distance_m, 111.19, 0.01);  // 0.001 degree of the equator
}

TEST(RankNearby, AtAPoleEveryLongitudeIsClose) {
  // 89.995 degrees at opposite longitudes: ~1.1 km apart across the pole.
  std::vector<NearbyCandidate> c = {{"a", 89.995, 0.0}, {"b", 89.995, 180.0}, {"c", 89.0, 90.0}};
  const std::vector<NearbyHit> hits = rank_nearby(c, 90.0, 0.0, 1000, 50);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_NEAR(hits[0].distance_m, 555.97, 0.01);
  EXPECT_NEAR(hits[1].distance_m, 555.97, 0.01);
}

}  // namespace
}  // namespace nt
