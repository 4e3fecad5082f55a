#include "registry/manifest_json_lines.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

constexpr std::string_view kText = R"({"shipper_id": "a",
"parcels": [
 {"parcel_id": "p0",
  "devices": [{"imei": "1"},
   {"note": "a \"quoted\" {brace} [x]",
    "imei": "2"}]},
 {"parcel_id": "p1", "devices": [
   {"imei": "3"}]}
]}
)";

TEST(ManifestJsonLines, FindsObjectsAndKeys) {
  ManifestJsonLines lines(kText);
  EXPECT_EQ(lines.TopKey("shipper_id"), 1);
  EXPECT_EQ(lines.TopKey("parcels"), 2);
  EXPECT_EQ(lines.Parcel(0), 3);
  EXPECT_EQ(lines.ParcelKey(0, "devices"), 4);
  EXPECT_EQ(lines.Device(0, 0), 4);
  EXPECT_EQ(lines.Device(0, 1), 5);
  EXPECT_EQ(lines.DeviceKey(0, 1, "imei"), 6);
  EXPECT_EQ(lines.Parcel(1), 7);
  EXPECT_EQ(lines.Device(1, 0), 8);
}

TEST(ManifestJsonLines, FallsBackToObject) {
  ManifestJsonLines lines(kText);
  EXPECT_EQ(lines.DeviceKey(0, 1, "serial"), 5);
  EXPECT_EQ(lines.ParcelKey(1, "service"), 7);
  EXPECT_EQ(lines.Device(1, 5), 7);
  EXPECT_EQ(lines.Parcel(9), 2);
  EXPECT_EQ(lines.TopKey("missing"), 1);
}

TEST(ManifestJsonLines, LastRepeatedKeyCounts) {
  ManifestJsonLines lines("{\"parcels\": [{\"a\": 1}],\n\"parcels\": [\n{\"a\": 1}]}");
  EXPECT_EQ(lines.TopKey("parcels"), 2);
  EXPECT_EQ(lines.Parcel(0), 3);
}

TEST(ManifestJsonLines, NonObjectRoot) {
  ManifestJsonLines lines("[\n{\"parcels\": []}]");
  EXPECT_EQ(lines.TopKey("parcels"), 1);
  EXPECT_EQ(lines.Parcel(0), 1);
}

}  // namespace
}  // namespace imeiguard
