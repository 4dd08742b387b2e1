#include "common/validate/geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "common/status/status.h"

namespace crm::validate {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

absl::Status CheckRange(double value, double limit, std::string_view field) {
  if (!std::isfinite(value)) return InvalidField(field, "must be a number");
  if (value < -limit || value > limit) {
    return InvalidField(field, limit == 90.0 ? "must be between -90 and 90"
                                             : "must be between -180 and 180");
  }
  return absl::OkStatus();
}

}  // namespace

double HaversineMeters(double lat1, double lng1, double lat2, double lng2) {
  const double phi1 = lat1 * kDegToRad;
  const double phi2 = lat2 * kDegToRad;
  const double dphi = (lat2 - lat1) * kDegToRad;
  const double dlambda = (lng2 - lng1) * kDegToRad;
  const double s = std::sin(dphi / 2);
  const double t = std::sin(dlambda / 2);
  const double a = s * s + std::cos(phi1) * std::cos(phi2) * t * t;
  // min() guards against a slightly > 1 from rounding at antipodes.
  return 2 * kEarthRadiusMeters * std::asin(std::sqrt(std::min(1.0, a)));
}

absl::Status ValidateLatLng(double lat, double lng,
                            std::string_view field_prefix) {
  const std::string prefix(field_prefix);
  if (absl::Status s = CheckRange(lat, 90.0, prefix + ".lat"); !s.ok())
    return s;
  if (absl::Status s = CheckRange(lng, 180.0, prefix + ".lng"); !s.ok())
    return s;
  if (lat == 0.0 && lng == 0.0) {
    return InvalidField(field_prefix, "is missing (0, 0 is not a location)");
  }
  return absl::OkStatus();
}

LatLngBox BoundingBox(double lat, double lng, double radius_m) {
  // Angular radius; along a meridian it maps 1:1 to latitude.
  const double delta = std::max(radius_m, 0.0) / kEarthRadiusMeters;
  const double phi = lat * kDegToRad;
  double min_phi = phi - delta;
  double max_phi = phi + delta;
  const double half_pi = std::numbers::pi / 2;
  if (min_phi <= -half_pi || max_phi >= half_pi) {
    return {std::max(min_phi, -half_pi) * kRadToDeg,
            std::min(max_phi, half_pi) * kRadToDeg, -180.0, 180.0};
  }
  // The widest point of the circle is not at the center's latitude but
  // where meridians touch it: asin(sin(delta) / cos(phi)) (Bronshtein;
  // see J. P. Matuschek, "Finding Points Within a Distance"). cos(phi)
  // exceeds sin(delta) here because the circle does not reach a pole.
  const double dlambda = std::asin(std::sin(delta) / std::cos(phi)) * kRadToDeg;
  const double min_lng = lng - dlambda;
  const double max_lng = lng + dlambda;
  if (min_lng < -180.0 || max_lng > 180.0) {
    return {min_phi * kRadToDeg, max_phi * kRadToDeg, -180.0, 180.0};
  }
  return {min_phi * kRadToDeg, max_phi * kRadToDeg, min_lng, max_lng};
}

}  // namespace crm::validate
