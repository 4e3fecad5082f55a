// imeiguard's configuration: one TOML file, every setting with a default so that an empty file
// (or none) runs the demo on the embedded store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "detection/engine.h"
#include "detection/hotspots.h"
#include "epcis/scan_mapping.h"
#include "service/feed_watermark.h"

namespace imeiguard {

// A bound on automatic locks: more than `max_auto_locks` within any `window` looks like a fault
// (a sorter breakdown, a wrong feed) rather than theft, so the locks beyond it wait for a security
// officer. 0 turns the bound off.
struct AutoLockLimit {
  int max_auto_locks = 0;
  Duration window = std::chrono::hours(1);
};

// When a shipper's devices are locked.
enum class LockPolicy {
  kOnLoss,       // Locked when the parcel is lost.
  kTransitHold,  // Held (locked) from the manifest until delivery or return releases them.
};

// Rules and connectors of one shipper.
struct ShipperPolicy {
  DetectionPolicy detection;
  LockPolicy lock_policy = LockPolicy::kOnLoss;
  std::vector<std::string> connectors;  // Names of [connectors.*] sections that lock its devices.
  // Rules whose lost verdict locks on its own; a lost verdict from any other rule waits for a
  // security officer's approval. Empty optional: every rule but a declaration of loss, which
  // always needs a second officer.
  std::optional<std::vector<std::string>> auto_lock_rules;
  // The shipper's own bound on automatic locks, counted beside the global one.
  AutoLockLimit auto_lock_limit;

