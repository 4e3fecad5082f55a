// imeiguard-dm-simulator: the reference device-management platform, as a process of its own.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "callbacks.h"
#include "fault_plan.h"
#include "net/http_server.h"
#include "platform.h"
#include "state_file.h"

namespace imeiguard::dm_simulator {
namespace {

struct Options {
  std::string listen = "127.0.0.1";
  int port = 8081;
  std::string port_file;
  std::vector<std::string> secrets;
  int apply_delay_ms = 0;
  std::string state_file;
  int threads = 2;
  std::string log_level = "info";
  FaultPlan faults;
  int response_delay_ms = 0;
  int response_jitter_ms = 0;
  std::string drop_mode = "close";
  std::vector<std::string> unsupported_tacs;
  std::string callback_url;
  int callback_attempts = 5;
  int callback_retry_ms = 1000;
};

void AddOptions(CLI::App& app, Options& options) {
  app.add_option("--listen", options.listen, "IP address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "TCP port to listen on; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--port-file", options.port_file,
                 "Write the bound port to this file once listening (written to a temporary file "
                 "and renamed, so a reader never sees a partial number)");
  app.add_option("--secret", options.secrets,
                 "Signing secret as TENANT:SECRET, or a bare SECRET for any tenant; repeat the "
                 "option or separate values with commas")
      ->envname("IMEIGUARD_DM_SECRET")
      ->delimiter(',')
      ->required();
  app.add_option("--apply-delay-ms", options.apply_delay_ms,
                 "Milliseconds between accepting an order (202) and applying it; 0 applies it "
                 "at once (200)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--state-file", options.state_file,
                 "Keep orders and devices in this JSON-lines file, so that a restart keeps them");
  app.add_option("--threads", options.threads, "Server threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  FaultPlan& faults = options.faults;
  app.add_option("--fail-rate", faults.fail_rate,
                 "Share of /v1 requests, 0 to 1, refused with a --fail-status instead of handled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-status", faults.fail_statuses,
                 "HTTP statuses of refused requests, used in turn")
      ->delimiter(',')
      ->check(CLI::Range(400, 599))
      ->capture_default_str();
  app.add_option("--retry-after", faults.retry_after_seconds,
                 "Retry-After, in seconds, sent with refused requests; 0 sends none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--response-delay-ms", options.response_delay_ms,
                 "Milliseconds to wait before each /v1 response")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--reject-rate", faults.reject_rate,
                 "Share of orders, 0 to 1, that end rejected when they are applied")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--response-jitter-ms", options.response_jitter_ms,
                 "Up to this many milliseconds more before each /v1 response, drawn evenly")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--hang-rate", faults.hang_rate,
                 "Share of /v1 requests, 0 to 1, read and never answered: the connection stays "
                 "open until the client gives up")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--drop-rate", faults.drop_rate,
                 "Share of /v1 requests, 0 to 1, whose connection is closed without a response "
                 "before they are handled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--drop-after-apply-rate", faults.drop_after_apply_rate,
                 "Share of lock and unlock requests, 0 to 1, whose connection is closed without a "
                 "response after the order was created (and applied, when due at once)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--drop-mode", options.drop_mode,
                 "How a dropped connection ends: close (end of stream) or reset (TCP RST)")
      ->capture_default_str()
      ->check(CLI::IsMember({"close", "reset"}));
  app.add_option("--offline-rate", faults.offline_rate,
                 "Share of devices, 0 to 1, offline when first named: their orders stay pending "
                 "until POST /v1/devices/{imei}/check-in")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--unsupported-tac", options.unsupported_tacs,
                 "Type allocation code (8 digits) of devices that cannot apply orders: each is "
                 "accepted and then rejected with reason unsupported_device; repeatable")
      ->delimiter(',');
  app.add_option("--unsupported-rate", faults.unsupported_rate,
                 "Share of devices, 0 to 1, that cannot apply orders, as --unsupported-tac")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--callback-url", options.callback_url,
                 "POST each order that becomes applied or rejected to this http:// URL on a "
                 "loopback address, signed like requests");
  app.add_option("--callback-attempts", options.callback_attempts,
                 "Deliveries of one callback before it is given up")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--callback-retry-ms", options.callback_retry_ms,
                 "Milliseconds before a failed callback is sent again, doubled for each retry")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  app.add_option("--duplicate-callback-rate", faults.duplicate_callback_rate,
                 "Share of callbacks, 0 to 1, delivered twice")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--reorder-callbacks", faults.reorder_callbacks,
               "After each final callback, deliver the order's earlier pending state too");
  app.add_flag("--no-dedup", faults.no_dedup,
               "Ignore Idempotency-Key, so that every POST creates a new order");
  app.add_option("--seed", faults.seed, "Seed of the random fault choices")->capture_default_str();
}

// Writes `port` to `path` through a temporary file and a rename, so that readers see all or
// nothing.
bool WritePortFile(const std::string& path, std::uint16_t port) {
  std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return false;
  bool written = std::fprintf(file, "%u\n", static_cast<unsigned>(port)) > 0;
  written = std::fclose(file) == 0 && written;
  return written && std::rename(temporary.c_str(), path.c_str()) == 0;
}

