// Geometry of locations and geofences, with no I/O: distances on a sphere, validation of a
// location update, unit vectors for nearby search, the latitude/longitude box around a circle,
// and the inside/outside state machine of a circular geofence. Plain functions, safe from any
// thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "validate.hpp"

namespace nt {

// The sphere every distance in the API is measured on (DESIGN.md §4.6).
inline constexpr double kEarthRadiusMeters = 6'371'000.0;

// Ranges of a location update (inclusive). Latitude and longitude are degrees (WGS 84);
// accuracy is the horizontal radius of uncertainty in metres; altitude is metres above sea
// level (from the deepest trench to the edge of space); speed is metres per second; heading
// is degrees clockwise from true north. A client without a value (e.g. iOS's -1 for an
// invalid course) leaves the field out or sends null.
inline constexpr double kMinLatitude = -90.0, kMaxLatitude = 90.0;
inline constexpr double kMinLongitude = -180.0, kMaxLongitude = 180.0;
inline constexpr double kMaxAccuracyMeters = 100'000.0;
inline constexpr double kMinAltitudeMeters = -12'000.0, kMaxAltitudeMeters = 100'000.0;
inline constexpr double kMaxSpeedMetersPerSecond = 1'000.0;
inline constexpr double kMaxHeadingDegrees = 360.0;

// Great-circle distance in metres between two points given in degrees, by the haversine
// formula on a sphere of kEarthRadiusMeters. Stable for tiny and antipodal distances (the
// haversine term is clamped to [0, 1] and the angle taken with atan2); the longitude
// difference is reduced to [-180, 180] first, so points either side of the antimeridian are
// as close as they really are, and any longitude at a pole is the same point. Never
// negative; the inputs are expected finite (a NaN gives NaN).
double haversine_meters(double lat1, double lon1, double lat2, double lon2);

// Finite and within [-90, 90] / [-180, 180].
bool valid_latitude(double lat);
bool valid_longitude(double lon);

// A coordinate in degrees as SQL parameter text, with the 7 decimals (about 1 cm) of the
// DECIMAL(10, 7) columns that store positions, fence centres and event positions.
std::string coord_text(double degrees);

// A body of POST /location/update or the data of the WebSocket `location_update`.
struct LocationUpdate {
  double latitude = 0;
  double longitude = 0;
  std::optional<double> accuracy;  // metres, >= 0
  std::optional<double> altitude;  // metres
  std::optional<double> speed;     // m/s, >= 0
  std::optional<double> heading;   // degrees, [0, 360]
};

// Reads {latitude, longitude, accuracy?, altitude?, speed?, heading?} from the reader's
// object with the ranges above. Every problem is added to `f` (field codes `required`,
// `invalid_type` for strings, booleans and other non-numbers, `out_of_range` for values
// outside the range); the result is nullopt when any of these fields failed. The caller then
// calls f.done(), which throws the 422. Numbers too large for a double (1e400) never get
// here: the JSON parser refuses them (400 invalid_json), as it does a bare NaN.
std::optional<LocationUpdate> read_location_update(FieldReader& f);

// A closed longitude interval in degrees, min <= max, both within [-180, 180].
struct LonRange {
  double min;
  double max;
};

// The box "latitude in [min_lat, max_lat] and longitude in one of `lon`" around a circle.
struct GeoBox {
  double min_lat;
  double max_lat;
  std::vector<LonRange> lon;  // one range, or two when the circle crosses the antimeridian
};

// The smallest latitude/longitude box (widened by about a centimetre against rounding) holding
// every point within `radius_m` metres (great-circle, as haversine_meters measures) of
// (lat, lon). No production query uses it since nearby search walks the unit-vector index
// (unit_vector below); only its unit tests do (issue 6 asks for bounding-box tests near the
// poles and the antimeridian). A SUPERSET filter for an indexed query, e.g. `latitude BETWEEN
// min_lat AND max_lat AND (longitude BETWEEN lon[0].min AND lon[0].max OR …lon[1]…)`: it
// also holds the corners of the box outside the circle, so follow it with the exact
// haversine_meters check.
// - Latitudes are clamped to [-90, 90].
// - When the circle contains a pole (or reaches it), `lon` is the whole [-180, 180].
// - Otherwise the half-width is the longitude of the meridians tangent to the circle,
//   asin(sin(d) / cos(lat)) for the angular radius d; a range that passes ±180 is split in two:
//   [lon - w + 360, 180] and [-180, lon + w - 360] (or the mirror image).
// Any radius works (a radius of half the circumference or more gives the whole globe); a
// negative radius counts as 0. (lat, lon) are expected valid.
GeoBox bounding_box(double lat, double lon, double radius_m);

// Whether the point lies in the box (the same test the SQL filter makes).
bool box_contains(const GeoBox& box, double lat, double lon);

// A point as a unit vector from the Earth's centre (x towards 0°N 0°E, z towards the North
// Pole), as sql/0008 stores it in user_current_locations.xyz (the same formula), for nearby
// search: the straight-line (chord) distance between two unit vectors grows with the
// great-circle distance, so ordering by one is ordering by the other, with no seam at the
// antimeridian and no singularity at the poles.
struct UnitVector {
  double x;
  double y;
  double z;
};
UnitVector unit_vector(double lat, double lon);

// The chord, in unit-sphere units, between two points `meters` apart on the kEarthRadiusMeters
// sphere, widened a little against rounding: every point within `meters` (as haversine_meters
// measures) has a unit vector within this distance. A negative distance counts as 0; half the
// circumference or more gives 2 (the whole sphere).
double chord_for_meters(double meters);

// ---------------------------------------------------------------- geofences

// What is known of a user relative to one fence. kUnknown until the first update after the
// fence exists (stored as no row, or as "unknown").
enum class FenceState { kUnknown, kInside, kOutside };
enum class FenceEvent { kNone, kEntry, kExit };

struct FenceStep {
  FenceState state;  // to store
  FenceEvent event;  // to record in geofence_events and send, unless kNone
};

// Largest margin (metres) that a fix's accuracy adds before an exit is believed.
inline constexpr double kMaxFenceHysteresisMeters = 50.0;

// The next state of a user relative to a circular fence, from the distance of the new fix to
// the fence's centre. Decisions:
// - Inside means distance <= radius (the edge belongs to the fence).
// - First observation (kUnknown): inside → kInside with an entry event; outside → kOutside
//   and no event (as mobile geofencing APIs do with an initial "enter" trigger only), so a
//   fence created around where the user stands fires one entry, and one far away fires
//   nothing.
// - Entry: from kOutside as soon as a fix is inside (distance <= radius).
// - Exit: from kInside only when distance > radius + margin, with margin =
//   min(accuracy, kMaxFenceHysteresisMeters) (0 without accuracy). A fix jittering around
//   the edge then does not flap entry/exit/entry; the cap keeps a poor fix (a cell-tower
//   accuracy of kilometres) from holding the user inside forever.
// - Otherwise the state is kept and the event is kNone.
// A NaN distance counts as outside; a negative accuracy as none.
FenceStep geofence_step(FenceState prev, double distance_m, double radius_m,
                        std::optional<double> accuracy_m);

// Stable names for storage and JSON: "unknown"/"inside"/"outside"; "entry"/"exit" ("none"
// for kNone, which is never stored or sent).
const char* fence_state_name(FenceState s);
const char* fence_event_name(FenceEvent e);
// The state named by fence_state_name; kUnknown for anything else.
FenceState fence_state_from_name(std::string_view name);

}  // namespace nt
