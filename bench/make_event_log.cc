// make_event_log: writes a manifest CSV and an NDJSON scan-event log for replay benchmarks.
//
// The log has exactly --count lines, sorted by the time the carrier recorded them, of parcels
// that start their journeys over --days days from 2026-03-02. About --phone-share of the parcels
// carry a phone and are listed in the manifest; the rest are the traffic imeiguard must read and
// set aside. Of the phone parcels about 1 % get an exception scan and 2 % go silent mid-journey,
// so a replay has locks to order. One line in 500 repeats an earlier event, as carriers resend.
// The output depends only on the options: the generator and its mapping to ranges are written out
// here rather than taken from <random>, whose distributions differ between standard libraries.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::array<std::string_view, 12> kTerminals = {
    "SE-TERM-STO", "SE-TERM-GBG", "SE-TERM-MMA", "SE-TERM-UME", "SE-TERM-LLA", "SE-TERM-ORB",
    "SE-TERM-VST", "SE-TERM-LPI", "SE-TERM-NRK", "SE-TERM-JKP", "SE-TERM-SDL", "SE-TERM-KLR"};
constexpr std::array<std::string_view, 3> kHubs = {"SE-HUB-JKG", "SE-HUB-HGL", "SE-HUB-SUN"};
// Invented type allocation codes (the first 8 digits of an IMEI) and their model names.
constexpr std::array<std::string_view, 6> kTacs = {"35693803", "35693804", "86731504",
                                                   "49015420", "35209111", "35884510"};
constexpr std::array<std::string_view, 6> kModels = {
    "Nordphone 12", "Nordphone 12 Pro", "Fjord X2", "Fjord X2 Duo", "Tundra Lite", "Aurora S 5G"};
// GS1 company prefix of every generated SSCC, with the extension digit in front.
constexpr std::string_view kSsccPrefix = "07350123";
// 2026-03-02T00:00:00+01:00 in Unix seconds.
constexpr std::int64_t kFirstDay = 1772406000;
constexpr std::int64_t kCetOffsetSeconds = 3600;

// splitmix64: small, fast and fully specified, so every machine draws the same numbers.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // A number in [low, high]. The modulo bias is below 10^-11 for the ranges used here.
  std::int64_t Between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(high - low + 1));
  }
  bool Chance(double share) { return static_cast<double>(Next() >> 11) * 0x1p-53 < share; }

 private:
  std::uint64_t state_;
};

// The same bijective mix as Random::Next, so distinct counters give distinct event ids.
std::uint64_t Mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

enum class NodeKind : std::uint8_t { kNone, kTerminal, kHub, kVehicle, kPickupPoint, kAddress };

// A scan's location: a kind and an index into its node list or numbering.
struct Node {
  NodeKind kind = NodeKind::kNone;
  std::uint16_t index = 0;
};

struct Event {
  std::int64_t time = 0;  // Unix seconds.
  std::uint32_t parcel = 0;
  std::uint32_t sequence = 0;  // Position in the parcel's journey, which breaks ties in the sort.
  std::int32_t weight_g = -1;  // -1 when the scan did not weigh the parcel.
  std::uint16_t received_delay = 0;
  std::string_view type;
  Node node;
  Node next_node;
  bool pickup_is_locker = false;
};

enum class Ending { kDelivered, kException, kSilent };

struct Parcel {
  std::uint32_t index = 0;
  bool has_phone = false;
  Ending ending = Ending::kDelivered;
  std::string_view service;
  std::int32_t weight_g = 0;
  std::int64_t promised_day = 0;  // Unix seconds of the promised day's local midnight.
  std::uint16_t origin = 0;
};

std::string SsccOf(std::uint32_t parcel) {
  char body[18];
  std::snprintf(body, sizeof body, "%.*s%09u", static_cast<int>(kSsccPrefix.size()),
                kSsccPrefix.data(), parcel + 100000000U);
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[16 - i] - '0') * (i % 2 == 0 ? 3 : 1);
  return std::string(body, 17) + static_cast<char>('0' + (10 - sum % 10) % 10);
}

