// outbox_bench: how fast a verdict becomes a lock request on the wire, end to end.
//
// Starts the reference device-management simulator and `imeiguard serve` (SQLite store in a
// temporary folder, both on 127.0.0.1), registers parcels with one phone each through the
// manifest API and reports them missing as the carrier (a missing-parcel scan). Each report
// creates a lock order; the outbox sends it to the simulator, which records when the request
// arrived, in microseconds. The benchmark then measures:
//   - verdict to wire: the simulator's receive time minus the order's created_at in imeiguard,
//     which is the moment of the verdict in milliseconds. Reports are first spaced out, so
//     that the outbox is idle when each arrives, and then sent in a burst where orders queue;
//   - orders per second through the outbox in the burst: orders over the span between the first
//     and the last arrival at the simulator;
//   - the simulator's own ceiling: signed lock requests sent straight to it, one at a time like
//     the outbox's single sender, and from four clients.
// Usage: outbox_bench --imeiguard PATH --simulator PATH [--spaced N] [--spacing-ms N] [--burst N]
//                     [--report-clients N] [--direct N]
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "identifiers/imei.h"
#include "locking/request_signing.h"
#include "net/http_client.h"
#include "records.h"
#include "testing/child_process.h"
#include "testing/serve_process.h"

namespace imeiguard::bench {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using dm_simulator::PreciseTime;

constexpr char kTenant[] = "bench";
constexpr char kSecret[] = "outbox-bench-secret";
constexpr char kShipper[] = "bench-shipper";
// Type allocation codes of the phones: one for the outbox's orders, one for direct requests.
constexpr std::uint64_t kOutboxCoreBase = 35847210000000;
constexpr std::uint64_t kDirectCoreBase = 86731504000000;

// Thrown to end the run. Unwinding stops the child processes, which exit() would leave running.
struct BenchFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const std::string& message) { throw BenchFailure(message); }

