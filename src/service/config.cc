#include "service/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>

namespace imeiguard {
namespace {

// Reads one TOML table, remembering which keys were read so that the rest can be reported as
// unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string_view origin)
      : table_(table), path_(std::move(path)), origin_(origin) {}

  Status Hours(std::string_view key, Duration& out) { return Number(key, out, 3600'000.0); }
  Status Seconds(std::string_view key, Duration& out) { return Number(key, out, 1000.0); }
  Status Millis(std::string_view key, Duration& out) { return Number(key, out, 1.0); }

  Status Integer(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    auto value = node->value<std::int64_t>();
    if (!value || *value < min || *value > max) {
      return Invalid(
          key, *node,
          "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = *value;
    return Status::Ok();
  }

  Status String(std::string_view key, std::string& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    auto value = node->value<std::string>();
    if (!value) return Invalid(key, *node, "must be a string");
    out = *value;
    return Status::Ok();
  }

  Status Strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Invalid(key, *node, "must be an array of strings");
    out.clear();
    for (const toml::node& element : *array) {
      auto value = element.value<std::string>();
      if (!value) return Invalid(key, element, "must be an array of strings");
      out.push_back(*value);
    }
    return Status::Ok();
  }

  Status Integers(std::string_view key, std::int64_t min, std::int64_t max, std::vector<int>& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    std::string what =
        "must be an array of integers from " + std::to_string(min) + " to " + std::to_string(max);
    if (array == nullptr) return Invalid(key, *node, what);
    out.clear();
    for (const toml::node& element : *array) {
      auto value = element.value<std::int64_t>();
      if (!value || *value < min || *value > max) return Invalid(key, element, what);
      out.push_back(static_cast<int>(*value));
    }
    return Status::Ok();
  }

  Status Ratio(std::string_view key, double& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    auto value = node->value<double>();
    if (!value || *value < 0 || *value > 1)
      return Invalid(key, *node, "must be a number from 0 to 1");
    out = *value;
    return Status::Ok();
  }

  // Reads a span of time written as a whole number and a unit, such as "90s", "30m", "1h" or "2d".
  Status Span(std::string_view key, Duration& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    static const std::map<char, Duration> kUnits = {{'s', std::chrono::seconds(1)},
                                                    {'m', std::chrono::minutes(1)},
                                                    {'h', std::chrono::hours(1)},
                                                    {'d', std::chrono::hours(24)}};
    std::string text = node->value<std::string>().value_or("");
    auto unit = text.empty() ? kUnits.end() : kUnits.find(text.back());
    std::int64_t amount = 0;
    const char* digits_end = text.data() + (text.empty() ? 0 : text.size() - 1);
    auto [end, error] = std::from_chars(text.data(), digits_end, amount);
    if (unit == kUnits.end() || error != std::errc() || end != digits_end || amount <= 0 ||
        amount > 366 * 24 * 3600) {
      return Invalid(key, *node, "must be a span such as \"90s\", \"30m\", \"1h\" or \"2d\"");
    }
    out = amount * unit->second;
    return Status::Ok();
  }

  // Reads rule names, each of which must be one the engine writes into evidence.
  Status Rules(std::string_view key, std::optional<std::vector<std::string>>& out) {
    std::vector<std::string> rules;
    if (Status s = Strings(key, rules); !s.ok()) return s;
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    for (const std::string& rule : rules) {
      if (rule == kRuleManual) {
        return Invalid(key, *node,
                       "may not name \"manual\": a declaration of loss always waits for a second "
                       "security officer's approval");
      }
      if (std::find(std::begin(kRuleNames), std::end(kRuleNames), rule) == std::end(kRuleNames)) {
        std::string known;
        for (std::string_view name : kRuleNames) {
          if (name == kRuleManual) continue;
          known += known.empty() ? "" : ", ";
          known += name;
        }
        return Invalid(key, *node, "names an unknown rule \"" + rule + "\"; known rules: " + known);
      }
    }
    out = std::move(rules);
    return Status::Ok();
  }

  Status Outcome(std::string_view key, RuleOutcome& out) {
    std::string text;
    if (Status s = String(key, text); !s.ok()) return s;
    if (text.empty()) return Status::Ok();
    if (text == "lost") {
      out = RuleOutcome::kLost;
    } else if (text == "suspect") {
      out = RuleOutcome::kSuspect;
    } else if (text == "ignore") {
      out = RuleOutcome::kIgnore;
    } else {
      return Invalid(key, *Find(key), "must be \"lost\", \"suspect\" or \"ignore\"");
    }
    return Status::Ok();
  }

  // Reads a string that must be one of `choices`, and leaves `out` alone when the key is absent.
  Status Choice(std::string_view key, std::initializer_list<std::string_view> choices,
                std::string& out) {
    std::string text;
    if (Status s = String(key, text); !s.ok()) return s;
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    std::string expected;
    for (std::string_view choice : choices) {
      if (choice == text) {
        out = text;
        return Status::Ok();
      }
      expected += expected.empty() ? "" : " or ";
      expected += "\"" + std::string(choice) + "\"";
    }
    return Invalid(key, *node, "must be " + expected);
  }

  // Returns the error for `key`, which the table lacks although another setting needs it.
  Error Missing(std::string_view key, std::string_view what) const {
    std::ostringstream message;
    message << origin_ << ": setting '" << path_ << (path_.empty() ? "" : ".") << key << "' "
            << what;
    return Error::InvalidInput("config", message.str());
  }

  const toml::table* Subtable(std::string_view key) {
    const toml::node* node = Find(key);
    return node == nullptr ? nullptr : node->as_table();
  }

  // Reports the first key that no reader asked for.
  Status RejectUnknownKeys() const {
    for (const auto& [key, node] : table_) {
      if (!read_.contains(std::string(key.str()))) {
        return Invalid(key.str(), node, "is not a known setting");
      }
    }
    return Status::Ok();
  }

  const std::string& path() const { return path_; }

 private:
  const toml::node* Find(std::string_view key) {
    read_.insert(std::string(key));
    return table_.get(key);
  }

  Status Number(std::string_view key, Duration& out, double millis_per_unit) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    auto value = node->value<double>();
    if (!value || *value < 0) return Invalid(key, *node, "must be a non-negative number");
    out = Duration(static_cast<std::int64_t>(*value * millis_per_unit));
    return Status::Ok();
  }

  Error Invalid(std::string_view key, const toml::node& node, std::string_view what) const {
    std::ostringstream message;
    message << origin_ << ":" << node.source().begin.line << ": setting '" << path_
            << (path_.empty() ? "" : ".") << key << "' " << what;
    return Error::InvalidInput("config", message.str());
  }

  const toml::table& table_;
  std::string path_;
  std::string_view origin_;
  std::set<std::string> read_;
};

Status ReadDetection(TableReader& reader, DetectionPolicy& policy) {
  ChainLimits& chain = policy.chain;
  std::int64_t phone_mass = policy.phone_mass_g;
  std::int64_t tolerance = policy.scale_tolerance_g;
  std::int64_t outage_parcels = chain.outage_min_parcels;
  std::int64_t handler_parcels = chain.handler_min_parcels;
  std::int64_t load_parcels = chain.load_min_parcels;
  std::int64_t min_samples = chain.min_samples;
  for (Status s : {reader.Hours("overdue_grace_hours", policy.overdue_grace),
                   reader.Hours("silence_limit_hours", policy.silence_limit),
                   reader.Outcome("overdue", policy.overdue),
                   reader.Outcome("silence", policy.silence),
                   reader.Outcome("exception_missing", policy.exception_missing),
                   reader.Outcome("exception_opened", policy.exception_opened),
                   reader.Outcome("exception_damaged", policy.exception_damaged),
                   reader.Outcome("light_reweigh", policy.light_reweigh),
                   reader.Integer("phone_mass_g", 1, 5000, phone_mass),
                   reader.Integer("scale_tolerance_g", 0, 1000, tolerance),
                   reader.Outcome("missed_arrival", policy.missed_arrival),
                   reader.Outcome("dwell", policy.dwell),
                   reader.Outcome("quiet_wait", policy.quiet_wait),
                   reader.Outcome("same_handler", policy.same_handler),
                   reader.Integer("handler_min_parcels", 2, 1000000, handler_parcels),
                   reader.Ratio("handler_min_share", chain.handler_min_share),
                   reader.Hours("handler_wait_floor_hours", chain.handler_wait_floor),
                   reader.Hours("handler_min_spread_hours", chain.handler_min_spread),
                   reader.Hours("transit_floor_hours", chain.transit_floor),
                   reader.Hours("transit_ceiling_hours", chain.transit_ceiling),
                   reader.Hours("dwell_floor_hours", chain.dwell_floor),
                   reader.Hours("dwell_ceiling_hours", chain.dwell_ceiling),
                   reader.Hours("load_confirm_after_hours", chain.load_confirm_after),
                   reader.Hours("transit_confirm_after_hours", chain.transit_confirm_after),
                   reader.Hours("dwell_confirm_after_hours", chain.dwell_confirm_after),
                   reader.Hours("quiet_confirm_after_hours", chain.quiet_confirm_after),
                   reader.Hours("quiet_min_history_hours", chain.quiet_min_history),
                   reader.Integer("load_min_parcels", 1, 1000000, load_parcels),
                   reader.Integer("min_samples", 1, 100000, min_samples),
                   reader.Integer("outage_min_parcels", 2, 1000000, outage_parcels),
                   reader.Hours("pickup_wait_hours", policy.pickup_wait),
                   reader.Outcome("claim_after_weak_proof", policy.claim_after_weak_proof),
                   reader.Outcome("claim_after_strong_proof", policy.claim_after_strong_proof),
                   reader.Hours("claim_confirm_after_hours", policy.claim_confirm_after)}) {
    if (!s.ok()) return s;
  }
  policy.phone_mass_g = static_cast<std::int32_t>(phone_mass);
  policy.scale_tolerance_g = static_cast<std::int32_t>(tolerance);
  chain.outage_min_parcels = static_cast<int>(outage_parcels);
  chain.handler_min_parcels = static_cast<int>(handler_parcels);
  chain.load_min_parcels = static_cast<int>(load_parcels);
  chain.min_samples = static_cast<int>(min_samples);
  if (chain.transit_floor > chain.transit_ceiling) {
    return reader.Missing("transit_floor_hours", "must not exceed transit_ceiling_hours");
  }
  if (chain.dwell_floor > chain.dwell_ceiling) {
    return reader.Missing("dwell_floor_hours", "must not exceed dwell_ceiling_hours");
  }
  if (policy.scale_tolerance_g >= policy.phone_mass_g) {
    return reader.Missing("scale_tolerance_g", "must be less than phone_mass_g");
  }
  return Status::Ok();
}

// max_auto_locks and auto_lock_window, in [detection] and in a shipper's table.
Status ReadAutoLockLimit(TableReader& reader, AutoLockLimit& limit) {
  std::int64_t max_locks = limit.max_auto_locks;
  for (Status s : {reader.Integer("max_auto_locks", 0, 1'000'000, max_locks),
                   reader.Span("auto_lock_window", limit.window)}) {
    if (!s.ok()) return s;
  }
  limit.max_auto_locks = static_cast<int>(max_locks);
  return Status::Ok();
}

Status ReadShipper(const toml::table& table, const std::string& path, std::string_view origin,
                   const ShipperPolicy& base, ShipperPolicy& out) {
  out = base;
  TableReader reader(table, path, origin);
  if (Status s = ReadDetection(reader, out.detection); !s.ok()) return s;
  if (Status s = reader.Strings("connectors", out.connectors); !s.ok()) return s;
  if (Status s = reader.Rules("auto_lock_rules", out.auto_lock_rules); !s.ok()) return s;
  if (Status s = ReadAutoLockLimit(reader, out.auto_lock_limit); !s.ok()) return s;
  std::string lock_policy;
  if (Status s = reader.Choice("lock_policy", {"on_loss", "transit_hold"}, lock_policy); !s.ok()) {
    return s;
  }
  if (!lock_policy.empty()) {
    out.lock_policy =
        lock_policy == "transit_hold" ? LockPolicy::kTransitHold : LockPolicy::kOnLoss;
  }
  return reader.RejectUnknownKeys();
}

// Rejects the settings of `table` that connectors of another kind take, naming the first.
Status RejectForeignKeys(const toml::table& table, const ConnectorConfig& connector,
                         std::initializer_list<std::string_view> keys, std::string_view origin) {
  for (std::string_view key : keys) {
    if (!table.contains(key)) continue;
    return Error::InvalidInput("config", std::string(origin) + ": setting 'connectors." +
                                             connector.name + "." + std::string(key) +
                                             "' does not apply to a connector of kind \"" +
                                             connector.kind + "\"");
  }
  return Status::Ok();
}

// Reads the secret named by secret_env or secret_file. Messages name the variable or the file,
// never the secret.
Status ReadSecret(const std::string& name, const std::string& secret_env,
                  const std::string& secret_file, std::string_view origin, std::string& secret) {
  if (!secret_env.empty()) {
    const char* value = std::getenv(secret_env.c_str());
    if (value == nullptr) {
      return Error::InvalidInput("config", std::string(origin) + ": connector '" + name +
                                               "' reads its secret from environment variable " +
                                               secret_env + ", which is not set");
    }
    secret = value;
  } else if (!secret_file.empty()) {
    std::ifstream file(secret_file);
    if (!file || !std::getline(file, secret)) {
      return Error::InvalidInput("config", std::string(origin) + ": connector '" + name +
                                               "' cannot read its secret file " + secret_file);
    }
  }
  return Status::Ok();
}

Status ReadConnector(const toml::table& table, const std::string& name, std::string_view origin,
                     ConnectorConfig& out) {
  out.name = name;
  TableReader reader(table, "connectors." + name, origin);
  if (Status s = reader.Choice("kind", {"dm_rest", "blocklist_file", "blocklist_export"}, out.kind);
      !s.ok()) {
    return s;
  }
  std::int64_t port = out.port;
  std::string secret_env;
  std::string secret_file;
  for (Status s : {reader.String("host", out.host), reader.Integer("port", 1, 65535, port),
                   reader.String("tenant", out.tenant), reader.String("secret_env", secret_env),
                   reader.String("secret_file", secret_file),
                   reader.Millis("request_timeout_ms", out.request_timeout),
                   reader.String("directory", out.directory),
                   reader.Seconds("delta_every_seconds", out.delta_every),
                   reader.Hours("full_every_hours", out.full_every),
                   reader.Ratio("min_full_ratio", out.min_full_ratio)}) {
    if (!s.ok()) return s;
  }
  if (Status s = reader.RejectUnknownKeys(); !s.ok()) return s;
  out.port = static_cast<std::uint16_t>(port);

  const std::initializer_list<std::string_view> kDmRestKeys = {
      "host", "port", "tenant", "secret_env", "secret_file", "request_timeout_ms"};
  const std::initializer_list<std::string_view> kBlocklistFileKeys = {
      "directory", "delta_every_seconds", "full_every_hours", "min_full_ratio"};
  if (out.kind != "dm_rest") {
    if (Status s = RejectForeignKeys(table, out, kDmRestKeys, origin); !s.ok()) return s;
  }
  if (out.kind != "blocklist_file") {
    if (Status s = RejectForeignKeys(table, out, kBlocklistFileKeys, origin); !s.ok()) return s;
  }
  if (out.kind == "blocklist_file" && out.directory.empty()) {
    return reader.Missing("directory", "is required for a connector of kind \"blocklist_file\"");
  }
  if (out.kind == "blocklist_file" && out.full_every < out.delta_every) {
    return reader.Missing("full_every_hours", "must not be shorter than delta_every_seconds");
  }
  return ReadSecret(name, secret_env, secret_file, origin, out.secret);
}

// Reads the tls_* settings of [server] and rejects combinations that would be ignored.
Status ReadServerTls(TableReader& reader, ServerConfig& server) {
  std::string client_certificate;
  for (Status s :
       {reader.String("tls_certificate", server.tls_certificate),
        reader.String("tls_private_key", server.tls_private_key),
        reader.String("tls_client_ca", server.tls_client_ca),
        reader.Choice("tls_client_certificate", {"required", "optional"}, client_certificate)}) {
    if (!s.ok()) return s;
  }
  if (!client_certificate.empty()) {
    server.tls_client_certificate_required = client_certificate == "required";
  }

  bool has_certificate = !server.tls_certificate.empty();
  if (has_certificate && server.tls_private_key.empty()) {
    return reader.Missing("tls_private_key", "is required when tls_certificate is set");
  }
  if (!has_certificate && !server.tls_private_key.empty()) {
    return reader.Missing("tls_certificate", "is required when tls_private_key is set");
  }
  if (!has_certificate && !server.tls_client_ca.empty()) {
    return reader.Missing("tls_certificate", "is required when tls_client_ca is set");
  }
  if (server.tls_client_ca.empty() && !client_certificate.empty()) {
    return reader.Missing("tls_client_ca", "is required when tls_client_certificate is set");
  }
  return Status::Ok();
}

// Whether `text` is a DiameterIdentity that imeiguard accepts: letters, digits, '-' and '.'.
bool IsDiameterIdentity(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

// Reads the s13_* settings of [eir].
Status ReadS13(TableReader& r, S13Config& s13) {
  std::int64_t watchdog_seconds = s13.watchdog_interval / std::chrono::seconds(1);
  auto max_message = static_cast<std::int64_t>(s13.max_message_bytes);
  for (Status s : {r.String("s13_listen", s13.listen), r.String("s13_origin_host", s13.origin_host),
                   r.String("s13_origin_realm", s13.origin_realm),
                   r.Integer("s13_watchdog_seconds", 6, 3600, watchdog_seconds),
                   r.Integer("s13_max_message_bytes", 1024, 16 << 20, max_message),
                   r.Choice("s13_unknown_equipment", {"equipment_unknown", "whitelisted"},
                            s13.unknown_equipment),
                   r.String("s13_capture_file", s13.capture_file)}) {
    if (!s.ok()) return s;
  }
  s13.watchdog_interval = std::chrono::seconds(watchdog_seconds);
  s13.max_message_bytes = static_cast<std::size_t>(max_message);
  if (!s13.listen.empty() && !ParseListenAddress(s13.listen)) {
    return r.Missing("s13_listen",
                     "is \"" + s13.listen +
                         "\", but must be \"address:port\" with an IP address, such as "
                         "\"127.0.0.1:3868\" or \"[::1]:3868\"");
  }
  if (!IsDiameterIdentity(s13.origin_host)) {
    return r.Missing("s13_origin_host", "is \"" + s13.origin_host +
                                            "\", but must be an FQDN of letters, digits, '-' "
                                            "and '.'");
  }
  if (!IsDiameterIdentity(s13.origin_realm)) {
    return r.Missing("s13_origin_realm", "is \"" + s13.origin_realm +
                                             "\", but must be a realm of letters, digits, '-' "
                                             "and '.'");
  }
  return Status::Ok();
}

// Reads a table whose keys are free (location ids, business steps) and whose values are names
// that `parse` turns into a value, such as [epcis.node_types].
template <typename Value, typename Parse>
Status ReadNamedValues(const toml::table& table, const std::string& path, std::string_view origin,
                       std::string_view expected, Parse parse,
                       std::map<std::string, Value, std::less<>>& out) {
  for (const auto& [key, node] : table) {
    auto name = node.template value<std::string>();
    std::optional<Value> value = name ? parse(*name) : std::nullopt;
    if (!value) {
      return Error::InvalidInput("config", std::string(origin) + ":" +
                                               std::to_string(node.source().begin.line) +
                                               ": setting '" + path + "." + std::string(key.str()) +
                                               "' must be " + std::string(expected));
    }
    out[std::string(key.str())] = *value;
  }
  return Status::Ok();
}

// Reads [console]: late_after, utc_offset and shift_starts.
Status ReadConsole(const toml::table& table, std::string_view origin, ConsoleConfig& console) {
  TableReader r(table, "console", origin);
  std::string offset = FormatUtcOffset(console.shifts.utc_offset_minutes);
  for (Status s :
       {r.Span("late_after", console.late_after), r.String("utc_offset", offset),
        r.Integers("shift_starts", 0, 23, console.shifts.start_hours), r.RejectUnknownKeys()}) {
    if (!s.ok()) return s;
  }
  Result<int> minutes = ParseUtcOffset(offset);
  if (!minutes.ok()) {
    return r.Missing("utc_offset",
                     "must be an offset such as \"+01:00\", \"-05:30\" or \"Z\", "
                     "from -14:00 to +14:00, not \"" +
                         offset + "\"");
  }
  console.shifts.utc_offset_minutes = *minutes;
  if (Status valid = console.shifts.Validate(); !valid.ok()) {
    return r.Missing("shift_starts", "is invalid: " + valid.error().message);
  }
  return Status::Ok();
}

// Reads [eir]: the N5g-eir listener, then the s13_* settings.
Status ReadEir(TableReader& reader, EirConfig& eir) {
  std::int64_t threads = eir.threads;
  for (Status s :
       {reader.String("n5g_listen", eir.n5g_listen), reader.Integer("threads", 1, 256, threads),
        ReadS13(reader, eir.s13), reader.RejectUnknownKeys()}) {
    if (!s.ok()) return s;
  }
  eir.threads = static_cast<int>(threads);
  if (eir.n5g_listen.empty()) return Status::Ok();
  std::optional<ListenAddress> listen = ParseListenAddress(eir.n5g_listen);
  if (!listen) {
    return reader.Missing("n5g_listen",
                          "must be \"address:port\" with an IP address and a port from 0 to "
                          "65535, such as \"10.20.0.5:8090\" or \"[::1]:8090\"");
  }
  eir.n5g_address = listen->address;
  eir.n5g_port = listen->port;
  return Status::Ok();
}

Status ReadEpcis(const toml::table& table, std::string_view origin, Config& config) {
  TableReader r(table, "epcis", origin);
  EpcisConfig& epcis = config.epcis;
  std::int64_t limit = epcis.capture_limit;
  auto size_limit = static_cast<std::int64_t>(epcis.capture_file_size_limit);
  for (Status s : {r.Integer("capture_limit", 1, 1'000'000, limit),
                   r.Integer("capture_file_size_limit", 1024, 1LL << 30, size_limit)}) {
    if (!s.ok()) return s;
  }
  if (const toml::table* node_types = r.Subtable("node_types")) {
    Status s = ReadNamedValues<NodeType>(
        *node_types, "epcis.node_types", origin,
        "a node type: terminal, hub, vehicle, service_point, locker, mailbox or address",
        [](const std::string& name) { return ParseNodeType(name); }, epcis.mapping.node_types);
    if (!s.ok()) return s;
  }
  if (const toml::table* steps = r.Subtable("biz_steps")) {
    Status s = ReadNamedValues<ScanType>(
        *steps, "epcis.biz_steps", origin, "a scan type such as \"sorted\"",
        [](const std::string& name) -> std::optional<ScanType> {
          std::optional<ScanType> type = ParseScanType(name);
          if (type && !IsCarrierScanType(*type)) return std::nullopt;
          return type;
        },
        epcis.mapping.biz_steps);
    if (!s.ok()) return s;
  }
  if (Status s = r.RejectUnknownKeys(); !s.ok()) return s;
  if (static_cast<std::size_t>(size_limit) > config.server.max_body_bytes) {
    return Error::InvalidInput(
        "config", std::string(origin) + ": setting 'epcis.capture_file_size_limit' (" +
                      std::to_string(size_limit) + ") must not exceed server.max_body_bytes (" +
                      std::to_string(config.server.max_body_bytes) + ")");
  }
  epcis.capture_limit = static_cast<int>(limit);
  epcis.capture_file_size_limit = static_cast<std::size_t>(size_limit);
  return Status::Ok();
}

Status ReadRoot(const toml::table& root, std::string_view origin, Config& config) {
  TableReader reader(root, "", origin);
  if (Status s = reader.String("store", config.store_path); !s.ok()) return s;
  if (Status s = reader.Millis("tick_interval_ms", config.tick_interval); !s.ok()) return s;

  if (const toml::table* server = reader.Subtable("server")) {
    TableReader r(*server, "server", origin);
    std::int64_t port = config.server.port;
    std::int64_t threads = config.server.threads;
    std::int64_t max_body = static_cast<std::int64_t>(config.server.max_body_bytes);
    std::int64_t check_per_minute = config.server.check_per_minute;
    std::int64_t check_burst = config.server.check_burst;
    for (Status s : {r.String("listen", config.server.listen), r.Integer("port", 0, 65535, port),
                     r.String("console_directory", config.server.console_directory),
                     r.Integer("threads", 1, 256, threads),
                     r.Integer("max_body_bytes", 1024, 1LL << 30, max_body),
                     r.Integer("check_per_minute", 1, 1000000, check_per_minute),
                     r.Integer("check_burst", 1, 1000000, check_burst)}) {
      if (!s.ok()) return s;
    }
    if (Status s = ReadServerTls(r, config.server); !s.ok()) return s;
    if (Status s = r.RejectUnknownKeys(); !s.ok()) return s;
    config.server.port = static_cast<std::uint16_t>(port);
    config.server.threads = static_cast<int>(threads);
    config.server.max_body_bytes = static_cast<std::size_t>(max_body);
    config.server.check_per_minute = static_cast<int>(check_per_minute);
    config.server.check_burst = static_cast<int>(check_burst);
  }

  if (const toml::table* ingest = reader.Subtable("ingest")) {
    TableReader r(*ingest, "ingest", origin);
    IngestConfig& ingest_config = config.ingest;
    std::int64_t max_lines = ingest_config.max_batch_lines;
    std::int64_t max_rows = ingest_config.max_manifest_rows;
    auto max_line_bytes = static_cast<std::int64_t>(ingest_config.max_line_bytes);
    std::int64_t max_depth = ingest_config.max_json_depth;
    auto max_field = static_cast<std::int64_t>(ingest_config.max_field_bytes);
    auto max_text_field = static_cast<std::int64_t>(ingest_config.max_text_field_bytes);
    // The upper bounds of line length and depth are the event and manifest parsers' own.
    for (Status s :
         {r.Hours("pending_window_hours", ingest_config.pending_window),
          r.Integer("max_batch_lines", 1, 10'000'000, max_lines),
          r.String("destination_zone", ingest_config.destination_zone),
          r.Integer("max_manifest_rows", 1, 10'000'000, max_rows),
          r.Integer("max_line_bytes", 256, 64 * 1024, max_line_bytes),
          r.Integer("max_json_depth", 5, 32, max_depth),
          r.Integer("max_field_bytes", 32, 1 << 20, max_field),
          r.Integer("max_text_field_bytes", 32, 1 << 20, max_text_field), r.RejectUnknownKeys()}) {
      if (!s.ok()) return s;
    }
    ingest_config.max_batch_lines = static_cast<int>(max_lines);
    ingest_config.max_manifest_rows = static_cast<int>(max_rows);
    ingest_config.max_line_bytes = static_cast<std::size_t>(max_line_bytes);
    ingest_config.max_json_depth = static_cast<int>(max_depth);
    ingest_config.max_field_bytes = static_cast<std::size_t>(max_field);
    ingest_config.max_text_field_bytes = static_cast<std::size_t>(max_text_field);
  }

  if (const toml::table* epcis = reader.Subtable("epcis")) {
    if (Status s = ReadEpcis(*epcis, origin, config); !s.ok()) return s;
  }

  if (const toml::table* detection = reader.Subtable("detection")) {
    TableReader r(*detection, "detection", origin);
    for (Status s : {ReadAutoLockLimit(r, config.auto_lock_limit), r.RejectUnknownKeys()}) {
      if (!s.ok()) return s;
    }
  }

  if (const toml::table* privacy = reader.Subtable("privacy")) {
    TableReader r(*privacy, "privacy", origin);
    std::int64_t retention_days = config.privacy.retention / std::chrono::hours(24);
    std::int64_t batch = config.privacy.purge_batch_parcels;
    for (Status s : {r.Integer("retention_days", 1, 3650, retention_days),
                     r.Integer("purge_batch_parcels", 1, 100000, batch), r.RejectUnknownKeys()}) {
      if (!s.ok()) return s;
    }
    config.privacy.retention = std::chrono::hours(24 * retention_days);
    config.privacy.purge_batch_parcels = static_cast<int>(batch);
  }

  if (const toml::table* eir = reader.Subtable("eir")) {
    TableReader r(*eir, "eir", origin);
    if (Status s = ReadEir(r, config.eir); !s.ok()) return s;
  }

  if (const toml::table* feed = reader.Subtable("feed")) {
    TableReader r(*feed, "feed", origin);
    for (Status s : {r.Hours("allowed_lateness_hours", config.feed.allowed_lateness),
                     r.Hours("idle_after_hours", config.feed.idle_after), r.RejectUnknownKeys()}) {
      if (!s.ok()) return s;
    }
    if (config.feed.idle_after <= Duration(0)) {
      return r.Missing("idle_after_hours", "must be more than 0");
    }
  }

  if (const toml::table* console = reader.Subtable("console")) {
    if (Status s = ReadConsole(*console, origin, config.console); !s.ok()) return s;
  }

  if (const toml::table* outbox = reader.Subtable("outbox")) {
    TableReader r(*outbox, "outbox", origin);
    std::int64_t attempts = config.outbox.max_attempts;
    for (Status s :
         {r.Integer("max_attempts", 1, 1000, attempts),
          r.Millis("base_delay_ms", config.outbox.base_delay),
          r.Millis("max_delay_ms", config.outbox.max_delay),
          r.Millis("poll_interval_ms", config.outbox.poll_interval),
          r.Seconds("deadline_seconds", config.outbox.deadline),
          r.Seconds("order_expiry_seconds", config.outbox.order_expiry),
          r.Seconds("confirmation_deadline_seconds", config.outbox.confirmation_deadline),
          r.Seconds("reconcile_interval_seconds", config.outbox.reconcile_interval),
          r.RejectUnknownKeys()}) {
      if (!s.ok()) return s;
    }
    config.outbox.max_attempts = static_cast<int>(attempts);
    // Zero would expire every order at once, alert on every order, or reconcile without pause.
    for (auto [key, value] :
         {std::pair{"order_expiry_seconds", config.outbox.order_expiry},
          {"confirmation_deadline_seconds", config.outbox.confirmation_deadline},
          {"reconcile_interval_seconds", config.outbox.reconcile_interval}}) {
      if (value <= Duration::zero()) return r.Missing(key, "must be greater than 0");
    }
  }

  if (const toml::table* connectors = reader.Subtable("connectors")) {
    for (const auto& [name, node] : *connectors) {
      const toml::table* table = node.as_table();
      if (table == nullptr) continue;
      ConnectorConfig connector;
      if (Status s = ReadConnector(*table, std::string(name.str()), origin, connector); !s.ok()) {
        return s;
      }
      config.connectors[connector.name] = std::move(connector);
    }
  }

  // The default policy first, because every named shipper starts from it.
  if (const toml::table* defaults = reader.Subtable("default")) {
    ShipperPolicy base = config.default_policy;
    if (Status s = ReadShipper(*defaults, "default", origin, base, config.default_policy);
        !s.ok()) {
      return s;
    }
  }
  if (const toml::table* shippers = reader.Subtable("shippers")) {
    for (const auto& [name, node] : *shippers) {
      const toml::table* table = node.as_table();
      if (table == nullptr) continue;
      ShipperPolicy policy;
      std::string id(name.str());
      if (Status s = ReadShipper(*table, "shippers." + id, origin, config.default_policy, policy);
          !s.ok()) {
        return s;
      }
      config.shippers[id] = std::move(policy);
    }
  }
  if (Status s = reader.RejectUnknownKeys(); !s.ok()) return s;

  // Every connector a policy names must be configured.
  auto check = [&](const ShipperPolicy& policy, const std::string& who) -> Status {
    for (const std::string& name : policy.connectors) {
      if (!config.connectors.contains(name)) {
        return Error::InvalidInput("config", std::string(origin) + ": " + who +
                                                 " names connector '" + name +
                                                 "', but there is no [connectors." + name + "]");
      }
    }
    return Status::Ok();
  };
  if (Status s = check(config.default_policy, "default"); !s.ok()) return s;
  for (const auto& [id, policy] : config.shippers) {
    if (Status s = check(policy, "shippers." + id); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

const ShipperPolicy& Config::PolicyFor(const std::string& shipper_id) const {
  auto it = shippers.find(shipper_id);
  return it == shippers.end() ? default_policy : it->second;
}

bool ShipperPolicy::LocksOnItsOwn(std::string_view rule) const {
  if (rule == kRuleManual) return false;
  if (!auto_lock_rules) return true;
  return std::find(auto_lock_rules->begin(), auto_lock_rules->end(), rule) !=
         auto_lock_rules->end();
}

Config DefaultConfig() {
  Config config;
  ConnectorConfig simulator;
  simulator.name = "dm";
  simulator.tenant = "demo";
  if (const char* secret = std::getenv("IMEIGUARD_DM_SECRET")) simulator.secret = secret;
  config.connectors[simulator.name] = simulator;
  config.default_policy.connectors = {simulator.name};
  config.server.console_directory = IMEIGUARD_DEFAULT_CONSOLE_DIR;
  return config;
}

std::optional<ListenAddress> ParseListenAddress(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string address(text.substr(0, colon));
  std::string_view port_text = text.substr(colon + 1);
  bool bracketed = address.size() >= 2 && address.front() == '[' && address.back() == ']';
  if (bracketed) address = address.substr(1, address.size() - 2);
  unsigned char parsed[sizeof(in6_addr)];
  int family = bracketed ? AF_INET6 : AF_INET;
  if (inet_pton(family, address.c_str(), parsed) != 1) return std::nullopt;
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return std::nullopt;
  }
  return ListenAddress{address, static_cast<std::uint16_t>(port)};
}

Result<Config> ParseConfig(std::string_view text, std::string_view origin) {
  Config config = DefaultConfig();
  try {
    toml::table root = toml::parse(text, origin);
    if (Status s = ReadRoot(root, origin, config); !s.ok()) return s.error();
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << origin << ":" << error.source().begin.line << ": " << error.description();
    return Error::InvalidInput("config", message.str());
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error::InvalidInput("config", "cannot open configuration file " + path);
  }
  std::ostringstream text;
  text << file.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace imeiguard