// The 15-digit IMEI of a phone: the TAC, the 6-digit `serial` and the Luhn check digit.
std::string ImeiOf(std::string_view tac, std::uint32_t serial) {
  char core[15];
  std::snprintf(core, sizeof core, "%.*s%06u", 8, tac.data(), serial % 1000000);
  int sum = 0;
  for (int i = 0; i < 14; ++i) {
    int digit = core[i] - '0';
    if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return std::string(core, 14) + static_cast<char>('0' + (10 - sum % 10) % 10);
}

// Appends the scans of one parcel's journey to `events`.
class JourneyBuilder {
 public:
  JourneyBuilder(Random& random, std::vector<Event>& events, const Parcel& parcel,
                 std::int64_t start)
      : random_(random), events_(events), parcel_(parcel), time_(start) {}

  void Build() {
    const auto destination = static_cast<std::uint16_t>(
        (parcel_.origin + random_.Between(1, kTerminals.size() - 1)) % kTerminals.size());
    const auto hub = static_cast<std::uint16_t>(random_.Between(0, kHubs.size() - 1));
    const Node origin{NodeKind::kTerminal, parcel_.origin};
    const Node hub_node{NodeKind::kHub, hub};
    const Node terminal{NodeKind::kTerminal, destination};

    Scan("accepted", origin, 1, {}, true);
    Scan("sorted", origin, 12);
    Scan("departed", origin, 20, hub_node);
    Scan("arrived", hub_node, 70);
    Scan("sorted", hub_node, 15);
    Scan("departed", hub_node, 25, terminal);
    if (parcel_.ending == Ending::kSilent) return;
    Scan("arrived", terminal, 90, {}, true);
    if (parcel_.ending == Ending::kException) {
      Scan(random_.Chance(0.5) ? "exception_missing" : "exception_opened", terminal, 20);
      return;
    }
    Scan("sorted", terminal, 15);
    const Node vehicle{NodeKind::kVehicle, static_cast<std::uint16_t>(random_.Between(0, 8999))};
    Scan("loaded", terminal, 20, vehicle);
    if (parcel_.service == "service_point" || parcel_.service == "locker") {
      BuildPickup();
      return;
    }
    Scan("out_for_delivery", vehicle, 10);
    if (random_.Chance(0.05)) Scan("delivery_attempted", {NodeKind::kAddress, 0}, 40);
    Scan("delivered", {NodeKind::kAddress, 0}, 60);
  }

 private:
  void BuildPickup() {
    const Node point{NodeKind::kPickupPoint, static_cast<std::uint16_t>(random_.Between(0, 899))};
    const bool locker = parcel_.service == "locker";
    Scan("unloaded", point, 60, {}, false, locker);
    Scan("available_for_pickup", point, 5, {}, false, locker);
    Scan("picked_up", point, 180, {}, false, locker);
  }

  // Adds one scan `minutes` (plus up to half again) after the previous one.
  void Scan(std::string_view type, Node node, int minutes, Node next_node = {}, bool weigh = false,
            bool locker = false) {
    time_ += minutes * 60 + random_.Between(0, minutes * 30);
    Event event;
    event.time = time_;
    event.parcel = parcel_.index;
    event.sequence = sequence_++;
    event.type = type;
    event.node = node;
    event.next_node = next_node;
    event.received_delay = static_cast<std::uint16_t>(random_.Between(2, 240));
    event.pickup_is_locker = locker;
    if (weigh)
      event.weight_g = parcel_.weight_g + static_cast<std::int32_t>(random_.Between(-4, 4));
    events_.push_back(event);
  }

  Random& random_;
  std::vector<Event>& events_;
  const Parcel& parcel_;
  std::int64_t time_;
  std::uint32_t sequence_ = 0;
};

// Formats Unix seconds as RFC 3339 in CET: "2026-03-02T06:14:09+01:00".
void FormatTime(std::int64_t unix_seconds, char (&out)[48]) {
  using namespace std::chrono;
  const sys_seconds local{seconds(unix_seconds + kCetOffsetSeconds)};
  const auto day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss clock{local - day};
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ld+01:00", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), long(clock.hours().count()),
                long(clock.minutes().count()), long(clock.seconds().count()));
}

