#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "common/validate/geo.h"

namespace crm::validate {
namespace {

TEST(HaversineTest, KnownDistances) {
  EXPECT_DOUBLE_EQ(HaversineMeters(39.9, 116.4, 39.9, 116.4), 0.0);
  // One degree of latitude is pi * R / 180 on our sphere.
  EXPECT_NEAR(HaversineMeters(30, 120, 31, 120), 111195.08, 0.1);
  // Tiananmen to Shanghai People's Square: about 1068 km.
  EXPECT_NEAR(HaversineMeters(39.9087, 116.3975, 31.2304, 121.4737), 1067.9e3,
              2e3);
  // Beijing - Guangzhou about 1890 km.
  EXPECT_NEAR(HaversineMeters(39.9042, 116.4074, 23.1291, 113.2644), 1888e3,
              5e3);
  // Symmetric, and antipodes give half the circumference.
  EXPECT_DOUBLE_EQ(HaversineMeters(31.2, 121.5, 39.9, 116.4),
                   HaversineMeters(39.9, 116.4, 31.2, 121.5));
  EXPECT_NEAR(HaversineMeters(0, 0, 0, 180), M_PI * kEarthRadiusMeters, 1e-6);
  EXPECT_NEAR(HaversineMeters(90, 0, -90, 0), M_PI * kEarthRadiusMeters, 1e-6);
  // Across the antimeridian the short way.
  EXPECT_NEAR(HaversineMeters(0, 179.5, 0, -179.5), 111195.08, 0.1);
}

TEST(HaversineTest, ShortDistancesForCheckIns) {
  // 0.001 degree of latitude is about 111 m: check-in radii are this small.
  EXPECT_NEAR(HaversineMeters(30.2741, 120.1551, 30.2751, 120.1551), 111.2,
              0.1);
}

TEST(ValidateLatLngTest, AcceptsRealPoints) {
  EXPECT_TRUE(ValidateLatLng(39.9087, 116.3975, "location").ok());
  EXPECT_TRUE(ValidateLatLng(-33.86, 151.21, "location").ok());
  EXPECT_TRUE(ValidateLatLng(90, 180, "location").ok());
  EXPECT_TRUE(ValidateLatLng(-90, -180, "location").ok());
  // Only exactly (0, 0) is "missing"; the equator and the meridian are not.
  EXPECT_TRUE(ValidateLatLng(0, 116.4, "location").ok());
  EXPECT_TRUE(ValidateLatLng(39.9, 0, "location").ok());
  EXPECT_TRUE(ValidateLatLng(1e-9, 0, "location").ok());
}

TEST(ValidateLatLngTest, Rejections) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double lat, lng;
    std::string message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {0, 0, "account.location: is missing (0, 0 is not a location)"},
           {-0.0, 0, "account.location: is missing (0, 0 is not a location)"},
           {90.0001, 116, "account.location.lat: must be between -90 and 90"},
           {-91, 116, "account.location.lat: must be between -90 and 90"},
           {39.9, 180.5, "account.location.lng: must be between -180 and 180"},
           {39.9, -181, "account.location.lng: must be between -180 and 180"},
           {nan, 116, "account.location.lat: must be a number"},
           {39.9, nan, "account.location.lng: must be a number"},
           {inf, 116, "account.location.lat: must be a number"},
           {39.9, -inf, "account.location.lng: must be a number"},
       }) {
    absl::Status s = ValidateLatLng(c.lat, c.lng, "account.location");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(BoundingBoxTest, ShapeInChina) {
  const LatLngBox box = BoundingBox(39.9, 116.4, 1000);
  // 1 km is 0.008993 degrees of latitude; longitude degrees are shorter by
  // cos(39.9 degrees) = 0.767, so the box is wider in degrees.
  EXPECT_NEAR(box.max_lat - 39.9, 0.0089932, 1e-6);
  EXPECT_NEAR(39.9 - box.min_lat, 0.0089932, 1e-6);
  EXPECT_NEAR(box.max_lng - 116.4, 0.0089932 / std::cos(39.9 * M_PI / 180),
              1e-6);
  EXPECT_NEAR(116.4 - box.min_lng, box.max_lng - 116.4, 1e-9);
  // The edges are at the radius.
  EXPECT_NEAR(HaversineMeters(39.9, 116.4, box.max_lat, 116.4), 1000, 1e-6);
  EXPECT_NEAR(HaversineMeters(39.9, 116.4, box.min_lat, 116.4), 1000, 1e-6);
}

TEST(BoundingBoxTest, ContainsEveryPointWithinTheRadius) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lat_d(18, 53), lng_d(73, 135);
  std::uniform_real_distribution<double> radius_d(10, 500e3);
  std::uniform_real_distribution<double> offset(-6, 6);
  int inside = 0;
  for (int i = 0; i < 20000; ++i) {
    const double lat = lat_d(rng), lng = lng_d(rng), r = radius_d(rng);
    const LatLngBox box = BoundingBox(lat, lng, r);
    // Scale offsets to the radius so that many points fall inside.
    const double scale = r / 111e3;
    const double plat = lat + offset(rng) * scale / 3;
    const double plng = lng + offset(rng) * scale / 3;
    if (HaversineMeters(lat, lng, plat, plng) <= r) {
      ++inside;
      EXPECT_GE(plat, box.min_lat);
      EXPECT_LE(plat, box.max_lat);
      EXPECT_GE(plng, box.min_lng);
      EXPECT_LE(plng, box.max_lng);
    }
  }
  EXPECT_GT(inside, 3000);  // the test exercised the interesting case
}