int Run(const Options& options) {
  Result<TenantSecrets> secrets = TenantSecrets::Parse(options.secrets);
  if (!secrets.ok()) {
    spdlog::error("invalid --secret: {}", secrets.error().message);
    return 2;
  }

  FaultPlan plan = options.faults;
  plan.response_delay = Duration(options.response_delay_ms);
  plan.response_jitter = Duration(options.response_jitter_ms);
  plan.drop_with_reset = options.drop_mode == "reset";
  for (const std::string& tac : options.unsupported_tacs) {
    if (tac.size() != 8 || tac.find_first_not_of("0123456789") != std::string::npos) {
      spdlog::error(
          "invalid --unsupported-tac '{}': expected the 8 digits of a type allocation "
          "code",
          tac.substr(0, 32));
      return 2;
    }
    plan.unsupported_tacs.insert(tac);
  }
  std::optional<CallbackOptions> callback_options;
  if (!options.callback_url.empty()) {
    Result<CallbackTarget> target = ParseCallbackUrl(options.callback_url);
    if (!target.ok()) {
      spdlog::error("{}", target.error().message);
      return 2;
    }
    callback_options.emplace();
    callback_options->target = *target;
    callback_options->attempts = options.callback_attempts;
    callback_options->first_retry = Duration(options.callback_retry_ms);
  }
  FaultInjector faults(plan);
  SystemClock clock;

  std::unique_ptr<StateFile> state_file;
  if (!options.state_file.empty()) {
    auto opened = StateFile::Open(options.state_file);
    if (!opened.ok()) {
      spdlog::error("{}", opened.error().message);
      return 1;
    }
    state_file = std::move(*opened);
  }
  DmPlatform platform(Duration(options.apply_delay_ms), faults, clock, state_file.get());
  Result<int> restored = platform.Restore();
  if (!restored.ok()) {
    spdlog::error("{}", restored.error().message);
    return 1;
  }
  if (state_file) {
    spdlog::info("state file {} read; {} unreadable lines skipped", state_file->path(), *restored);
  }

  std::unique_ptr<CallbackSender> callbacks;
  if (callback_options) {
    callbacks = std::make_unique<CallbackSender>(*callback_options, *secrets, faults);
    platform.SetFinishedObserver(
        [sender = callbacks.get()](const DmOrder& order) { sender->OrderFinished(order); });
  }
  // Orders are applied when due even if no request comes, so that callbacks go out on time.
  std::atomic<bool> stopping{false};
  std::thread ticker([&platform, &stopping] {
    while (!stopping.load()) {
      platform.Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  SimulatorApi api(platform, faults, std::move(*secrets), clock);
  http::Router router;
  api.AddRoutes(router);

  http::ServerOptions server_options;
  server_options.address = options.listen;
  server_options.port = static_cast<std::uint16_t>(options.port);
  server_options.threads = options.threads;
  server_options.max_body_bytes = 64u << 10;
  server_options.on_handler_exception = [](const http::Request& request, std::string_view what) {
    spdlog::error("{} {} failed: {}", request.method, MaskImeis(request.path), what);
  };

  // Block the stop signals before the server threads start, so that they inherit the mask and
  // only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto stop_ticker = [&] {
    stopping = true;
    ticker.join();
  };
  http::Server server(server_options, router);
  if (Status started = server.Start(); !started.ok()) {
    spdlog::error("{}", started.error().message);
    stop_ticker();
    return 1;
  }
  if (!options.port_file.empty() && !WritePortFile(options.port_file, server.port())) {
    spdlog::error("writing the port file {} failed: {}", options.port_file, std::strerror(errno));
    server.Stop();
    stop_ticker();
    return 1;
  }
  spdlog::info(
      "listening on {}:{} (apply delay {} ms, fail rate {}, hang rate {}, drop rates {} before "
      "and {} after applying, reject rate {}, offline rate {}, dedup {}, callbacks {})",
      options.listen, server.port(), options.apply_delay_ms, plan.fail_rate, plan.hang_rate,
      plan.drop_rate, plan.drop_after_apply_rate, plan.reject_rate, plan.offline_rate,
      plan.no_dedup ? "off" : "on", options.callback_url.empty() ? "off" : options.callback_url);

  int received = 0;
  sigwait(&stop_signals, &received);
  spdlog::info("stopping on signal {}", received);
  server.Stop();
  stop_ticker();
  if (callbacks) {
    CallbackCounts counts = callbacks->counts();
    spdlog::info("callbacks: {} delivered, {} failed deliveries, {} given up", counts.delivered,
                 counts.failed, counts.given_up);
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace imeiguard::dm_simulator

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("dm-simulator"));
  CLI::App app{
      "imeiguard-dm-simulator: a reference device-management platform that locks and "
      "unlocks devices by IMEI over a signed REST API, for imeiguard's tests and demo"};
  imeiguard::dm_simulator::Options options;
  imeiguard::dm_simulator::AddOptions(app, options);
  CLI11_PARSE(app, argc, argv);

  spdlog::level::level_enum level = spdlog::level::from_str(options.log_level);
  if (level == spdlog::level::off && options.log_level != "off") {
    spdlog::error("invalid --log-level '{}': expected trace, debug, info, warn, error or off",
                  options.log_level);
    return 2;
  }
  spdlog::set_level(level);
  return imeiguard::dm_simulator::Run(options);
}
