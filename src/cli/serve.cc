#include "cli/serve.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "api/console_site.h"
#include "api/epcis_routes.h"
#include "api/routes.h"
#include "api/sighting_routes.h"
#include "cli/config_audit.h"
#include "cli/connectors.h"
#include "cli/eir_s13.h"
#include "cli/eir_serving.h"
#include "net/http_server.h"
#include "service/guard_service.h"

namespace imeiguard {

Result<std::unique_ptr<SqliteStore>> OpenStore(const std::string& path) {
  std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
    if (error) {
      return Error::Unavailable(
          "store", "cannot create folder " + file.parent_path().string() + ": " + error.message());
    }
  }
  return SqliteStore::Open(path);
}

namespace {

// Records the configuration in the audit trail when it differs from the last one recorded, so
// that every change of settings between two starts is on the record. Returns false on failure.
bool RecordEffectiveConfiguration(const ServeOptions& options, const Config& config, Store& store) {
  std::string effective;
  if (!options.config_path.empty()) {
    std::ifstream file(options.config_path, std::ios::binary);
    effective.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  // The command line can override these; the file's text alone would miss such a change.
  effective += "\n# effective: store=" + config.store_path + " listen=" + config.server.listen +
               " port=" + std::to_string(config.server.port) + "\n";
  std::string source = options.config_path.empty() ? "defaults" : options.config_path;
  auto recorded = RecordConfiguration(store, effective, source, SystemClock().Now());
  if (!recorded.ok()) {
    spdlog::error("recording the configuration in the audit trail failed: {}",
                  recorded.error().message);
    return false;
  }
  if (*recorded) spdlog::info("configuration from {} recorded in the audit trail", source);
  return true;
}

// Logs failed TLS handshakes at most once a second, with the number left out since the last line,
// because a scanner or a misconfigured client can fail thousands of them.
class HandshakeFailureLog {
 public:
  void Record(std::string_view remote_address, std::string_view what) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now - last_logged_ < std::chrono::seconds(1)) {
      ++suppressed_;
      return;
    }
    last_logged_ = now;
    spdlog::warn("TLS handshake with {} failed: {} ({} earlier failures not logged)",
                 remote_address, what, suppressed_);
    suppressed_ = 0;
  }

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_logged_;  // Guarded by mutex_.
  std::uint64_t suppressed_ = 0;                       // Guarded by mutex_.
};

std::optional<http::TlsOptions> TlsOptionsOf(const ServerConfig& server) {
  if (server.tls_certificate.empty()) return std::nullopt;
  http::TlsOptions tls;
  tls.certificate_file = server.tls_certificate;
  tls.private_key_file = server.tls_private_key;
  tls.client_ca_file = server.tls_client_ca;
  tls.client_certificate_required = server.tls_client_certificate_required;
  return tls;
}

std::string DescribeTls(const ServerConfig& server) {
  if (server.tls_certificate.empty()) return "plain HTTP";
  if (server.tls_client_ca.empty()) return "HTTPS without client certificates";
  return std::string("HTTPS, client certificates ") +
         (server.tls_client_certificate_required ? "required" : "optional") +
         " and verified against " + server.tls_client_ca;
}