std::string NodeName(Node node, std::uint32_t parcel) {
  char name[24];
  switch (node.kind) {
    case NodeKind::kTerminal:
      return std::string(kTerminals[node.index]);
    case NodeKind::kHub:
      return std::string(kHubs[node.index]);
    case NodeKind::kVehicle:
      std::snprintf(name, sizeof name, "SE-VEH-%04u", node.index + 1000U);
      return name;
    case NodeKind::kPickupPoint:
      std::snprintf(name, sizeof name, "SE-SP-%03u", node.index + 100U);
      return name;
    case NodeKind::kAddress:
      std::snprintf(name, sizeof name, "ADDR-%06u", parcel % 1000000);
      return name;
    case NodeKind::kNone:
      break;
  }
  return "";
}

std::string_view NodeTypeName(const Event& event) {
  switch (event.node.kind) {
    case NodeKind::kTerminal:
      return "terminal";
    case NodeKind::kHub:
      return "hub";
    case NodeKind::kVehicle:
      return "vehicle";
    case NodeKind::kPickupPoint:
      return event.pickup_is_locker ? "locker" : "service_point";
    case NodeKind::kAddress:
      return "address";
    case NodeKind::kNone:
      break;
  }
  return "";
}

void WriteEvent(std::FILE* out, const Event& event, std::uint64_t event_number) {
  char time[48];
  char received[48];
  FormatTime(event.time, time);
  FormatTime(event.time + event.received_delay, received);
  const std::string parcel_id = SsccOf(event.parcel);
  const std::string node = NodeName(event.node, event.parcel);
  std::fprintf(out,
               "{\"event_id\":\"e-%016llx\",\"parcel_id\":\"%s\",\"type\":\"%.*s\","
               "\"time\":\"%s\",\"node\":\"%s\",\"node_type\":\"%.*s\",\"handler\":\"h-%04u\"",
               static_cast<unsigned long long>(Mix(event_number + 1)), parcel_id.c_str(),
               static_cast<int>(event.type.size()), event.type.data(), time, node.c_str(),
               static_cast<int>(NodeTypeName(event).size()), NodeTypeName(event).data(),
               static_cast<unsigned>(1000 + Mix(event.parcel ^ event.sequence) % 3000));
  if (event.weight_g >= 0) std::fprintf(out, ",\"weight_g\":%d", event.weight_g);
  if (event.next_node.kind != NodeKind::kNone) {
    std::fprintf(out, ",\"next_node\":\"%s\"", NodeName(event.next_node, event.parcel).c_str());
  }
  std::fprintf(out, ",\"received\":\"%s\"}\n", received);
}

void WriteManifestRow(std::FILE* out, const Parcel& parcel, std::uint32_t device, Random& random) {
  char promised[48];
  FormatTime(parcel.promised_day, promised);
  promised[10] = '\0';  // The date alone: the end of that day in the destination's zone.
  // Device d has TAC d % 6 and serial d / 6. A second IMEI takes the serial 500000 higher, so
  // every IMEI is distinct up to 3 million phones.
  const std::string_view tac = kTacs[device % kTacs.size()];
  const auto serial = static_cast<std::uint32_t>(device / kTacs.size());
  const std::string imei = ImeiOf(tac, serial);
  const bool dual_sim = device % kTacs.size() == 3 || device % kTacs.size() == 5;
  const std::string imei2 = dual_sim ? ImeiOf(tac, serial + 500000) : "";
  std::fprintf(out, "%s,%s,%.*s,%s,%s,%05lld,%d,%s,%s,R%08llu,%s,%lld.00\n",
               SsccOf(parcel.index).c_str(), parcel.index % 3 == 0 ? "retail-b" : "telco-a",
               static_cast<int>(parcel.service.size()), parcel.service.data(), promised,
               std::string(kTerminals[parcel.origin]).c_str(),
               static_cast<long long>(random.Between(10000, 98999)), parcel.weight_g, imei.c_str(),
               imei2.c_str(), static_cast<unsigned long long>(random.Between(0, 99999999)),
               std::string(kModels[device % kModels.size()]).c_str(),
               static_cast<long long>(random.Between(19, 149) * 100 - 10));
}

struct Options {
  std::int64_t events = 1000000;  // Lines in the log, duplicates included.
  std::uint64_t seed = 1;
  double phone_share = 0.10;
  int days = 1;
  std::string manifest_path;
  std::string events_path;
};