  // Whether a lost verdict from `rule` may lock without an officer's approval.
  bool LocksOnItsOwn(std::string_view rule) const;
};

// Where the outbox applies orders. `kind` is one of:
//   "dm_rest"            a device-management REST platform (host, port, tenant, secret)
//   "blocklist_file"     the blocklist file feed for operators (directory and schedule)
//   "blocklist_export"   orders kept for `imeiguard export blocklist --connector NAME`
struct ConnectorConfig {
  std::string name;
  std::string kind = "dm_rest";
  // dm_rest:
  std::string host = "127.0.0.1";
  std::uint16_t port = 8081;
  std::string tenant;
  // The signing secret, read from the environment variable `secret_env` (or the file `secret_file`)
  // so that the configuration file holds no credential.
  std::string secret;
  Duration request_timeout = std::chrono::seconds(5);
  // blocklist_file:
  std::string directory;                            // Required; created when missing.
  Duration delta_every = std::chrono::seconds(60);  // How often the open delta is published.
  Duration full_every = std::chrono::hours(24);     // How often a full file is published.
  // A full file with fewer IMEIs than this share of what operators hold is not published.
  double min_full_ratio = 0.5;
};

struct OutboxConfig {
  int max_attempts = 10;
  Duration base_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::minutes(5);
  Duration poll_interval = std::chrono::seconds(2);
  // An order the platform has not taken within this time after it was created fails, with an
  // alert, like one that used up its attempts.
  Duration deadline = std::chrono::hours(1);
  // How long after its creation a lock order may still be sent. The platform receives the end as
  // not_after, so that it never applies a lock it kept for an offline device once the phone may
  // have reached its owner or a new one. Unlock orders never expire.
  Duration order_expiry = std::chrono::hours(24);
  // An order the platform has not confirmed (applied or rejected) this long after it was created
  // raises an alert; the outbox keeps following it.
  Duration confirmation_deadline = std::chrono::minutes(15);
  // How often the ticker compares open orders and locked devices with the platform's own view.
  Duration reconcile_interval = std::chrono::minutes(5);
};

struct IngestConfig {
  // How long events of parcels that no manifest names are kept in case the manifest is late.
  Duration pending_window = std::chrono::hours(72);
  int max_batch_lines = 50000;  // Non-blank lines of one POST /v1/events.
  std::string destination_zone = "Europe/Stockholm";
  // Bounds on request bodies, checked before anything of a body is stored.
  int max_manifest_rows = 50000;  // CSV rows, or JSON parcels and devices, of one manifest.
  std::size_t max_line_bytes = std::size_t{16} * 1024;  // Bytes of an NDJSON line, max 64 KiB.
  int max_json_depth = 16;  // Nesting of JSON objects and arrays, from 5 (a JSON manifest) to 32.
  std::size_t max_field_bytes = 256;        // Bytes of a stored manifest or event field.
  std::size_t max_text_field_bytes = 4096;  // Bytes of the free-text "detail" and "model".
};

// [epcis]: the EPCIS 2.0 capture interface.
struct EpcisConfig {
  // Events of one captured document (GS1-EPCIS-Capture-Limit).
  int capture_limit = 10000;
  // Bytes of one captured document (GS1-EPCIS-Capture-File-Size-Limit); at most
  // server.max_body_bytes.
  std::size_t capture_file_size_limit = 16u << 20;
  // [epcis.node_types] and [epcis.biz_steps]: the carrier's part of the mapping to scans.
  epcis::MappingRules mapping;
};

struct PrivacyConfig {
  // How long after a parcel was delivered or returned the link between its IMEIs and the parcel
  // is kept, unless the parcel had a case (a suspect, lost or recovered verdict or a lock order).
  // Once it ends, the retention purge removes the parcel's devices and keeps its history and
  // verdict.
  Duration retention = std::chrono::hours(24 * 90);
  // Parcels purged in one store transaction. Ingest waits for each transaction, so smaller batches
  // delay it less.
  int purge_batch_parcels = 500;
};

// Settings of the security officers' console: when a scan counts as uploaded late, and the shifts
// of local time that hotspot analysis groups scans by.
struct ConsoleConfig {
  // A scan that reached the carrier's systems more than this after it happened is late.
  Duration late_after = std::chrono::hours(1);
  ShiftSchedule shifts;  // [console] shift_starts and utc_offset.
};

struct ServerConfig {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 4;
  std::size_t max_body_bytes = 32u << 20;
  // The public check's rate limit per caller (API key, or IP address without one): requests a
  // minute on average, and at once.
  int check_per_minute = 60;
  int check_burst = 20;
  // HTTPS, off while tls_certificate is empty. Paths of PEM files, relative to the working
  // directory. The files are loaded when the server starts.
  std::string tls_certificate;
  std::string tls_private_key;
  // CA certificates that sign client certificates. Empty: no client certificate is requested.
  std::string tls_client_ca;
  // With tls_client_ca: true fails a handshake without a client certificate, false accepts it
  // (but still rejects a certificate that does not verify).
  bool tls_client_certificate_required = true;
  // The web console's built files, served under /console/. Empty serves no console. DefaultConfig
  // sets it to the folder that this build's front-end step writes.
  std::string console_directory;
};

// The Diameter S13 interface of the network EIR ([eir] s13_*).
struct S13Config {
  // "address:port" to listen on, such as "127.0.0.1:3868" or "[::1]:3868". Empty: off.
  std::string listen;
  // This node's Diameter identity: Origin-Host (an FQDN) and Origin-Realm.
  std::string origin_host = "eir.imeiguard.localdomain";
  std::string origin_realm = "imeiguard.localdomain";
  // Tw of RFC 3539: a peer silent this long gets a Device-Watchdog-Request, and is disconnected
  // when it does not answer within as long again. RFC 3539 sets 6 s as the minimum.
  Duration watchdog_interval = std::chrono::seconds(30);
  std::size_t max_message_bytes = 65536;  // Larger messages close the connection.
  // How a device that imeiguard has no record of is answered: "equipment_unknown" (Experimental-
  // Result 5422, as 3GPP TS 29.272 defines) or "whitelisted".
  std::string unknown_equipment = "equipment_unknown";
  // A pcap file of every S13 connection, for troubleshooting, which contains IMEIs and IMSIs.
  // Empty: off.
  std::string capture_file;
};

// [eir]: the network EIR interfaces.
struct EirConfig {
  // The N5g-eir listener as "address:port" ("[::1]:port" for IPv6), serving HTTP/2 with prior
  // knowledge and HTTP/1.1. Empty, the default: off. The listener has no API keys, so bind it to
  // the signalling network's address only, never to a public one.
  std::string n5g_listen;
  std::string n5g_address;     // Split from n5g_listen by LoadConfig.
  std::uint16_t n5g_port = 0;  // Split from n5g_listen; 0 picks a free port.
  int threads = 2;
  S13Config s13;
};

struct Config {
  std::string store_path = "var/imeiguard.db";
  ServerConfig server;
  EirConfig eir;
  IngestConfig ingest;
  EpcisConfig epcis;
  OutboxConfig outbox;
  PrivacyConfig privacy;
  WatermarkPolicy feed;  // [feed]: when the carrier feed counts as complete up to an event time.
  ConsoleConfig console;
  Duration tick_interval = std::chrono::seconds(1);  // How often silence and overdue deadlines run.
  // The bound on automatic locks of all shippers together ([detection] max_auto_locks and
  // auto_lock_window). Generous enough for a burst of real thefts, such as a stolen cage of
  // several hundred parcels.
  AutoLockLimit auto_lock_limit{1000, std::chrono::hours(1)};
  ShipperPolicy default_policy;
  std::map<std::string, ShipperPolicy> shippers;
  std::map<std::string, ConnectorConfig> connectors;

  // The policy of `shipper_id`, or the default policy for a shipper the file does not name.
  const ShipperPolicy& PolicyFor(const std::string& shipper_id) const;
};

// An IP address and port to listen on.
struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};

// Parses "127.0.0.1:3868" or "[::1]:3868": a numeric IPv4 or bracketed IPv6 address and a port
// from 0 (any free port) to 65535. std::nullopt for anything else, host names included.
std::optional<ListenAddress> ParseListenAddress(std::string_view text);

// The configuration used when no file is given, and the base a file starts from: the reference
// device-management simulator on 127.0.0.1:8081 as connector "dm" for every shipper, with its
// signing secret from the environment variable IMEIGUARD_DM_SECRET.
Config DefaultConfig();

// Reads a configuration file. Unknown keys are errors (a typo must not silently keep a default).
// Returns kInvalidInput naming the file, the key and the line for a malformed or invalid file.
Result<Config> LoadConfig(const std::string& path);

// Parses configuration text; `origin` names it in error messages.
Result<Config> ParseConfig(std::string_view text, std::string_view origin);

}  // namespace imeiguard
