#include "service/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace imeiguard {
namespace {

TEST(ParseConfig, EmptyTextGivesDefaults) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.port, 8080);
  ASSERT_EQ(config->default_policy.connectors.size(), 1u);
  EXPECT_EQ(config->default_policy.connectors[0], "dm");
  EXPECT_TRUE(config->connectors.contains("dm"));
}

TEST(ParseConfig, ShipperStartsFromDefault) {
  auto config = ParseConfig(
      "[default]\nsilence_limit_hours = 10\nexception_damaged = \"lost\"\n"
      "[shippers.telco-a]\noverdue_grace_hours = 2\n",
      "test.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ShipperPolicy& telco = config->PolicyFor("telco-a");
  EXPECT_EQ(telco.detection.silence_limit, std::chrono::hours(10));
  EXPECT_EQ(telco.detection.overdue_grace, std::chrono::hours(2));
  EXPECT_EQ(telco.detection.exception_damaged, RuleOutcome::kLost);
  EXPECT_EQ(config->PolicyFor("unknown").detection.overdue_grace, std::chrono::hours(24));
}

TEST(ParseConfig, OutboxConfirmationSettingsRead) {
  auto config = ParseConfig(
      "[outbox]\norder_expiry_seconds = 7200\nconfirmation_deadline_seconds = 90\n"
      "reconcile_interval_seconds = 30\n",
      "outbox.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->outbox.order_expiry, std::chrono::hours(2));
  EXPECT_EQ(config->outbox.confirmation_deadline, std::chrono::seconds(90));
  EXPECT_EQ(config->outbox.reconcile_interval, std::chrono::seconds(30));
}

TEST(ParseConfig, OutboxConfirmationDefaults) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->outbox.order_expiry, std::chrono::hours(24));
  EXPECT_EQ(config->outbox.confirmation_deadline, std::chrono::minutes(15));
  EXPECT_EQ(config->outbox.reconcile_interval, std::chrono::minutes(5));
}

TEST(ParseConfig, ZeroOrderExpiryRejected) {
  auto config = ParseConfig("[outbox]\norder_expiry_seconds = 0\n", "zero.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(config.error().message.find("outbox.order_expiry_seconds"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("greater than 0"), std::string::npos);
}

TEST(ParseConfig, UnknownKeyNamedWithLine) {
  auto config = ParseConfig("[server]\nport = 80\nprot = 81\n", "typo.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(config.error().message.find("typo.toml:3"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("server.prot"), std::string::npos);
}

TEST(ParseConfig, ConsoleServedFromBuildByDefault) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.console_directory, std::string(IMEIGUARD_BINARY_DIR) + "/console-site");
}

TEST(ParseConfig, ConsoleDirectoryRead) {
  auto config = ParseConfig("[server]\nconsole_directory = \"\"\n", "off.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.console_directory, "");
}

TEST(ParseConfig, ConsoleDirectoryMustBeString) {
  auto config = ParseConfig("[server]\nconsole_directory = 5\n", "number.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("server.console_directory"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("must be a string"), std::string::npos);
}

TEST(ParseConfig, TlsOffByDefault) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.tls_certificate, "");
  EXPECT_EQ(config->server.tls_private_key, "");
  EXPECT_EQ(config->server.tls_client_ca, "");
}