Parcel DrawParcel(Random& random, const Options& options, std::uint32_t index, std::int64_t start) {
  constexpr std::array<std::string_view, 7> kServices = {
      "home", "home", "home", "service_point", "locker", "mailbox", "business"};
  Parcel parcel;
  parcel.index = index;
  parcel.has_phone = random.Chance(options.phone_share);
  parcel.service = kServices[random.Between(0, kServices.size() - 1)];
  parcel.origin = static_cast<std::uint16_t>(random.Between(0, kTerminals.size() - 1));
  parcel.weight_g = static_cast<std::int32_t>(parcel.has_phone ? random.Between(380, 720)
                                                               : random.Between(100, 15000));
  const std::int64_t day_start = kFirstDay + (start - kFirstDay) / 86400 * 86400;
  parcel.promised_day = day_start + 86400 * random.Between(0, 1);
  if (random.Chance(0.01)) {
    parcel.ending = Ending::kException;
  } else if (random.Chance(0.02)) {
    parcel.ending = Ending::kSilent;
  }
  return parcel;
}

int Run(const Options& options) {
  Random random(options.seed);
  std::vector<Event> events;
  std::vector<Parcel> parcels;
  events.reserve(static_cast<std::size_t>(options.events) + 16);

  // Draw parcels until their journeys cover the log, then keep the earliest recorded scans: the
  // journeys still under way at the end of the log are cut short, as in a real feed.
  const std::int64_t span = std::int64_t{options.days} * 86400;
  while (static_cast<std::int64_t>(events.size()) < options.events * 21 / 20) {
    const std::int64_t start = kFirstDay + 4 * 3600 + random.Between(0, span - 10 * 3600);
    parcels.push_back(
        DrawParcel(random, options, static_cast<std::uint32_t>(parcels.size()), start));
    JourneyBuilder(random, events, parcels.back(), start).Build();
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    const std::int64_t ra = a.time + a.received_delay;
    const std::int64_t rb = b.time + b.received_delay;
    if (ra != rb) return ra < rb;
    if (a.parcel != b.parcel) return a.parcel < b.parcel;
    return a.sequence < b.sequence;
  });

  const auto open_for_writing = [](const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "w"),
                                                         &std::fclose);
    if (!file) {
      std::fprintf(stderr, "make_event_log: failed to open %s for writing: %s\n", path.c_str(),
                   std::strerror(errno));
    }
    return file;
  };
  const auto manifest = open_for_writing(options.manifest_path);
  if (!manifest) return 1;
  const auto log = open_for_writing(options.events_path);
  if (!log) return 1;

  std::fputs(
      "parcel_id,shipper_id,service,promised_by,origin,destination_postcode,declared_weight_g,"
      "imei,imei2,serial,model,value_sek\n",
      manifest.get());
  std::uint32_t devices = 0;
  for (const Parcel& parcel : parcels) {
    if (parcel.has_phone) WriteManifestRow(manifest.get(), parcel, devices++, random);
  }

  // One line in 500 resends the event 37 lines back, with the same event id.
  std::uint64_t written = 0;
  for (std::size_t i = 0; written < static_cast<std::uint64_t>(options.events); ++i) {
    if (i >= 37 && (written + 1) % 500 == 0) {
      WriteEvent(log.get(), events[i - 37], i - 37);
      ++written;
      if (written == static_cast<std::uint64_t>(options.events)) break;
    }
    WriteEvent(log.get(), events[i], i);
    ++written;
  }

  if (std::fflush(manifest.get()) != 0 || std::fflush(log.get()) != 0) {
    std::perror("make_event_log: write failed");
    return 1;
  }
  std::fprintf(stderr, "make_event_log: %llu events of %zu parcels, %u phones in the manifest\n",
               static_cast<unsigned long long>(written), parcels.size(), devices);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Writes a manifest CSV and an NDJSON scan-event log for replay benchmarks."};
  app.add_option("--manifest", options.manifest_path, "manifest CSV to write")->required();
  app.add_option("--events", options.events_path, "NDJSON event log to write")->required();
  app.add_option("-n,--count", options.events, "number of event lines in the log")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  app.add_option("--seed", options.seed, "random seed; the same seed gives the same files");
  app.add_option("--phone-share", options.phone_share, "share of parcels that carry a phone")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--days", options.days, "days over which parcels start their journeys")
      ->check(CLI::Range(1, 365));
  CLI11_PARSE(app, argc, argv);
  return Run(options);
}