// The console's files, or none when the folder is not set or cannot be served: the API works
// without them, so that is a warning and not a reason to stop.
ConsoleSite LoadConsole(const std::string& directory) {
  if (directory.empty()) return {};
  auto site = ConsoleSite::Load(directory);
  if (!site.ok()) {
    spdlog::warn(
        "the web console is not served: {}; set server.console_directory to the "
        "folder that `npm run build` in console/ wrote, or to \"\" to turn this off",
        site.error().message);
    return {};
  }
  spdlog::info("serving the web console's {} files from {} under /console/", site->file_count(),
               directory);
  return std::move(*site);
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto loaded = options.config_path.empty() ? Result<Config>(DefaultConfig())
                                            : LoadConfig(options.config_path);
  if (!loaded.ok()) {
    spdlog::error("{}", loaded.error().message);
    return 2;
  }
  Config config = std::move(*loaded);
  if (!options.store_path.empty()) config.store_path = options.store_path;
  if (!options.listen.empty()) config.server.listen = options.listen;
  if (options.port) config.server.port = *options.port;

  // SIGINT and SIGTERM are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = OpenStore(config.store_path);
  if (!store.ok()) {
    spdlog::error("opening store {} failed: {}", config.store_path, store.error().message);
    return 1;
  }
  if (!RecordEffectiveConfiguration(options, config, **store)) return 1;

  SystemClock clock;
  BlocklistPublisher publisher(**store, clock);
  ConnectorSet connectors = BuildConnectors(config, clock, publisher);

  GuardService service(config, **store, clock, connectors.by_name);
  if (Status s = service.Recover(); !s.ok()) {
    spdlog::error("start-up recovery failed: {}", s.error().message);
    return 1;
  }
  service.StartBackground();
  publisher.Start();
  EpcisCapture epcis_capture(config, **store, service, clock);
  if (Status s = epcis_capture.Start(); !s.ok()) {
    spdlog::error("resuming EPCIS capture failed: {}", s.error().message);
    return 1;
  }
  EirServing eir(config.eir, service.equipment_snapshot(), **store, clock);
  service.SetMetricsSource([&eir] { return eir.Metrics(); });
  auto s13 = StartConfiguredS13(config, service.equipment_snapshot(), eir.recorder(), clock);
  if (!s13.ok()) {
    spdlog::error("starting the S13 listener on {} failed: {}", config.eir.s13.listen,
                  s13.error().message);
    return 1;
  }

  http::Router router;
  RequestCounters counters;
  InputLimits limits;
  limits.max_line_bytes = config.ingest.max_line_bytes;
  limits.max_json_depth = config.ingest.max_json_depth;
  limits.max_field_bytes = config.ingest.max_field_bytes;
  limits.max_text_field_bytes = config.ingest.max_text_field_bytes;
  limits.max_batch_lines = config.ingest.max_batch_lines;
  limits.max_manifest_rows = config.ingest.max_manifest_rows;
  RateLimiter check_limiter(config.server.check_per_minute, config.server.check_burst);
  std::map<std::string, CallbackCredentials> callbacks;
  for (const auto& [name, connector] : config.connectors) {
    callbacks[name] = {connector.tenant, connector.secret};
  }
  AddApiRoutes(router, service, **store, counters, limits, &check_limiter, &clock, &callbacks,
               config.console);
  ConsoleSite console = LoadConsole(config.server.console_directory);
  if (console.file_count() > 0) AddConsoleRoutes(router, console, counters);
  AddSightingRoutes(router, service, **store, **store, counters, clock);
  if (Status s = eir.Start(); !s.ok()) {
    spdlog::error("starting the N5g-eir listener on {} failed: {}", config.eir.n5g_listen,
                  s.error().message);
    return 1;
  }
  AddEpcisRoutes(router, epcis_capture, **store, counters,
                 {config.epcis.capture_limit,
                  std::min(config.epcis.capture_file_size_limit, config.server.max_body_bytes)});
  http::ServerOptions server_options;
  server_options.address = config.server.listen;
  server_options.port = config.server.port;
  server_options.threads = config.server.threads;
  server_options.max_body_bytes = config.server.max_body_bytes;
  server_options.tls = TlsOptionsOf(config.server);
  HandshakeFailureLog handshake_failures;
  server_options.on_tls_handshake_failure = [&handshake_failures](std::string_view remote_address,
                                                                  std::string_view what) {
    handshake_failures.Record(remote_address, what);
  };
  http::Server server(server_options, router);
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("starting the server on {}:{} failed: {}", config.server.listen,
                  config.server.port, s.error().message);
    return 1;
  }
  if (!options.port_file.empty()) {
    std::ofstream port_file(options.port_file, std::ios::trunc);
    port_file << server.port() << "\n";
  }
  spdlog::info("imeiguard serving {} on {}:{} with store {}", DescribeTls(config.server),
               config.server.listen, server.port(), config.store_path);

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("signal {} received; stopping", signal);
  server.Stop();
  if (*s13) (*s13)->Stop();
  eir.Stop();
  epcis_capture.Stop();
  service.Stop();
  publisher.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace imeiguard