TEST(ParseConfig, TlsSettingsRead) {
  auto config = ParseConfig(
      "[server]\ntls_certificate = \"s.crt\"\ntls_private_key = \"s.key\"\n"
      "tls_client_ca = \"ca.crt\"\ntls_client_certificate = \"optional\"\n",
      "tls.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.tls_certificate, "s.crt");
  EXPECT_EQ(config->server.tls_private_key, "s.key");
  EXPECT_EQ(config->server.tls_client_ca, "ca.crt");
  EXPECT_FALSE(config->server.tls_client_certificate_required);
}

TEST(ParseConfig, TlsClientCertificateRequiredByDefault) {
  auto config = ParseConfig(
      "[server]\ntls_certificate = \"s.crt\"\ntls_private_key = \"s.key\"\n"
      "tls_client_ca = \"ca.crt\"\n",
      "tls.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->server.tls_client_certificate_required);
}

TEST(ParseConfig, TlsIncompleteSettingsRejected) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case cases[] = {
      {"tls_certificate = \"s.crt\"\n",
       "setting 'server.tls_private_key' is required when tls_certificate is set"},
      {"tls_private_key = \"s.key\"\n",
       "setting 'server.tls_certificate' is required when tls_private_key is set"},
      {"tls_client_ca = \"ca.crt\"\n",
       "setting 'server.tls_certificate' is required when tls_client_ca is set"},
      {"tls_certificate = \"s.crt\"\ntls_private_key = \"s.key\"\n"
       "tls_client_certificate = \"required\"\n",
       "setting 'server.tls_client_ca' is required when tls_client_certificate is set"},
      {"tls_certificate = \"s.crt\"\ntls_private_key = \"s.key\"\ntls_client_ca = \"ca.crt\"\n"
       "tls_client_certificate = \"yes\"\n",
       "tls.toml:5: setting 'server.tls_client_certificate' must be \"required\" or \"optional\""},
  };
  for (const Case& c : cases) {
    auto config = ParseConfig("[server]\n" + std::string(c.text), "tls.toml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput) << c.text;
    EXPECT_NE(config.error().message.find(c.message), std::string::npos) << config.error().message;
  }
}

TEST(ParseConfig, BadOutcomeRejected) {
  auto config = ParseConfig("[default]\nsilence = \"lock\"\n", "x.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("\"lost\", \"suspect\" or \"ignore\""), std::string::npos);
}

TEST(ParseConfig, UnknownConnectorRejected) {
  auto config = ParseConfig("[shippers.a]\nconnectors = [\"nowhere\"]\n", "x.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("connector 'nowhere'"), std::string::npos);
}

TEST(ParseConfig, SecretComesFromEnvironment) {
  ::setenv("IMEIGUARD_TEST_SECRET", "s3cret", 1);
  auto config = ParseConfig(
      "[connectors.x]\nhost = \"127.0.0.1\"\nport = 9000\nsecret_env = \"IMEIGUARD_TEST_SECRET\"\n",
      "x.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->connectors.at("x").secret, "s3cret");
  EXPECT_EQ(config->connectors.at("x").port, 9000);
}

TEST(ParseConfig, MissingSecretVariableRejected) {
  ::unsetenv("IMEIGUARD_UNSET_SECRET");
  auto config = ParseConfig("[connectors.x]\nsecret_env = \"IMEIGUARD_UNSET_SECRET\"\n", "x.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("IMEIGUARD_UNSET_SECRET"), std::string::npos);
}

TEST(ParseConfig, MalformedTomlNamesLine) {
  auto config = ParseConfig("[server\nport = 1\n", "broken.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("broken.toml:1"), std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, IngestBoundsRead) {
  auto config = ParseConfig(
      "[ingest]\nmax_manifest_rows = 10\nmax_line_bytes = 1000\nmax_json_depth = 5\n"
      "max_field_bytes = 64\nmax_text_field_bytes = 128\n",
      "x.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->ingest.max_manifest_rows, 10);
  EXPECT_EQ(config->ingest.max_line_bytes, 1000u);
  EXPECT_EQ(config->ingest.max_json_depth, 5);
  EXPECT_EQ(config->ingest.max_field_bytes, 64u);
  EXPECT_EQ(config->ingest.max_text_field_bytes, 128u);
}

TEST(ParseConfig, DepthPastParserLimitRejected) {
  auto config = ParseConfig("[ingest]\nmax_json_depth = 33\n", "x.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("ingest.max_json_depth' must be an integer from 5 to 32"),
            std::string::npos)
      << config.error().message;
}

TEST(LoadConfig, ExampleFileShowsIngestDefaults) {
  ::setenv("IMEIGUARD_DM_SECRET", "example", 1);
  auto config = LoadConfig(std::string(IMEIGUARD_SOURCE_DIR) + "/config/imeiguard.example.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  IngestConfig defaults;
  EXPECT_EQ(config->ingest.max_batch_lines, defaults.max_batch_lines);
  EXPECT_EQ(config->ingest.max_manifest_rows, defaults.max_manifest_rows);
  EXPECT_EQ(config->ingest.max_line_bytes, defaults.max_line_bytes);
  EXPECT_EQ(config->ingest.max_json_depth, defaults.max_json_depth);
  EXPECT_EQ(config->ingest.max_field_bytes, defaults.max_field_bytes);
  EXPECT_EQ(config->ingest.max_text_field_bytes, defaults.max_text_field_bytes);
}

TEST(LoadConfig, ExampleFileShowsPrivacyDefaults) {
  ::setenv("IMEIGUARD_DM_SECRET", "example", 1);
  auto config = LoadConfig(std::string(IMEIGUARD_SOURCE_DIR) + "/config/imeiguard.example.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  PrivacyConfig defaults;
  EXPECT_EQ(config->privacy.retention, defaults.retention);
  EXPECT_EQ(config->privacy.purge_batch_parcels, defaults.purge_batch_parcels);
}

TEST(ParseConfig, SignalSettingsRead) {
  auto config = ParseConfig(
      "[default]\nlight_reweigh = \"suspect\"\nphone_mass_g = 150\nscale_tolerance_g = 25\n"
      "missed_arrival = \"suspect\"\ndwell = \"ignore\"\ntransit_floor_hours = 1\n"
      "transit_ceiling_hours = 20\ndwell_floor_hours = 3\ndwell_ceiling_hours = 30\n"
      "load_confirm_after_hours = 0.5\ntransit_confirm_after_hours = 6\n"
      "dwell_confirm_after_hours = 20\nquiet_min_history_hours = 36\nload_min_parcels = 4\n"
      "min_samples = 10\n"
      "outage_min_parcels = 8\nsame_handler = \"suspect\"\nhandler_min_parcels = 6\n"
      "handler_min_share = 0.75\nhandler_wait_floor_hours = 3\n"
      "handler_min_spread_hours = 4\npickup_wait_hours = 100\n"
      "claim_after_weak_proof = \"suspect\"\n"
      "claim_after_strong_proof = \"ignore\"\nclaim_confirm_after_hours = 12\n"
      "[shippers.telco-b]\nlock_policy = \"transit_hold\"\n",
      "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const DetectionPolicy& detection = config->PolicyFor("telco-b").detection;
  EXPECT_EQ(detection.light_reweigh, RuleOutcome::kSuspect);
  EXPECT_EQ(detection.phone_mass_g, 150);
  EXPECT_EQ(detection.scale_tolerance_g, 25);
  EXPECT_EQ(detection.missed_arrival, RuleOutcome::kSuspect);
  EXPECT_EQ(detection.dwell, RuleOutcome::kIgnore);
  EXPECT_EQ(detection.chain.transit_floor, std::chrono::hours(1));
  EXPECT_EQ(detection.chain.transit_ceiling, std::chrono::hours(20));
  EXPECT_EQ(detection.chain.dwell_floor, std::chrono::hours(3));
  EXPECT_EQ(detection.chain.dwell_ceiling, std::chrono::hours(30));
  EXPECT_EQ(detection.chain.load_confirm_after, std::chrono::minutes(30));
  EXPECT_EQ(detection.chain.transit_confirm_after, std::chrono::hours(6));
  EXPECT_EQ(detection.chain.dwell_confirm_after, std::chrono::hours(20));
  EXPECT_EQ(detection.chain.quiet_min_history, std::chrono::hours(36));
  EXPECT_EQ(detection.chain.load_min_parcels, 4);
  EXPECT_EQ(detection.chain.min_samples, 10);
  EXPECT_EQ(detection.chain.outage_min_parcels, 8);
  EXPECT_EQ(detection.same_handler, RuleOutcome::kSuspect);
  EXPECT_EQ(detection.chain.handler_min_parcels, 6);
  EXPECT_DOUBLE_EQ(detection.chain.handler_min_share, 0.75);
  EXPECT_EQ(detection.chain.handler_wait_floor, std::chrono::hours(3));
  EXPECT_EQ(detection.chain.handler_min_spread, std::chrono::hours(4));
  EXPECT_EQ(detection.pickup_wait, std::chrono::hours(100));
  EXPECT_EQ(detection.claim_after_weak_proof, RuleOutcome::kSuspect);
  EXPECT_EQ(detection.claim_after_strong_proof, RuleOutcome::kIgnore);
  EXPECT_EQ(detection.claim_confirm_after, std::chrono::hours(12));
  EXPECT_EQ(config->PolicyFor("telco-b").lock_policy, LockPolicy::kTransitHold);
  EXPECT_EQ(config->PolicyFor("telco-a").lock_policy, LockPolicy::kOnLoss);
}

TEST(ParseConfig, FloorAboveCeilingRejected) {
  auto config = ParseConfig("[default]\ndwell_floor_hours = 50\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(
      config.error().message.find("default.dwell_floor_hours' must not exceed dwell_ceiling_hours"),
      std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, UnknownLockPolicyRejected) {
  auto config = ParseConfig("[default]\nlock_policy = \"always\"\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(
      config.error().message.find("default.lock_policy' must be \"on_loss\" or \"transit_hold\""),
      std::string::npos)
      << config.error().message;
}

TEST(LoadConfig, ExampleFileShowsFeedDefaults) {
  ::setenv("IMEIGUARD_DM_SECRET", "example", 1);
  auto config = LoadConfig(std::string(IMEIGUARD_SOURCE_DIR) + "/config/imeiguard.example.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  WatermarkPolicy defaults;
  EXPECT_EQ(config->feed.allowed_lateness, defaults.allowed_lateness);
  EXPECT_EQ(config->feed.idle_after, defaults.idle_after);
}

TEST(ParseConfig, FeedSettingsRead) {
  auto config =
      ParseConfig("[feed]\nallowed_lateness_hours = 0.5\nidle_after_hours = 12\n", "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->feed.allowed_lateness, std::chrono::minutes(30));
  EXPECT_EQ(config->feed.idle_after, std::chrono::hours(12));
}

TEST(ParseConfig, FeedIdleOfZeroRejected) {
  auto config = ParseConfig("[feed]\nidle_after_hours = 0\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(config.error().message.find("feed.idle_after_hours' must be more than 0"),
            std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, ConsoleSettingsRead) {
  auto config = ParseConfig(
      "[console]\nlate_after = \"30m\"\nshift_starts = [7, 19]\nutc_offset = \"+02:00\"\n", "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->console.late_after, std::chrono::minutes(30));
  EXPECT_EQ(config->console.shifts.start_hours, (std::vector<int>{7, 19}));
  EXPECT_EQ(config->console.shifts.utc_offset_minutes, 120);
}

TEST(ParseConfig, ConsoleDefaults) {
  auto config = ParseConfig("", "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->console.late_after, std::chrono::hours(1));
  EXPECT_EQ(config->console.shifts.start_hours, (std::vector<int>{6, 14, 22}));
  EXPECT_EQ(config->console.shifts.utc_offset_minutes, 60);
}

TEST(ParseConfig, ConsoleUnorderedShiftsRejected) {
  auto config = ParseConfig("[console]\nshift_starts = [14, 6]\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(config.error().message.find("console.shift_starts' is invalid: shift start hours must "
                                        "ascend without repeats, but 6 follows 14"),
            std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, ConsoleShiftHourOutOfRangeRejected) {
  auto config = ParseConfig("[console]\nshift_starts = [6, 25]\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find(
                "console.shift_starts' must be an array of integers from 0 to 23"),
            std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, ConsoleBadOffsetRejected) {
  auto config = ParseConfig("[console]\nutc_offset = \"CET\"\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("console.utc_offset' must be an offset such as"),
            std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, RetentionReadInDays) {
  auto config = ParseConfig("[privacy]\nretention_days = 30\npurge_batch_parcels = 7\n", "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->privacy.retention, std::chrono::hours(24 * 30));
  EXPECT_EQ(config->privacy.purge_batch_parcels, 7);
}

TEST(ParseConfig, RetentionOfZeroDaysRejected) {
  auto config = ParseConfig("[privacy]\nretention_days = 0\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(
      config.error().message.find("privacy.retention_days' must be an integer from 1 to 3650"),
      std::string::npos)
      << config.error().message;
}

TEST(ParseConfig, UnknownPrivacyKeyRejected) {
  auto config = ParseConfig("[privacy]\nretention_dayz = 30\n", "test");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("privacy.retention_dayz' is not a known setting"),
            std::string::npos)
      << config.error().message;
}

TEST(LoadConfig, ExampleFileParses) {
  ::setenv("IMEIGUARD_DM_SECRET", "example", 1);
  auto config = LoadConfig(std::string(IMEIGUARD_SOURCE_DIR) + "/config/imeiguard.example.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->PolicyFor("telco-a").detection.silence_limit, std::chrono::hours(48));
  EXPECT_FALSE(config->PolicyFor("telco-a").LocksOnItsOwn("silence"));
  EXPECT_EQ(config->auto_lock_limit.max_auto_locks, Config{}.auto_lock_limit.max_auto_locks);
}

TEST(ParseConfig, AutoLockRulesPerShipper) {
  auto config = ParseConfig(
      "[default]\nauto_lock_rules = [\"exception_scan\", \"overdue\"]\n"
      "[shippers.telco-a]\nauto_lock_rules = []\n[shippers.telco-b]\nsilence_limit_hours = 1\n",
      "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->PolicyFor("other").LocksOnItsOwn("overdue"));
  EXPECT_FALSE(config->PolicyFor("other").LocksOnItsOwn("silence"));
  EXPECT_FALSE(config->PolicyFor("telco-a").LocksOnItsOwn("exception_scan"));
  EXPECT_TRUE(config->PolicyFor("telco-b").LocksOnItsOwn("exception_scan"));
  // Without the setting every rule locks on its own, but a declaration never does.
  auto defaults = ParseConfig("", "test");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->PolicyFor("x").LocksOnItsOwn("silence"));
  EXPECT_FALSE(defaults->PolicyFor("x").LocksOnItsOwn("manual"));
}

TEST(ParseConfig, AutoLockRulesNameKnownRules) {
  auto unknown = ParseConfig("[shippers.telco-a]\nauto_lock_rules = [\"silense\"]\n", "test");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("shippers.telco-a.auto_lock_rules' names an unknown rule "
                                         "\"silense\"; known rules: exception_scan, overdue"),
            std::string::npos)
      << unknown.error().message;
  auto manual = ParseConfig("[default]\nauto_lock_rules = [\"manual\"]\n", "test");
  ASSERT_FALSE(manual.ok());
  EXPECT_NE(manual.error().message.find("second security officer"), std::string::npos)
      << manual.error().message;
}

TEST(ParseConfig, AutoLockLimitGlobalAndPerShipper) {
  auto config = ParseConfig(
      "[detection]\nmax_auto_locks = 200\nauto_lock_window = \"30m\"\n"
      "[shippers.telco-a]\nmax_auto_locks = 20\nauto_lock_window = \"2d\"\n",
      "test");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->auto_lock_limit.max_auto_locks, 200);
  EXPECT_EQ(config->auto_lock_limit.window, std::chrono::minutes(30));
  EXPECT_EQ(config->PolicyFor("telco-a").auto_lock_limit.max_auto_locks, 20);
  EXPECT_EQ(config->PolicyFor("telco-a").auto_lock_limit.window, std::chrono::hours(48));
  EXPECT_EQ(config->PolicyFor("telco-b").auto_lock_limit.max_auto_locks, 0);
}

TEST(ParseConfig, AutoLockWindowNeedsAUnit) {
  for (std::string_view window : {"\"60\"", "\"1w\"", "\"0h\"", "\"h\"", "60", "\"-1h\""}) {
    auto config = ParseConfig("[detection]\nauto_lock_window = " + std::string(window) + "\n", "t");
    ASSERT_FALSE(config.ok()) << window;
    EXPECT_NE(config.error().message.find("detection.auto_lock_window' must be a span such as"),
              std::string::npos)
        << config.error().message;
  }
  auto negative = ParseConfig("[detection]\nmax_auto_locks = -1\n", "t");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("detection.max_auto_locks"), std::string::npos);
}

}  // namespace
}  // namespace imeiguard

namespace imeiguard {
namespace {

TEST(ParseConfig, ShipperConnectorsOfEveryKind) {
  auto config = ParseConfig(
      "[connectors.ops]\nkind = \"blocklist_file\"\ndirectory = \"var/blocklist\"\n"
      "delta_every_seconds = 30\nfull_every_hours = 6\nmin_full_ratio = 0.8\n"
      "[connectors.global]\nkind = \"blocklist_export\"\n"
      "[shippers.telco-a]\nconnectors = [\"dm\", \"ops\", \"global\"]\n",
      "kinds.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ConnectorConfig& ops = config->connectors.at("ops");
  EXPECT_EQ(ops.kind, "blocklist_file");
  EXPECT_EQ(ops.directory, "var/blocklist");
  EXPECT_EQ(ops.delta_every, std::chrono::seconds(30));
  EXPECT_EQ(ops.full_every, std::chrono::hours(6));
  EXPECT_DOUBLE_EQ(ops.min_full_ratio, 0.8);
  EXPECT_EQ(config->connectors.at("global").kind, "blocklist_export");
  EXPECT_EQ(config->PolicyFor("telco-a").connectors,
            (std::vector<std::string>{"dm", "ops", "global"}));
  EXPECT_EQ(config->PolicyFor("other").connectors, (std::vector<std::string>{"dm"}));
}

TEST(ParseConfig, ConnectorSettingsCheckedByKind) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case cases[] = {
      {"kind = \"ftp\"\n", "setting 'connectors.c.kind' must be \"dm_rest\" or"},
      {"kind = \"blocklist_file\"\n",
       "setting 'connectors.c.directory' is required for a connector of kind \"blocklist_file\""},
      {"kind = \"blocklist_file\"\ndirectory = \"d\"\nsecret_env = \"X\"\n",
       "setting 'connectors.c.secret_env' does not apply to a connector of kind "
       "\"blocklist_file\""},
      {"kind = \"dm_rest\"\ndirectory = \"d\"\n",
       "setting 'connectors.c.directory' does not apply to a connector of kind \"dm_rest\""},
      {"kind = \"blocklist_file\"\ndirectory = \"d\"\nmin_full_ratio = 1.5\n",
       "setting 'connectors.c.min_full_ratio' must be a number from 0 to 1"},
      {"kind = \"blocklist_file\"\ndirectory = \"d\"\ndelta_every_seconds = 7200\n"
       "full_every_hours = 1\n",
       "setting 'connectors.c.full_every_hours' must not be shorter than delta_every_seconds"},
  };
  for (const Case& c : cases) {
    auto config = ParseConfig("[connectors.c]\n" + std::string(c.text), "c.toml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput) << c.text;
    EXPECT_NE(config.error().message.find(c.message), std::string::npos) << config.error().message;
  }
}

TEST(ParseConfig, SecretMissingErrorNamesVariableOnly) {
  auto config =
      ParseConfig("[connectors.c]\nsecret_env = \"IMEIGUARD_TEST_SECRET_NOT_SET\"\n", "c.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("environment variable IMEIGUARD_TEST_SECRET_NOT_SET, "
                                        "which is not set"),
            std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace imeiguard

namespace imeiguard {
namespace {

TEST(ParseConfig, SecretFileReadAndNamedOnlyByPath) {
  std::string path = ::testing::TempDir() + "imeiguard-config-secret.txt";
  std::ofstream(path) << "file-secret-value\nsecond line ignored\n";
  auto config = ParseConfig("[connectors.c]\nsecret_file = \"" + path + "\"\n", "c.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->connectors.at("c").secret, "file-secret-value");
  std::remove(path.c_str());

  auto missing = ParseConfig("[connectors.c]\nsecret_file = \"" + path + "\"\n", "c.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read its secret file " + path), std::string::npos)
      << missing.error().message;
}

TEST(ParseConfig, EirListenerOffByDefault) {
  auto config = ParseConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->eir.n5g_listen.empty());
  EXPECT_EQ(config->eir.threads, 2);
}

TEST(ParseConfig, EirListenAddressAndPortSplit) {
  auto config = ParseConfig("[eir]\nn5g_listen = \"[::1]:8090\"\nthreads = 3\n", "eir.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->eir.n5g_address, "::1");
  EXPECT_EQ(config->eir.n5g_port, 8090);
  EXPECT_EQ(config->eir.threads, 3);
}

TEST(ParseConfig, EirListenWithoutPortRejected) {
  for (std::string_view listen : {"10.0.0.5", "10.0.0.5:http", "10.0.0.5:70000", ":8090"}) {
    auto config = ParseConfig("[eir]\nn5g_listen = \"" + std::string(listen) + "\"\n", "eir.toml");
    ASSERT_FALSE(config.ok()) << listen;
    EXPECT_EQ(config.error().kind, ErrorKind::kInvalidInput);
    EXPECT_NE(config.error().message.find("eir.n5g_listen"), std::string::npos)
        << config.error().message;
  }
}

}  // namespace
}  // namespace imeiguard

namespace imeiguard {
namespace {

TEST(ParseConfig, EpcisSettingsRead) {
  auto config = ParseConfig(
      "[epcis]\ncapture_limit = 50\ncapture_file_size_limit = 4096\n"
      "[epcis.node_types]\n\"urn:epc:id:sgln:7350000.00042.0\" = \"locker\"\n"
      "[epcis.biz_steps]\nsorting = \"sorted\"\n",
      "epcis.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->epcis.capture_limit, 50);
  EXPECT_EQ(config->epcis.capture_file_size_limit, 4096u);
  EXPECT_EQ(config->epcis.mapping.node_types.at("urn:epc:id:sgln:7350000.00042.0"),
            NodeType::kLocker);
  EXPECT_EQ(config->epcis.mapping.biz_steps.at("sorting"), ScanType::kSorted);
}

TEST(ParseConfig, EpcisUnknownNodeTypeNamed) {
  auto config =
      ParseConfig("[epcis.node_types]\n\"urn:epc:id:sgln:1.2.0\" = \"cellar\"\n", "epcis.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "epcis.toml:2: setting 'epcis.node_types.urn:epc:id:sgln:1.2.0' must be a node type: "
            "terminal, hub, vehicle, service_point, locker, mailbox or address");
}

TEST(ParseConfig, EpcisStepToOfficerTypeRejected) {
  auto config = ParseConfig("[epcis.biz_steps]\nholding = \"declared_lost\"\n", "epcis.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "epcis.toml:2: setting 'epcis.biz_steps.holding' must be a scan type such as "
            "\"sorted\"");
}

TEST(ParseConfig, EpcisFileLimitAboveBodyLimitRejected) {
  auto config = ParseConfig(
      "[server]\nmax_body_bytes = 2048\n[epcis]\ncapture_file_size_limit = 4096\n", "epcis.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "epcis.toml: setting 'epcis.capture_file_size_limit' (4096) must not exceed "
            "server.max_body_bytes (2048)");
}

}  // namespace
}  // namespace imeiguard