TEST(BoundingBoxTest, WidestPointIsNotAtTheCenterLatitude) {
  // At high latitude the circle's widest longitude lies poleward of the
  // center, so lat +- delta, lng +- delta/cos(lat) would be too narrow.
  const double lat = 70, lng = 20, r = 1000e3;
  const LatLngBox box = BoundingBox(lat, lng, r);
  double widest = 0;
  for (double b = 0; b < 360; b += 0.01) {
    // Destination point at bearing b (spherical formula).
    const double d = r / kEarthRadiusMeters, phi = lat * M_PI / 180;
    const double br = b * M_PI / 180;
    const double phi2 = std::asin(std::sin(phi) * std::cos(d) +
                                  std::cos(phi) * std::sin(d) * std::cos(br));
    const double dl = std::atan2(std::sin(br) * std::sin(d) * std::cos(phi),
                                 std::cos(d) - std::sin(phi) * std::sin(phi2));
    widest = std::max(widest, dl * 180 / M_PI);
  }
  EXPECT_NEAR(box.max_lng - lng, widest, 1e-3);
  EXPECT_GT(box.max_lng - lng,
            (r / kEarthRadiusMeters) * 180 / M_PI / std::cos(lat * M_PI / 180));
}

TEST(BoundingBoxTest, PolesAndAntimeridianWidenToAllLongitudes) {
  LatLngBox box = BoundingBox(89.99, 10, 5000);
  EXPECT_DOUBLE_EQ(box.max_lat, 90);
  EXPECT_DOUBLE_EQ(box.min_lng, -180);
  EXPECT_DOUBLE_EQ(box.max_lng, 180);
  EXPECT_NEAR(box.min_lat, 89.99 - 0.044966, 1e-5);
  box = BoundingBox(-89.99, 10, 5000);
  EXPECT_DOUBLE_EQ(box.min_lat, -90);
  EXPECT_DOUBLE_EQ(box.min_lng, -180);
  box = BoundingBox(0, 179.99, 5000);
  EXPECT_DOUBLE_EQ(box.min_lng, -180);
  EXPECT_DOUBLE_EQ(box.max_lng, 180);
  EXPECT_NEAR(box.max_lat, 0.044966, 1e-5);
  box = BoundingBox(0, 0, 1e9);  // bigger than the Earth
  EXPECT_DOUBLE_EQ(box.min_lat, -90);
  EXPECT_DOUBLE_EQ(box.max_lat, 90);
  EXPECT_DOUBLE_EQ(box.min_lng, -180);
  EXPECT_DOUBLE_EQ(box.max_lng, 180);
}

TEST(BoundingBoxTest, ZeroAndNegativeRadius) {
  for (double r : {0.0, -5.0}) {
    const LatLngBox box = BoundingBox(31.2, 121.5, r);
    EXPECT_DOUBLE_EQ(box.min_lat, 31.2);
    EXPECT_DOUBLE_EQ(box.max_lat, 31.2);
    EXPECT_DOUBLE_EQ(box.min_lng, 121.5);
    EXPECT_DOUBLE_EQ(box.max_lng, 121.5);
  }
}

}  // namespace
}  // namespace crm::validate
