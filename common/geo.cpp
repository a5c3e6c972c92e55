#include "geo.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace nt {
namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;
constexpr double kDegPerRad = 180.0 / std::numbers::pi;

// Widening of the box on every side, so rounding in the box and in haversine_meters never
// leaves a point the exact check accepts outside the box (1e-7 degrees is about 1 cm).
constexpr double kBoxPadDegrees = 1e-7;

}  // namespace

double haversine_meters(double lat1, double lon1, double lat2, double lon2) {
  const double phi1 = lat1 * kRadPerDeg;
  const double phi2 = lat2 * kRadPerDeg;
  const double dphi = (lat2 - lat1) * kRadPerDeg;
  // Exact reduction: 179.9 and -179.9 are 0.2 degrees apart, not 359.8.
  const double dlambda = std::remainder(lon2 - lon1, 360.0) * kRadPerDeg;
  const double s_phi = std::sin(dphi / 2);
  const double s_lambda = std::sin(dlambda / 2);
  double a = s_phi * s_phi + std::cos(phi1) * std::cos(phi2) * s_lambda * s_lambda;
  a = std::clamp(a, 0.0, 1.0);
  return 2 * kEarthRadiusMeters * std::atan2(std::sqrt(a), std::sqrt(1 - a));
}

bool valid_latitude(double lat) {
  return std::isfinite(lat) && lat >= kMinLatitude && lat <= kMaxLatitude;
}

bool valid_longitude(double lon) {
  return std::isfinite(lon) && lon >= kMinLongitude && lon <= kMaxLongitude;
}

std::string coord_text(double degrees) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7f", degrees);
  return buf;
}

std::optional<LocationUpdate> read_location_update(FieldReader& f) {
  const size_t errors_before = f.error_count();
  const auto lat = f.number("latitude", true, kMinLatitude, kMaxLatitude);
  const auto lon = f.number("longitude", true, kMinLongitude, kMaxLongitude);
  LocationUpdate u;
  u.accuracy = f.number("accuracy", false, 0.0, kMaxAccuracyMeters);
  u.altitude = f.number("altitude", false, kMinAltitudeMeters, kMaxAltitudeMeters);
  u.speed = f.number("speed", false, 0.0, kMaxSpeedMetersPerSecond);
  u.heading = f.number("heading", false, 0.0, kMaxHeadingDegrees);
  // Counted rather than tested per field: a present optional field that was rejected also
  // comes back empty.
  if (f.error_count() != errors_before) return std::nullopt;
  u.latitude = *lat;
  u.longitude = *lon;
  return u;
}

GeoBox bounding_box(double lat, double lon, double radius_m) {
  const double d = std::max(radius_m, 0.0) / kEarthRadiusMeters;  // angular radius, radians
  const double d_deg = d * kDegPerRad;
  GeoBox box{std::max(lat - d_deg - kBoxPadDegrees, kMinLatitude),
             std::min(lat + d_deg + kBoxPadDegrees, kMaxLatitude),
             {}};
  // A pole is inside (or on) the circle when its angular distance 90 - |lat| is at most d;
  // then every meridian crosses the circle. This also covers d >= 90 degrees.
  if (90.0 - std::abs(lat) <= d_deg + kBoxPadDegrees) {
    box.lon.push_back({kMinLongitude, kMaxLongitude});
    return box;
  }
  // Here d < 90 - |lat|, so sin(d) < cos(lat) and the asin is defined; clamped for rounding.
  const double ratio = std::min(std::sin(d) / std::cos(lat * kRadPerDeg), 1.0);
  const double w = std::asin(ratio) * kDegPerRad + kBoxPadDegrees;
  const double lo = lon - w;
  const double hi = lon + w;
  // w is at most 90 degrees (plus the pad), so at most one end passes the antimeridian.
  if (lo < kMinLongitude) {
    box.lon.push_back({lo + 360.0, kMaxLongitude});
    box.lon.push_back({kMinLongitude, hi});
  } else if (hi > kMaxLongitude) {
    box.lon.push_back({lo, kMaxLongitude});
    box.lon.push_back({kMinLongitude, hi - 360.0});
  } else {
    box.lon.push_back({lo, hi});
  }
  return box;
}

bool box_contains(const GeoBox& box, double lat, double lon) {
  if (lat < box.min_lat || lat > box.max_lat) return false;
  return std::any_of(box.lon.begin(), box.lon.end(),
                     [lon](const LonRange& r) { return lon >= r.min && lon <= r.max; });
}

FenceStep geofence_step(FenceState prev, double distance_m, double radius_m,
                        std::optional<double> accuracy_m) {
  const bool inside = distance_m <= radius_m;  // false for NaN
  switch (prev) {
    case FenceState::kUnknown:
    case FenceState::kOutside:
      return inside ? FenceStep{FenceState::kInside, FenceEvent::kEntry}
                    : FenceStep{FenceState::kOutside, FenceEvent::kNone};
    case FenceState::kInside: {
      const double acc = accuracy_m && *accuracy_m > 0 ? *accuracy_m : 0.0;
      const double margin = std::min(acc, kMaxFenceHysteresisMeters);
      // Written as "not within" so a NaN distance also leaves.
      const bool left = !(distance_m <= radius_m + margin);
      return left ? FenceStep{FenceState::kOutside, FenceEvent::kExit}
                  : FenceStep{FenceState::kInside, FenceEvent::kNone};
    }
  }
  return {prev, FenceEvent::kNone};
}

const char* fence_state_name(FenceState s) {
  switch (s) {
    case FenceState::kInside:
      return "inside";
    case FenceState::kOutside:
      return "outside";
    case FenceState::kUnknown:
      break;
  }
  return "unknown";
}

const char* fence_event_name(FenceEvent e) {
  switch (e) {
    case FenceEvent::kEntry:
      return "entry";
    case FenceEvent::kExit:
      return "exit";
    case FenceEvent::kNone:
      break;
  }
  return "none";
}

FenceState fence_state_from_name(std::string_view name) {
  if (name == "inside") return FenceState::kInside;
  if (name == "outside") return FenceState::kOutside;
  return FenceState::kUnknown;
}

UnitVector unit_vector(double lat, double lon) {
  const double phi = lat * kRadPerDeg;
  const double lambda = lon * kRadPerDeg;
  return {std::cos(phi) * std::cos(lambda), std::cos(phi) * std::sin(lambda), std::sin(phi)};
}

double chord_for_meters(double meters) {
  const double angle = std::max(meters, 0.0) / kEarthRadiusMeters;
  if (angle >= std::numbers::pi) return 2.0;
  return 2.0 * std::sin(angle / 2.0) * (1.0 + 1e-9) + 1e-12;
}

}  // namespace nt