// Runs `work` on `clients` threads and rethrows the first failure once all have ended.
void RunClients(int clients, const std::function<void()>& work) {
  std::mutex mutex;
  std::exception_ptr failure;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      try {
        work();
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Sends `request` and returns the parsed JSON body, failing the run on anything but `expected`.
json::value Call(const http::ClientRequest& request, int expected) {
  auto response = http::Send(request);
  if (!response.ok()) Fail(request.method + " " + request.target + ": " + response.error().message);
  if (response->status != expected) {
    Fail(request.method + " " + request.target + " returned " + std::to_string(response->status) +
         ": " + response->body.substr(0, 300));
  }
  return json::parse(response->body);
}

http::ClientRequest ImeiguardRequest(std::uint16_t port, std::string method, std::string target,
                                     const std::string& key) {
  http::ClientRequest request;
  request.method = std::move(method);
  request.port = port;
  request.target = std::move(target);
  request.timeout = 30s;
  request.headers = {{"Authorization", "Bearer " + key}};
  return request;
}

// A request to the simulator, signed as the connector signs its own.
http::ClientRequest SimulatorRequest(std::uint16_t port, std::string method, std::string target,
                                     std::string body, const std::string& key) {
  std::int64_t now = ToMillis(SystemClock().Now()) / 1000;
  http::ClientRequest request;
  request.method = std::move(method);
  request.port = port;
  request.target = std::move(target);
  request.body = std::move(body);
  request.timeout = 30s;
  SignedRequestParts parts{request.method, request.target, kTenant, key, request.body};
  request.headers = {{std::string(kTenantHeader), kTenant},
                     {std::string(kTimestampHeader), std::to_string(now)},
                     {std::string(kSignatureHeader), SignRequest(kSecret, parts, now)}};
  if (!key.empty()) request.headers.emplace_back(kIdempotencyKeyHeader, key);
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

std::string ParcelId(int index) {
  char id[32];
  std::snprintf(id, sizeof id, "3735000000%08d", index);
  return id;
}

std::string Imei(std::uint64_t core_base, int index) {
  return Imei::FromCoreValue(core_base + static_cast<std::uint64_t>(index)).WithCheckDigit();
}

struct Figures {
  std::string name;
  size_t orders = 0;
  std::vector<double> latencies_ms;  // Empty when the row measures no latency.
  double orders_per_second = 0;
};

double Percentile(std::vector<double> values, double share) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(share * static_cast<double>(values.size()) + 0.999999);
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

class Bench {
 public:
  Bench(std::string imeiguard, std::string simulator) {
    char pattern[] = "/tmp/outbox_bench_XXXXXX";
    if (::mkdtemp(pattern) == nullptr) Fail("cannot create a temporary folder");
    dir_ = pattern;
    StartSimulator(simulator);
    StartServe(imeiguard);
  }

  // Stops both programs. The folder with their logs is kept when the run failed.
  ~Bench() {
    serve_.reset();
    if (simulator_) simulator_->Stop(SIGTERM);
    if (std::uncaught_exceptions() > 0) return;
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Registers parcels [first, first + count) with one phone each.
  void RegisterParcels(int first, int count) {
    std::string csv = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
    for (int i = first; i < first + count; ++i) {
      csv += ParcelId(i) + "," + kShipper + ",home,2099-12-31,11122," + Imei(kOutboxCoreBase, i) +
             "\n";
    }
    http::ClientRequest request =
        ImeiguardRequest(serve_->port(), "POST", "/v1/manifests", shipper_key_);
    request.headers.emplace_back("Content-Type", "text/csv");
    request.body = std::move(csv);
    json::value report = Call(request, 200);
    if (report.at("parcels_new").to_number<int>() != count) {
      Fail("the manifest registered " + json::serialize(report.at("parcels_new")) +
           " parcels, expected " + std::to_string(count));
    }
  }

  // A missing-parcel report: when imeiguard made the verdict's lock order, and the order's id.
  struct Reported {
    Timestamp verdict;
    std::string order_id;
  };

  // Reports parcel `index` missing, as a carrier's scanner would, and returns the lock order the
  // verdict made. An officer's declaration would wait for a second officer instead.
  Reported ReportMissing(int index) {
    http::ClientRequest report =
        ImeiguardRequest(serve_->port(), "POST", "/v1/events", carrier_key_);
    report.headers.emplace_back("Content-Type", "application/x-ndjson");
    report.body = R"({"event_id":"missing-)" + std::to_string(index) + R"(","parcel_id":")" +
                  ParcelId(index) +
                  R"(","type":"exception_missing","time":"2026-03-01T11:00:00Z"})" + "\n";
    Call(report, 200);
    json::value parcel = Call(
        ImeiguardRequest(serve_->port(), "GET", "/v1/parcels/" + ParcelId(index), officer_key_),
        200);
    const json::array& orders = parcel.at("orders").as_array();
    if (orders.size() != 1) Fail("parcel " + ParcelId(index) + " got no single lock order");
    Result<Timestamp> created = ParseRfc3339(orders[0].at("created_at").as_string());
    if (!created.ok()) Fail(created.error().message);
    return {*created, json::serialize(orders[0].at("order_id"))};
  }

  // Waits until the simulator has applied `count` lock orders in all, or fails after 120 s.
  void WaitForAppliedLocks(std::int64_t count) {
    auto give_up = std::chrono::steady_clock::now() + 120s;
    while (true) {
      json::value stats = Call(SimulatorRequest(simulator_port_, "GET", "/v1/stats", "", ""), 200);
      std::int64_t applied = stats.at("applied_locks").to_number<std::int64_t>();
      if (applied >= count) return;
      if (std::chrono::steady_clock::now() > give_up) {
        Fail("only " + std::to_string(applied) + " of " + std::to_string(count) +
             " lock orders reached the simulator in 120 s; see " + dir_);
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  // The receive time of every order on the simulator, by its reference (imeiguard's order id).
  std::map<std::string, PreciseTime> ReceiveTimes() {
    json::value listed = Call(SimulatorRequest(simulator_port_, "GET", "/v1/orders", "", ""), 200);
    std::map<std::string, PreciseTime> times;
    for (const json::value& order : listed.at("orders").as_array()) {
      const json::object& fields = order.as_object();
      const json::value* reference = fields.if_contains("reference");
      if (reference == nullptr) continue;
      auto received = dm_simulator::ParsePreciseTime(fields.at("received_at").as_string());
      if (!received) Fail("unreadable received_at " + json::serialize(fields.at("received_at")));
      times[std::string(reference->as_string())] = *received;
    }
    return times;
  }

  // Verdicts to wire: parcels reported missing by `clients` threads, each pausing `spacing` after
  // each of its reports.
  Figures VerdictToWire(const std::string& name, int first, int count,
                        std::chrono::milliseconds spacing, int clients) {
    RegisterParcels(first, count);
    std::vector<Reported> reported(static_cast<size_t>(count));
    std::int64_t applied_before = applied_locks_;
    std::atomic<int> next{0};
    auto started = std::chrono::steady_clock::now();
    RunClients(clients, [&] {
      for (int i = next++; i < count; i = next++) {
        reported[static_cast<size_t>(i)] = ReportMissing(first + i);
        if (spacing > 0ms) std::this_thread::sleep_for(spacing);
      }
    });
    reports_per_second_ = count / Seconds(std::chrono::steady_clock::now() - started);
    auto reports_ended =
        std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
    applied_locks_ += count;
    WaitForAppliedLocks(applied_before + count);

    std::map<std::string, PreciseTime> received = ReceiveTimes();
    Figures figures;
    figures.name = name;
    figures.orders = static_cast<size_t>(count);
    PreciseTime first_arrival = PreciseTime::max();
    PreciseTime last_arrival = PreciseTime::min();
    int backlog = 0;  // Orders that arrived after the last report.
    for (const Reported& order : reported) {
      auto found = received.find(order.order_id);
      if (found == received.end()) Fail("order " + order.order_id + " is missing on the simulator");
      first_arrival = std::min(first_arrival, found->second);
      last_arrival = std::max(last_arrival, found->second);
      if (found->second > reports_ended) ++backlog;
      figures.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(found->second - order.verdict).count());
    }
    // Spaced reports pace the outbox, so only a burst measures its throughput.
    if (spacing == 0ms && count > 1 && last_arrival > first_arrival) {
      figures.orders_per_second =
          (count - 1) / std::chrono::duration<double>(last_arrival - first_arrival).count();
    }
    // The backlog drains with no reports competing for the CPUs and the store.
    drain_per_second_ = 0;
    if (backlog > 1 && last_arrival > reports_ended) {
      drain_per_second_ =
          backlog / std::chrono::duration<double>(last_arrival - reports_ended).count();
    }
    drained_ = backlog;
    return figures;
  }

  // Reports per second of the last VerdictToWire.
  double reports_per_second() const { return reports_per_second_; }
  // Orders per second, and their count, that the outbox sent after the last report of the
  // last VerdictToWire, while it worked off the backlog alone.
  double drain_per_second() const { return drain_per_second_; }
  int drained() const { return drained_; }

  // Signed lock requests straight to the simulator from `clients` threads.
  Figures SimulatorDirect(const std::string& name, int first, int count, int clients) {
    std::atomic<int> next{first};
    auto started = std::chrono::steady_clock::now();
    RunClients(clients, [&] {
      for (int i = next++; i < first + count; i = next++) {
        std::string imei = Imei(kDirectCoreBase, i);
        Call(SimulatorRequest(simulator_port_, "POST", "/v1/devices/" + imei + "/lock",
                              R"({"message":"benchmark"})", "direct-" + std::to_string(i)),
             200);
      }
    });
    Figures figures;
    figures.name = name;
    figures.orders = static_cast<size_t>(count);
    figures.orders_per_second = count / Seconds(std::chrono::steady_clock::now() - started);
    applied_locks_ += count;
    return figures;
  }

 private:
  void StartSimulator(const std::string& binary) {
    std::string port_file = dir_ + "/simulator.port";
    simulator_ =
        testing::ChildProcess::Start({binary, "--port", "0", "--port-file", port_file, "--secret",
                                      std::string(kTenant) + ":" + kSecret, "--log-level", "warn"},
                                     dir_ + "/simulator.log");
    if (!simulator_) Fail("cannot start " + binary);
    std::optional<std::uint16_t> port = testing::WaitForPortFile(port_file, 20s);
    if (!port) Fail("the simulator did not start; see " + dir_ + "/simulator.log");
    simulator_port_ = *port;
  }

  void StartServe(const std::string& binary) {
    // The connector reads its secret from the environment, as in production.
    ::setenv("IMEIGUARD_BENCH_DM_SECRET", kSecret, 1);
    // The blast-radius guard is off because it would hold the burst's thousands of automatic
    // locks for an officer, and the lock path is what is measured.
    std::string config =
        "[detection]\nmax_auto_locks = 0\n[connectors.dm]\nkind = \"dm_rest\"\nhost = "
        "\"127.0.0.1\"\nport = " +
        std::to_string(simulator_port_) + "\ntenant = \"" + kTenant +
        "\"\nsecret_env = \"IMEIGUARD_BENCH_DM_SECRET\"\n";
    serve_ = std::make_unique<testing::ServeProcess>(binary, dir_ + "/serve", config);
    Result<std::string> shipper = serve_->CreateKey("shipper", kShipper);
    Result<std::string> officer = serve_->CreateKey("security_officer");
    Result<std::string> carrier = serve_->CreateKey("carrier");
    if (!shipper.ok()) Fail(shipper.error().message);
    if (!officer.ok()) Fail(officer.error().message);
    if (!carrier.ok()) Fail(carrier.error().message);
    shipper_key_ = *shipper;
    officer_key_ = *officer;
    carrier_key_ = *carrier;
    if (Status started = serve_->Start(); !started.ok()) Fail(started.error().message);
  }

  std::string dir_;
  std::optional<testing::ChildProcess> simulator_;
  std::uint16_t simulator_port_ = 0;
  std::unique_ptr<testing::ServeProcess> serve_;
  std::string shipper_key_;
  std::string officer_key_;
  std::string carrier_key_;
  std::int64_t applied_locks_ = 0;  // Lock orders sent to the simulator so far.
  double reports_per_second_ = 0;
  double drain_per_second_ = 0;
  int drained_ = 0;
};

void PrintTable(const std::vector<Figures>& rows) {
  std::printf("%-40s %7s %9s %9s %9s %10s\n", "measurement", "orders", "p50 ms", "p99 ms", "max ms",
              "orders/s");
  for (const Figures& row : rows) {
    std::printf("%-40s %7zu", row.name.c_str(), row.orders);
    if (row.latencies_ms.empty()) {
      std::printf(" %9s %9s %9s", "-", "-", "-");
    } else {
      std::printf(" %9.2f %9.2f %9.2f", Percentile(row.latencies_ms, 0.50),
                  Percentile(row.latencies_ms, 0.99), Percentile(row.latencies_ms, 1.0));
    }
    if (row.orders_per_second > 0) {
      std::printf(" %10.1f\n", row.orders_per_second);
    } else {
      std::printf(" %10s\n", "-");
    }
  }
}

}  // namespace
}  // namespace imeiguard::bench

int main(int argc, char** argv) {
  CLI::App app{"outbox_bench: verdict-to-wire latency and outbox throughput against the simulator"};
  std::string imeiguard;
  std::string simulator;
  int spaced = 200;
  int spacing_ms = 20;
  int burst = 2000;
  int direct = 2000;
  int report_clients = 4;
  app.add_option("--imeiguard", imeiguard, "The imeiguard program")->required();
  app.add_option("--simulator", simulator, "The imeiguard-dm-simulator program")->required();
  app.add_option("--spaced", spaced, "Parcels reported missing one at a time")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--spacing-ms", spacing_ms, "Pause after each of those reports")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  app.add_option("--burst", burst, "Parcels reported missing back to back")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  app.add_option("--report-clients", report_clients,
                 "Clients that report the burst's parcels missing at the same time")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--direct", direct, "Lock requests sent straight to the simulator, per row")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  CLI11_PARSE(app, argc, argv);

  using imeiguard::bench::Bench;
  using imeiguard::bench::Figures;
  std::vector<Figures> rows;
  try {
    Bench bench(imeiguard, simulator);
    rows.push_back(bench.VerdictToWire("verdict to wire, reported one at a time", 0, spaced,
                                       std::chrono::milliseconds(spacing_ms), 1));
    rows.push_back(bench.VerdictToWire(
        "verdict to wire, burst from " + std::to_string(report_clients) + " clients", spaced, burst,
        std::chrono::milliseconds(0), report_clients));
    Figures reports;
    reports.name = "missing-parcel reports of the burst";
    reports.orders = static_cast<size_t>(burst);
    reports.orders_per_second = bench.reports_per_second();
    rows.push_back(reports);
    Figures drain;
    drain.name = "outbox working off the backlog alone";
    drain.orders = static_cast<size_t>(bench.drained());
    drain.orders_per_second = bench.drain_per_second();
    rows.push_back(drain);
    rows.push_back(bench.SimulatorDirect("simulator direct, 1 client", 0, direct, 1));
    rows.push_back(bench.SimulatorDirect("simulator direct, 4 clients", direct, direct, 4));
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "outbox_bench: %s\n", failure.what());
    return 1;
  }
  imeiguard::bench::PrintTable(rows);
  return 0;
}
