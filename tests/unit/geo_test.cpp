// Location geometry (common/geo.hpp): haversine distances, latitude/longitude bounding boxes,
// unit vectors and chords for the nearby index, validation of a location update, and the
// geofence state machine.
//
// Expected distances were computed independently of haversine: as R·atan2(|u×v|, u·v) on the
// unit vectors u, v of the two points (Python, doubles), or in closed form where one exists
// (a degree of a great circle is π·R/180, antipodes are π·R apart).
#include "geo.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>

#include "json.hpp"

namespace nt {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kR = kEarthRadiusMeters;
constexpr double kMetersPerDegree = kPi * kR / 180.0;  // 111194.9266 m

// The point `dist_m` from (lat, lon) along the initial bearing `bearing_deg` (spherical
// "direct problem"), longitude reduced to [-180, 180].
std::pair<double, double> destination(double lat, double lon, double bearing_deg, double dist_m) {
  const double phi1 = lat * kPi / 180, lambda1 = lon * kPi / 180;
  const double theta = bearing_deg * kPi / 180, delta = dist_m / kR;
  const double phi2 = std::asin(std::clamp(
      std::sin(phi1) * std::cos(delta) + std::cos(phi1) * std::sin(delta) * std::cos(theta), -1.0,
      1.0));
  const double lambda2 = lambda1 + std::atan2(std::sin(theta) * std::sin(delta) * std::cos(phi1),
                                              std::cos(delta) - std::sin(phi1) * std::sin(phi2));
  return {phi2 * 180 / kPi, std::remainder(lambda2 * 180 / kPi, 360.0)};
}

// Half the total longitude width of a box (both ranges together when it is split).
double lon_half_width(const GeoBox& b) {
  double total = 0;
  for (const LonRange& r : b.lon) total += r.max - r.min;
  return total / 2;
}

// ---------------------------------------------------------------- haversine_meters

TEST(Haversine, SamePointIsZero) {
  EXPECT_EQ(haversine_meters(48.8566, 2.3522, 48.8566, 2.3522), 0.0);
  EXPECT_EQ(haversine_meters(0, 0, 0, 0), 0.0);
  EXPECT_EQ(haversine_meters(-33.8688, 151.2093, -33.8688, 151.2093), 0.0);
  // The same meridian written two ways, and any longitude at a pole.
  EXPECT_NEAR(haversine_meters(10, 180, 10, -180), 0.0, 1e-9);
  EXPECT_NEAR(haversine_meters(90, 0, 90, 123.4), 0.0, 1e-9);
  EXPECT_NEAR(haversine_meters(-90, -45, -90, 170), 0.0, 1e-9);
}

TEST(Haversine, OneDegreeOfAGreatCircle) {
  EXPECT_NEAR(haversine_meters(0, 0, 1, 0), kMetersPerDegree, 1e-6);  // along a meridian
  EXPECT_NEAR(haversine_meters(0, 0, 0, 1), kMetersPerDegree, 1e-6);  // along the equator
  EXPECT_NEAR(haversine_meters(45, 7, 46, 7), kMetersPerDegree, 1e-6);
  EXPECT_NEAR(haversine_meters(90, 0, 89, 77), kMetersPerDegree, 1e-6);  // from the pole
}

TEST(Haversine, KnownCityPairs) {
  // Vector-method values on the 6,371 km sphere; 1 cm tolerance (both are doubles).
  // Paris–London, New York–Los Angeles, Sydney–Tokyo.
  EXPECT_NEAR(haversine_meters(48.8566, 2.3522, 51.5074, -0.1278), 343556.060, 0.01);
  EXPECT_NEAR(haversine_meters(40.7128, -74.0060, 34.0522, -118.2437), 3935746.255, 0.01);
  EXPECT_NEAR(haversine_meters(-33.8688, 151.2093, 35.6762, 139.6503), 7825818.617, 0.01);
}

TEST(Haversine, IsSymmetric) {
  EXPECT_DOUBLE_EQ(haversine_meters(48.8566, 2.3522, 51.5074, -0.1278),
                   haversine_meters(51.5074, -0.1278, 48.8566, 2.3522));
  EXPECT_DOUBLE_EQ(haversine_meters(0, 179.9, 0, -179.9), haversine_meters(0, -179.9, 0, 179.9));
}

TEST(Haversine, Antipodes) {
  EXPECT_NEAR(haversine_meters(0, 0, 0, 180), kPi * kR, 1e-6);
  EXPECT_NEAR(haversine_meters(90, 0, -90, 0), kPi * kR, 1e-6);
  EXPECT_NEAR(haversine_meters(0, -90, 0, 90), kPi * kR, 1e-6);
  // A general pair: near antipodes haversine's precision is about sqrt(eps)·R, well under 1 m.
  EXPECT_NEAR(haversine_meters(48.8566, 2.3522, -48.8566, -177.6478), kPi * kR, 1.0);
  EXPECT_LE(haversine_meters(48.8566, 2.3522, -48.8566, -177.6478), kPi * kR);
}

TEST(Haversine, AcrossTheAntimeridian) {
  // 179.9E and 179.9W on the equator are 0.2 degrees apart, not 359.8.
  EXPECT_NEAR(haversine_meters(0, 179.9, 0, -179.9), 0.2 * kMetersPerDegree, 1e-6);
  EXPECT_NEAR(haversine_meters(0, -180, 0, 179.5), 0.5 * kMetersPerDegree, 1e-6);
  // Fiji: Suva (178.065E) to Taveuni (179.414W); vector-method value.
  EXPECT_NEAR(haversine_meters(-17.7134, 178.0650, -16.5782, -179.4144), 296071.080, 0.01);
}

TEST(Haversine, NearThePoles) {
  // Opposite meridians through the pole: 0.1 + 0.1 degrees of arc.
  EXPECT_NEAR(haversine_meters(89.9, 0, 89.9, 180), 0.2 * kMetersPerDegree, 1e-6);
  EXPECT_NEAR(haversine_meters(-89.99, 10, -89.99, -170), 0.02 * kMetersPerDegree, 1e-6);
  // Two points 0.001 degree from the pole on perpendicular meridians: a right triangle with
  // legs of 111.19 m (vector method: 157.25337 m).
  EXPECT_NEAR(haversine_meters(89.999, 0, 89.999, 90), 157.25337, 1e-4);
}

TEST(Haversine, TinyDistancesKeepTheirPrecision) {
  // 1e-7 degree is about 1.1 cm; the law of cosines would round this to 0.
  EXPECT_NEAR(haversine_meters(0, 0, 0, 1e-7), 1e-7 * kMetersPerDegree, 1e-9);
  EXPECT_NEAR(haversine_meters(60, 30, 60 + 1e-7, 30), 1e-7 * kMetersPerDegree, 1e-9);
}

// ---------------------------------------------------------------- valid_latitude/longitude

TEST(Coordinates, RangesAndFiniteness) {
  EXPECT_TRUE(valid_latitude(90));
  EXPECT_TRUE(valid_latitude(-90));
  EXPECT_TRUE(valid_latitude(0));
  EXPECT_FALSE(valid_latitude(91));
  EXPECT_FALSE(valid_latitude(-90.0000001));
  EXPECT_FALSE(valid_latitude(NAN));
  EXPECT_FALSE(valid_latitude(INFINITY));
  EXPECT_TRUE(valid_longitude(180));
  EXPECT_TRUE(valid_longitude(-180));
  EXPECT_FALSE(valid_longitude(181));
  EXPECT_FALSE(valid_longitude(-180.0000001));
  EXPECT_FALSE(valid_longitude(NAN));
  EXPECT_FALSE(valid_longitude(-INFINITY));
}

// ---------------------------------------------------------------- bounding_box

// Every point on the circle (distance exactly R) at 3600 bearings is in the box, and the box
// is no wider than the circle's true extent plus a small margin.
void expect_box_holds_circle_tightly(double lat, double lon, double radius) {
  SCOPED_TRACE("centre " + std::to_string(lat) + "," + std::to_string(lon) +
               " r=" + std::to_string(radius));
  const GeoBox box = bounding_box(lat, lon, radius);
  double max_dlon = 0, max_lat = lat, min_lat = lat;
  for (int i = 0; i < 3600; ++i) {
    const auto [plat, plon] = destination(lat, lon, i / 10.0, radius);
    // 0.1 mm: near a pole the asin in destination() loses a few micrometres.
    ASSERT_NEAR(haversine_meters(lat, lon, plat, plon), radius, 1e-4);
    ASSERT_TRUE(box_contains(box, plat, plon)) << plat << "," << plon;
    max_dlon = std::max(max_dlon, std::abs(std::remainder(plon - lon, 360.0)));
    max_lat = std::max(max_lat, plat);
    min_lat = std::min(min_lat, plat);
  }
  // A disc holding a pole reaches its latitude and every longitude (its edge does not).
  if (haversine_meters(lat, lon, 90, 0) <= radius) max_lat = 90, max_dlon = 180;
  if (haversine_meters(lat, lon, -90, 0) <= radius) min_lat = -90, max_dlon = 180;
  // Not absurdly large: latitudes within 1e-5 degrees (about a metre) of the sampled extent,
  // longitudes within 1e-4 (the sampled maximum falls between two bearings 0.1 degree apart).
  EXPECT_LE(box.max_lat - max_lat, 1e-5);
  EXPECT_LE(min_lat - box.min_lat, 1e-5);
  EXPECT_LE(lon_half_width(box) - max_dlon, 1e-4);
}

TEST(BoundingBox, AtTheEquatorItIsASquareOfTheRadius) {
  const GeoBox box = bounding_box(0, 0, 1000);
  const double d = 1000 / kMetersPerDegree;  // 0.008993 degrees
  EXPECT_NEAR(box.max_lat, d, 1e-6);
  EXPECT_NEAR(box.min_lat, -d, 1e-6);
  ASSERT_EQ(box.lon.size(), 1u);
  EXPECT_NEAR(box.lon[0].max, d, 1e-6);
  EXPECT_NEAR(box.lon[0].min, -d, 1e-6);
  // Just beyond each edge is outside the box.
  EXPECT_FALSE(box_contains(box, d + 1e-5, 0));
  EXPECT_FALSE(box_contains(box, -d - 1e-5, 0));
  EXPECT_FALSE(box_contains(box, 0, d + 1e-5));
  EXPECT_FALSE(box_contains(box, 0, -d - 1e-5));
  expect_box_holds_circle_tightly(0, 0, 1000);
}

TEST(BoundingBox, WidensWithLatitude) {
  // At 60 degrees a degree of longitude is half as long, so the box is twice as wide.
  const GeoBox box = bounding_box(60, 10, 50'000);
  const double d = 50'000 / kMetersPerDegree;
  EXPECT_NEAR(box.max_lat - box.min_lat, 2 * d, 1e-6);
  EXPECT_NEAR(lon_half_width(box), 2 * d, 0.01);
  for (const double lat : {-75.0, -45.0, 30.0, 60.0, 80.0}) {
    for (const double r : {1.0, 500.0, 5'000.0, 50'000.0})
      expect_box_holds_circle_tightly(lat, 10, r);
  }
}

TEST(BoundingBox, SplitsAtTheAntimeridian) {
  const double d = 50'000 / kMetersPerDegree;  // 0.4497 degrees
  const GeoBox east = bounding_box(0, 179.9, 50'000);
  ASSERT_EQ(east.lon.size(), 2u);
  EXPECT_NEAR(east.lon[0].min, 179.9 - d, 1e-6);
  EXPECT_EQ(east.lon[0].max, 180.0);
  EXPECT_EQ(east.lon[1].min, -180.0);
  EXPECT_NEAR(east.lon[1].max, 179.9 + d - 360, 1e-6);
  // 0.4 degrees west of 179.9E across the line (44.5 km) is in; 179.0E (100 km) is not.
  EXPECT_TRUE(box_contains(east, 0, -179.7));
  EXPECT_LE(haversine_meters(0, 179.9, 0, -179.7), 50'000);
  EXPECT_FALSE(box_contains(east, 0, 179.0));
  EXPECT_FALSE(box_contains(east, 0, -179.0));

  const GeoBox west = bounding_box(-10, -179.95, 50'000);
  ASSERT_EQ(west.lon.size(), 2u);
  EXPECT_EQ(west.lon[1].min, -180.0);
  EXPECT_LT(west.lon[1].max, -179.0);
  EXPECT_GT(west.lon[0].min, 179.0);
  EXPECT_EQ(west.lon[0].max, 180.0);

  expect_box_holds_circle_tightly(0, 179.9, 50'000);
  expect_box_holds_circle_tightly(-10, -179.95, 50'000);
  expect_box_holds_circle_tightly(65, 180, 20'000);
  expect_box_holds_circle_tightly(-40, -180, 20'000);
}

TEST(BoundingBox, ACircleAroundAPoleTakesEveryLongitude) {
  // 89.9N is 11 km from the pole: a 50 km circle contains it.
  const GeoBox north = bounding_box(89.9, 45, 50'000);
  EXPECT_EQ(north.max_lat, 90.0);
  EXPECT_NEAR(north.min_lat, 89.9 - 50'000 / kMetersPerDegree, 1e-6);
  ASSERT_EQ(north.lon.size(), 1u);
  EXPECT_EQ(north.lon[0].min, -180.0);
  EXPECT_EQ(north.lon[0].max, 180.0);
  // Across the pole on the opposite meridian, 0.1 + 0.05 degrees away (16.7 km).
  EXPECT_TRUE(box_contains(north, 89.95, -135));
  EXPECT_LE(haversine_meters(89.9, 45, 89.95, -135), 50'000);
  EXPECT_FALSE(box_contains(north, 89.0, 45));

  const GeoBox south = bounding_box(-89.99, 0, 2'000);  // 1.1 km from the pole
  EXPECT_EQ(south.min_lat, -90.0);
  ASSERT_EQ(south.lon.size(), 1u);
  EXPECT_EQ(south.lon[0].min, -180.0);
  EXPECT_EQ(south.lon[0].max, 180.0);

  // A radius of exactly the distance to the pole reaches it.
  const GeoBox touching = bounding_box(89.5, 0, 0.5 * kMetersPerDegree);
  EXPECT_EQ(touching.max_lat, 90.0);
  EXPECT_EQ(touching.lon[0].min, -180.0);

  expect_box_holds_circle_tightly(89.9, 45, 50'000);
  expect_box_holds_circle_tightly(-89.99, 0, 2'000);
}

TEST(BoundingBox, NearButNotAroundAPole) {
  // 89.5N is 55.6 km from the pole: a 50 km circle misses it but spans about 128 degrees of
  // longitude there.
  const GeoBox box = bounding_box(89.5, 0, 50'000);
  EXPECT_LT(box.max_lat, 90.0);
  ASSERT_EQ(box.lon.size(), 1u);
  EXPECT_GT(box.lon[0].max, 60.0);
  EXPECT_LT(box.lon[0].max, 70.0);
  EXPECT_FALSE(box_contains(box, 89.9, 180));  // the far side of the pole
  expect_box_holds_circle_tightly(89.5, 0, 50'000);
  expect_box_holds_circle_tightly(-89.5, 179.0, 50'000);  // pole side and antimeridian at once
}

TEST(BoundingBox, LargeRadii) {
  expect_box_holds_circle_tightly(0, 0, 5'000'000);
  expect_box_holds_circle_tightly(30, 100, 3'000'000);
  // Half the circumference or more: the whole globe.
  const GeoBox all = bounding_box(12, 34, kPi * kR);
  EXPECT_EQ(all.min_lat, -90.0);
  EXPECT_EQ(all.max_lat, 90.0);
  ASSERT_EQ(all.lon.size(), 1u);
  EXPECT_EQ(all.lon[0].min, -180.0);
  EXPECT_EQ(all.lon[0].max, 180.0);
}

TEST(BoundingBox, ZeroOrNegativeRadiusHoldsTheCentre) {
  for (const double r : {0.0, -5.0}) {
    const GeoBox box = bounding_box(48.8566, 2.3522, r);
    EXPECT_TRUE(box_contains(box, 48.8566, 2.3522));
    EXPECT_FALSE(box_contains(box, 48.8567, 2.3522));
    EXPECT_FALSE(box_contains(box, 48.8566, 2.3523));
  }
}

TEST(BoundingBox, NeverDropsAPointWithinTheRadius) {
  // Random centres everywhere (poles and antimeridian included), radii from 1 m to 50 km and
  // beyond, random points inside the circle: the box must hold every one.
  std::mt19937_64 rng(20261121);
  std::uniform_real_distribution<double> lat_d(-90, 90), lon_d(-180, 180), unit(0, 1);
  for (int c = 0; c < 2000; ++c) {
    const double lat = c % 10 == 0 ? (c % 20 == 0 ? 89.999 : -89.7) : lat_d(rng);
    const double lon = c % 7 == 0 ? 179.99 : lon_d(rng);
    const double radius = std::pow(10.0, 6.5 * unit(rng));  // 1 m .. 3,162 km
    const GeoBox box = bounding_box(lat, lon, radius);
    for (int i = 0; i < 20; ++i) {
      const auto [plat, plon] = destination(lat, lon, 360 * unit(rng), radius * unit(rng));
      ASSERT_LE(haversine_meters(lat, lon, plat, plon), radius * (1 + 1e-9));
      ASSERT_TRUE(box_contains(box, plat, plon))
          << "centre " << lat << "," << lon << " r=" << radius << " point " << plat << "," << plon;
    }
  }
}

// ---------------------------------------------------------------- unit vectors (nearby)

double chord(const UnitVector& a, const UnitVector& b) {
  return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

TEST(UnitVector, KnownPoints) {
  const UnitVector origin = unit_vector(0, 0);
  EXPECT_NEAR(origin.x, 1, 1e-15);
  EXPECT_NEAR(origin.y, 0, 1e-15);
  EXPECT_NEAR(origin.z, 0, 1e-15);
  const UnitVector east = unit_vector(0, 90);
  EXPECT_NEAR(east.y, 1, 1e-15);
  // Any longitude at a pole is the same point; either side of the antimeridian is one point.
  EXPECT_NEAR(chord(unit_vector(90, 0), unit_vector(90, 123)), 0, 1e-15);
  EXPECT_NEAR(chord(unit_vector(10, 180), unit_vector(10, -180)), 0, 1e-15);
}

TEST(UnitVector, ChordBoundsEveryPointWithinTheRadius) {
  // Every point within `radius` (haversine) has a unit vector within chord_for_meters(radius)
  // of the centre's, and the chord ranks pairs as haversine does: poles and antimeridian too.
  std::mt19937_64 rng(20261122);
  std::uniform_real_distribution<double> lat_d(-90, 90), lon_d(-180, 180), unit(0, 1);
  for (int c = 0; c < 2000; ++c) {
    const double lat = c % 10 == 0 ? (c % 20 == 0 ? 89.9999 : -89.9) : lat_d(rng);
    const double lon = c % 7 == 0 ? -179.9999 : lon_d(rng);
    const double radius = std::pow(10.0, 6.5 * unit(rng));  // 1 m .. 3,162 km
    const UnitVector centre = unit_vector(lat, lon);
    double last_m = -1, last_chord = -1;
    for (int i = 0; i < 20; ++i) {
      const auto [plat, plon] = destination(lat, lon, 360 * unit(rng), radius * unit(rng));
      const double m = haversine_meters(lat, lon, plat, plon);
      const double ch = chord(centre, unit_vector(plat, plon));
      ASSERT_LE(ch, chord_for_meters(radius)) << lat << "," << lon << " r=" << radius;
      if (last_m >= 0 && std::abs(m - last_m) > 1e-6 * radius + 1e-3) {
        ASSERT_EQ(m < last_m, ch < last_chord) << "chord and haversine disagree on the order";
      }
      last_m = m;
      last_chord = ch;
    }
  }
}

TEST(UnitVector, ChordForMetersEdges) {
  EXPECT_NEAR(chord_for_meters(0), 0, 1e-11);
  EXPECT_NEAR(chord_for_meters(-5), 0, 1e-11);
  EXPECT_EQ(chord_for_meters(kEarthRadiusMeters * std::numbers::pi), 2.0);
  // 1 km: 2·sin(θ/2) ≈ θ = 1000 / 6,371,000.
  EXPECT_NEAR(chord_for_meters(1000), 1000 / kEarthRadiusMeters, 1e-12);
}

// ---------------------------------------------------------------- geofence_step

using S = FenceState;
using E = FenceEvent;

// One step of the machine: "prev, distance, radius, accuracy → state, event".
struct StepCase {
  S prev;
  double distance;
  double radius;
  std::optional<double> accuracy;
  S state;
  E event;
};

void expect_steps(std::initializer_list<StepCase> cases) {
  for (const StepCase& c : cases) {
    const FenceStep got = geofence_step(c.prev, c.distance, c.radius, c.accuracy);
    EXPECT_EQ(got.state, c.state) << fence_state_name(c.prev) << " d=" << c.distance
                                  << " r=" << c.radius << " acc=" << c.accuracy.value_or(-1);
    EXPECT_EQ(got.event, c.event) << fence_state_name(c.prev) << " d=" << c.distance
                                  << " r=" << c.radius << " acc=" << c.accuracy.value_or(-1);
  }
}

TEST(Geofence, FirstObservation) {
  expect_steps({
      {S::kUnknown, 50, 100, std::nullopt, S::kInside, E::kEntry},
      {S::kUnknown, 100, 100, std::nullopt, S::kInside, E::kEntry},  // the edge is inside
      {S::kUnknown, 150, 100, std::nullopt, S::kOutside, E::kNone},
      {S::kUnknown, 100.5, 100, 30.0, S::kOutside, E::kNone},  // accuracy does not pull in
  });
}

TEST(Geofence, OutsideToInsideIsAnEntry) {
  expect_steps({
      {S::kOutside, 99.9, 100, 30.0, S::kInside, E::kEntry},
      {S::kOutside, 100, 100, std::nullopt, S::kInside, E::kEntry},
      {S::kOutside, 0, 1, std::nullopt, S::kInside, E::kEntry},
  });
}

TEST(Geofence, StayingPutIsQuiet) {
  expect_steps({
      {S::kOutside, 100.1, 100, 40.0, S::kOutside, E::kNone},
      {S::kOutside, 1e6, 100, std::nullopt, S::kOutside, E::kNone},
      {S::kInside, 10, 100, std::nullopt, S::kInside, E::kNone},
      {S::kInside, 100, 100, std::nullopt, S::kInside, E::kNone},
  });
}

TEST(Geofence, InsideToOutsideIsAnExit) {
  expect_steps({
      {S::kInside, 100.01, 100, std::nullopt, S::kOutside, E::kExit},
      {S::kInside, 5000, 100, 20.0, S::kOutside, E::kExit},
  });
}

TEST(Geofence, AccuracyDelaysAnExitWithinTheMargin) {
  expect_steps({
      // Accuracy 20 m: still inside up to 120 m, out beyond.
      {S::kInside, 120, 100, 20.0, S::kInside, E::kNone},
      {S::kInside, 120.5, 100, 20.0, S::kOutside, E::kExit},
      // The margin is capped at 50 m: a 3 km cell-tower fix still lets the user leave.
      {S::kInside, 149, 100, 3000.0, S::kInside, E::kNone},
      {S::kInside, 151, 100, 3000.0, S::kOutside, E::kExit},
      // A negative accuracy counts as none.
      {S::kInside, 101, 100, -50.0, S::kOutside, E::kExit},
  });
}

TEST(Geofence, NanDistanceCountsAsOutside) {
  expect_steps({
      {S::kUnknown, NAN, 100, std::nullopt, S::kOutside, E::kNone},
      {S::kInside, NAN, 100, 10.0, S::kOutside, E::kExit},
      {S::kOutside, NAN, 100, 10.0, S::kOutside, E::kNone},
  });
}

TEST(Geofence, JitterAtTheEdgeDoesNotFlap) {
  FenceState state = FenceState::kUnknown;
  int entries = 0, exits = 0;
  for (const double d : {90.0, 104.0, 98.0, 109.0, 101.0, 95.0, 110.0}) {
    const FenceStep s = geofence_step(state, d, 100, 10.0);
    state = s.state;
    entries += s.event == FenceEvent::kEntry;
    exits += s.event == FenceEvent::kExit;
  }
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(exits, 0);
  EXPECT_EQ(state, FenceState::kInside);
  // Then really leaving and coming back.
  FenceStep s = geofence_step(state, 300, 100, 10.0);
  EXPECT_EQ(s.event, FenceEvent::kExit);
  s = geofence_step(s.state, 50, 100, 10.0);
  EXPECT_EQ(s.event, FenceEvent::kEntry);
  EXPECT_EQ(s.state, FenceState::kInside);
}

TEST(Geofence, Names) {
  for (const FenceState s : {FenceState::kUnknown, FenceState::kInside, FenceState::kOutside}) {
    EXPECT_EQ(fence_state_from_name(fence_state_name(s)), s);
  }
  EXPECT_STREQ(fence_state_name(FenceState::kInside), "inside");
  EXPECT_STREQ(fence_state_name(FenceState::kOutside), "outside");
  EXPECT_EQ(fence_state_from_name("garbage"), FenceState::kUnknown);
  EXPECT_STREQ(fence_event_name(FenceEvent::kEntry), "entry");
  EXPECT_STREQ(fence_event_name(FenceEvent::kExit), "exit");
  EXPECT_STREQ(fence_event_name(FenceEvent::kNone), "none");
}

// ---------------------------------------------------------------- read_location_update

Json body(std::string_view text) {
  JsonParseError err;
  Json j = parse_json(text, 32, true, &err);
  EXPECT_TRUE(j) << text;
  return j;
}

// The field errors read_location_update reports for `text`, as "field:code" strings.
std::vector<std::string> location_errors(std::string_view text) {
  const Json b = body(text);
  FieldReader f(b);
  const auto u = read_location_update(f);
  EXPECT_EQ(u.has_value(), f.ok()) << text;
  std::vector<std::string> out;
  try {
    f.done();
  } catch (const ApiError& e) {
    EXPECT_EQ(error_info(e.err()).status, 422);
    for (const FieldError& fe : e.fields()) out.push_back(fe.field + ":" + fe.code);
  }
  return out;
}

using Errors = std::vector<std::string>;

TEST(LocationUpdate, ReadsEveryField) {
  const Json b =
      body(R"({"latitude":48.8566,"longitude":2.3522,"accuracy":12.5,"altitude":-30,"speed":1.4,)"
           R"("heading":359.9,"ignored":"x"})");
  FieldReader f(b);
  const auto u = read_location_update(f);
  ASSERT_TRUE(u);
  EXPECT_TRUE(f.ok());
  EXPECT_DOUBLE_EQ(u->latitude, 48.8566);
  EXPECT_DOUBLE_EQ(u->longitude, 2.3522);
  EXPECT_EQ(u->accuracy, 12.5);
  EXPECT_EQ(u->altitude, -30.0);  // an integer is a number too
  EXPECT_EQ(u->speed, 1.4);
  EXPECT_EQ(u->heading, 359.9);
}

TEST(LocationUpdate, OptionalFieldsMayBeAbsentOrNull) {
  const Json b = body(R"({"latitude":0,"longitude":0,"accuracy":null,"speed":null})");
  FieldReader f(b);
  const auto u = read_location_update(f);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->accuracy);
  EXPECT_FALSE(u->altitude);
  EXPECT_FALSE(u->speed);
  EXPECT_FALSE(u->heading);
}

TEST(LocationUpdate, BoundsAreInclusive) {
  EXPECT_EQ(location_errors(R"({"latitude":90,"longitude":180})"), Errors{});
  EXPECT_EQ(location_errors(R"({"latitude":-90.0,"longitude":-180.0,"heading":0,"speed":0,)"
                            R"("accuracy":0})"),
            Errors{});
  EXPECT_EQ(location_errors(R"({"latitude":1,"longitude":1,"heading":360})"), Errors{});
}

TEST(LocationUpdate, OutOfRange) {
  EXPECT_EQ(location_errors(R"({"latitude":91,"longitude":0})"), Errors{"latitude:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":-90.0000001,"longitude":0})"),
            Errors{"latitude:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":181})"), Errors{"longitude:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":-180.0000001})"),
            Errors{"longitude:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":0,"heading":360.1})"),
            Errors{"heading:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":0,"heading":-1})"),
            Errors{"heading:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":0,"speed":-1})"),
            Errors{"speed:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":0,"accuracy":-0.5})"),
            Errors{"accuracy:out_of_range"});
  EXPECT_EQ(location_errors(R"({"latitude":0,"longitude":0,"altitude":1e6})"),
            Errors{"altitude:out_of_range"});
}

TEST(LocationUpdate, HugeNumbers) {
  // The largest doubles JSON can carry are out of range, not wrapped or truncated.
  EXPECT_EQ(location_errors(R"({"latitude":1e308,"longitude":-1.7976931348623157e308})"),
            (Errors{"latitude:out_of_range", "longitude:out_of_range"}));
  EXPECT_EQ(location_errors(R"({"latitude":9223372036854775807,"longitude":0})"),
            Errors{"latitude:out_of_range"});
  // Beyond a double (or a 64-bit integer) and a bare NaN, the parser refuses the body:
  // the handler answers 400 invalid_json before any field is read.
  JsonParseError err;
  EXPECT_FALSE(parse_json(R"({"latitude":1e400,"longitude":0})", 32, true, &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
  EXPECT_FALSE(parse_json(R"({"latitude":99999999999999999999,"longitude":0})", 32, true, &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
  EXPECT_FALSE(parse_json(R"({"latitude":NaN,"longitude":0})", 32, true, &err));
  EXPECT_EQ(err, JsonParseError::kSyntax);
}

TEST(LocationUpdate, WrongTypes) {
  EXPECT_EQ(location_errors(R"({"latitude":"48.85","longitude":"2.35"})"),
            (Errors{"latitude:invalid_type", "longitude:invalid_type"}));
  EXPECT_EQ(location_errors(R"({"latitude":"NaN","longitude":0})"),
            Errors{"latitude:invalid_type"});
  EXPECT_EQ(location_errors(R"({"latitude":true,"longitude":[1],"speed":{"v":1}})"),
            (Errors{"latitude:invalid_type", "longitude:invalid_type", "speed:invalid_type"}));
}

TEST(LocationUpdate, MissingFields) {
  EXPECT_EQ(location_errors("{}"), (Errors{"latitude:required", "longitude:required"}));
  EXPECT_EQ(location_errors(R"({"latitude":null,"longitude":1})"), Errors{"latitude:required"});
  EXPECT_EQ(location_errors(R"({"lat":1,"lon":2})"),
            (Errors{"latitude:required", "longitude:required"}));
}

TEST(LocationUpdate, EveryProblemIsReportedAtOnce) {
  EXPECT_EQ(location_errors(R"({"latitude":91,"longitude":"x","accuracy":-1,"altitude":"high",)"
                            R"("speed":-3,"heading":400})"),
            (Errors{"latitude:out_of_range", "longitude:invalid_type", "accuracy:out_of_range",
                    "altitude:invalid_type", "speed:out_of_range", "heading:out_of_range"}));
  // A bad optional field alone fails the update.
  EXPECT_EQ(location_errors(R"({"latitude":1,"longitude":1,"speed":"fast"})"),
            Errors{"speed:invalid_type"});
}

TEST(LocationUpdate, OnlyItsOwnErrorsFailIt) {
  // Errors the caller collected before do not make a valid update fail.
  const Json b = body(R"({"latitude":1,"longitude":2})");
  FieldReader f(b);
  f.add({"other", "required", {}});
  EXPECT_TRUE(read_location_update(f));
  EXPECT_EQ(f.error_count(), 1u);
}

}  // namespace
}  // namespace nt
