// Coordinates of customer sites and visit check-ins (WGS-84 degrees, as
// GeoPoint carries them). Distances use a spherical Earth; the error
// against the ellipsoid (< 0.5%) is far below GPS noise in a city.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace crm::validate {

// Mean Earth radius (IUGG), the sphere all functions here assume.
inline constexpr double kEarthRadiusMeters = 6371008.8;

// Great-circle distance in meters.
double HaversineMeters(double lat1, double lng1, double lat2, double lng2);

// Latitude in [-90, 90], longitude in [-180, 180], neither NaN nor
// infinite, and not exactly (0, 0): that is what an unset proto GeoPoint
// decodes to, in the Gulf of Guinea, never a customer. Errors name
// "<field_prefix>.lat", "<field_prefix>.lng" or, for (0, 0),
// "<field_prefix>" itself.
absl::Status ValidateLatLng(double lat, double lng,
                            std::string_view field_prefix);

struct LatLngBox {
  double min_lat;
  double max_lat;
  double min_lng;
  double max_lng;
};

// The smallest lat/lng rectangle holding every point within `radius_m`
// of (lat, lng), for an indexed "lat BETWEEN .. AND lng BETWEEN .." prefilter
// before the exact HaversineMeters check. Limits, all of them safe (the box
// only grows, so no point is lost):
//   * when the circle reaches a pole, longitude spans [-180, 180];
//   * when it crosses the antimeridian, longitude also spans [-180, 180]
//     instead of being split in two ranges (never the case in China,
//     73..135 E);
//   * a negative radius is treated as 0.
LatLngBox BoundingBox(double lat, double lng, double radius_m);

}  // namespace crm::validate
