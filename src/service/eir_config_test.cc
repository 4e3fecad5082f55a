#include <gtest/gtest.h>

#include "service/config.h"

namespace imeiguard {
namespace {

TEST(EirConfig, DefaultsLeaveS13Off) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const S13Config& s13 = config->eir.s13;
  EXPECT_TRUE(s13.listen.empty());
  EXPECT_EQ(s13.origin_host, "eir.imeiguard.localdomain");
  EXPECT_EQ(s13.origin_realm, "imeiguard.localdomain");
  EXPECT_EQ(s13.watchdog_interval, std::chrono::seconds(30));
  EXPECT_EQ(s13.max_message_bytes, 65536u);
  EXPECT_EQ(s13.unknown_equipment, "equipment_unknown");
  EXPECT_TRUE(s13.capture_file.empty());
}

TEST(EirConfig, ReadsEverySetting) {
  auto config = ParseConfig(
      "[eir]\ns13_listen = \"127.0.0.1:3868\"\ns13_origin_host = \"eir1.carrier.example\"\n"
      "s13_origin_realm = \"carrier.example\"\ns13_watchdog_seconds = 6\n"
      "s13_max_message_bytes = 4096\ns13_unknown_equipment = \"whitelisted\"\n"
      "s13_capture_file = \"s13.pcap\"\n",
      "eir.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const S13Config& s13 = config->eir.s13;
  EXPECT_EQ(s13.listen, "127.0.0.1:3868");
  EXPECT_EQ(s13.origin_host, "eir1.carrier.example");
  EXPECT_EQ(s13.origin_realm, "carrier.example");
  EXPECT_EQ(s13.watchdog_interval, std::chrono::seconds(6));
  EXPECT_EQ(s13.max_message_bytes, 4096u);
  EXPECT_EQ(s13.unknown_equipment, "whitelisted");
  EXPECT_EQ(s13.capture_file, "s13.pcap");
}

TEST(EirConfig, ListenNeedsIpAndPort) {
  auto config = ParseConfig("[eir]\ns13_listen = \"eir.example:3868\"\n", "eir.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "eir.toml: setting 'eir.s13_listen' is \"eir.example:3868\", but must be "
            "\"address:port\" with an IP address, such as \"127.0.0.1:3868\" or \"[::1]:3868\"");
}

TEST(EirConfig, OriginHostMustBeIdentity) {
  auto config = ParseConfig("[eir]\ns13_origin_host = \"eir one\"\n", "eir.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("'eir.s13_origin_host' is \"eir one\""), std::string::npos)
      << config.error().message;
}

TEST(EirConfig, WatchdogBelowRfcMinimumRejected) {
  auto config = ParseConfig("[eir]\ns13_watchdog_seconds = 5\n", "eir.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("'eir.s13_watchdog_seconds' must be an integer from 6"),
            std::string::npos)
      << config.error().message;
}

TEST(EirConfig, UnknownEquipmentChoice) {
  auto config = ParseConfig("[eir]\ns13_unknown_equipment = \"blacklisted\"\n", "eir.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("eir.s13_unknown_equipment"), std::string::npos);
}

TEST(EirConfig, UnknownKeyRejected) {
  auto config = ParseConfig("[eir]\ns13_port = 3868\n", "eir.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("'eir.s13_port' is not a known setting"), std::string::npos)
      << config.error().message;
}

TEST(ParseListenAddress, Ipv4AndIpv6) {
  auto v4 = ParseListenAddress("127.0.0.1:3868");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->address, "127.0.0.1");
  EXPECT_EQ(v4->port, 3868);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 0);
}

TEST(ParseListenAddress, RejectsMalformed) {
  for (const char* text : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "::1:3868",
                           "localhost:3868", "127.0.0.1:38x8", ":3868"}) {
    EXPECT_FALSE(ParseListenAddress(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace imeiguard
