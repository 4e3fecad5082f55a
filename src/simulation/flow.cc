#include "simulation/flow.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/enum_names.h"
#include "identifiers/imei.h"
#include "simulation/journey.h"
#include "simulation/random.h"

namespace imeiguard::simulation {
namespace {

// Purposes of the random streams, so that each is independent of the others' draws.
enum StreamPurpose : std::uint64_t {
  kIncidentStream = 1,
  kDrawStream,
  kTheftStream,
  kJourneyStream
};

struct PhoneModel {
  std::string_view tac;  // Invented type allocation codes: the first 8 digits of the IMEI.
  std::string_view name;
  bool dual_sim;
};

constexpr std::array<PhoneModel, 8> kPhoneModels = {{
    {"35693803", "Nordphone 12", false},
    {"35693804", "Nordphone 12 Pro", true},
    {"86731504", "Fjord X2", false},
    {"86731505", "Fjord X2 Duo", true},
    {"49015420", "Tundra Lite", false},
    {"35209111", "Aurora S 5G", true},
    {"35884510", "Aurora S Mini", false},
    {"35332211", "Kustphone 4", true},
}};

constexpr EnumNameTable<Scenario, kScenarioCount> kScenarioNames = {{
    {Scenario::kOnTime, "on_time"},
    {Scenario::kDelayed, "delayed"},
    {Scenario::kNodeOutage, "node_outage"},
    {Scenario::kMissedScan, "missed_scan"},
    {Scenario::kLateUpload, "late_upload"},
    {Scenario::kDuplicate, "duplicate"},
    {Scenario::kReturned, "returned"},
    {Scenario::kScaleNoise, "scale_noise"},
    {Scenario::kFalseClaim, "false_claim"},
    {Scenario::kTheftVanished, "theft_vanished_at_node"},
    {Scenario::kTheftEmptied, "theft_emptied"},
    {Scenario::kTheftFalseDelivery, "theft_false_delivery"},
    {Scenario::kTheftVehicle, "theft_vehicle"},
    {Scenario::kTheftInsider, "theft_insider"},
}};

constexpr EnumNameTable<ServiceKind, 5> kServiceNames = {{
    {ServiceKind::kHome, "home"},
    {ServiceKind::kServicePoint, "service_point"},
    {ServiceKind::kLocker, "locker"},
    {ServiceKind::kMailbox, "mailbox"},
    {ServiceKind::kBusiness, "business"},
}};

constexpr EnumNameTable<Outcome, 4> kOutcomeNames = {{
    {Outcome::kInFlow, "in_flow"},
    {Outcome::kDelivered, "delivered"},
    {Outcome::kReturned, "returned"},
    {Outcome::kStolen, "stolen"},
}};

constexpr EnumNameTable<ScanDetail, 11> kScanDetailTexts = {{
    {ScanDetail::kNone, ""},
    {ScanDetail::kDoorstep, "left at the doorstep"},
    {ScanDetail::kMailbox, "left in the mailbox"},
    {ScanDetail::kSigned, "handed over, signed"},
    {ScanDetail::kRefused, "refused by the recipient"},
    {ScanDetail::kNotHome, "recipient not at home"},
    {ScanDetail::kNotCollected, "not collected in time"},
    {ScanDetail::kSorterStopped, "held: sorter stopped"},
    {ScanDetail::kFoundByRecipient, "recipient found the parcel"},
    {ScanDetail::kRecipientClaim, "recipient reports the parcel not received"},
    {ScanDetail::kBoxOpened, "box found opened"},
}};

constexpr std::array<std::string_view, 3> kShippers = {"telco-a", "telco-b", "retail-c"};
// GS1 company prefix of every simulated SSCC, with the extension digit in front.
constexpr std::string_view kSsccPrefix = "07350123";

std::string SsccOf(std::uint32_t parcel) {
  char body[24];
  std::snprintf(body, sizeof body, "%.*s%09u", static_cast<int>(kSsccPrefix.size()),
                kSsccPrefix.data(), parcel % 1000000000u);
  // GS1 check digit: weights 3 and 1 alternate from the rightmost data digit.
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[16 - i] - '0') * (i % 2 == 0 ? 3 : 1);
  return std::string(body, 17) + static_cast<char>('0' + (10 - sum % 10) % 10);
}

// The 15-digit IMEI of a TAC and 6-digit serial, with its Luhn check digit.
std::string ImeiOf(std::string_view tac, std::uint32_t serial) {
  char core[24];
  std::snprintf(core, sizeof core, "%.*s%06u", 8, tac.data(), serial % 1000000u);
  return std::string(core, 14) +
         static_cast<char>('0' + LuhnCheckDigit(std::string_view(core, 14)));
}

int PickTerminal(Random& random, const Network& network) {
  std::int64_t pick = random.Between(0, 999);
  for (int t = 0; t < network.terminals(); ++t) {
    pick -= network.TerminalWeight(t);
    if (pick < 0) return t;
  }
  return 0;
}

ServiceKind PickService(Random& random) {
  std::int64_t pick = random.Between(0, 99);
  if (pick < 35) return ServiceKind::kHome;
  if (pick < 60) return ServiceKind::kServicePoint;
  if (pick < 80) return ServiceKind::kLocker;
  if (pick < 95) return ServiceKind::kMailbox;
  return ServiceKind::kBusiness;
}

// Trouble of a parcel's own, before network incidents and thefts override it.
Scenario PickBenignScenario(Random& random, ServiceKind service) {
  std::int64_t pick = random.Between(0, 999);
  if (pick < 30) return Scenario::kDelayed;
  if (pick < 50) return Scenario::kMissedScan;
  if (pick < 70) return Scenario::kDuplicate;
  if (pick < 85) return Scenario::kReturned;
  if (pick < 115) return Scenario::kScaleNoise;
  bool weak_proof = service == ServiceKind::kHome || service == ServiceKind::kMailbox;
  if (pick < 125 && weak_proof) return Scenario::kFalseClaim;
  return Scenario::kOnTime;
}

// Network-wide incidents, placed on fixed days clamped to the flow's length.
Incidents DrawIncidents(const SimulationOptions& options, const Network& network) {
  Random random = Random::Stream(options.seed, kIncidentStream, 0);
  const auto day_start = [&](int day) {
    return options.start + std::int64_t{std::min(day, options.days - 1)} * kDay;
  };
  Incidents incidents;

  // A sorter breakdown at the central hub through the night's peak.
  incidents.outage_node = network.HubNode(1);
  incidents.outage_start = day_start(2) + 23 * kHour;
  incidents.outage_end = incidents.outage_start + random.Between(8, 12) * kHour;

  incidents.upload_windows = {
      {network.TerminalNode(7), day_start(1) + 14 * kHour, 0},
      {network.HubNode(2), day_start(3) + 20 * kHour, 0},
      {network.TerminalNode(8), day_start(4) + 5 * kHour, 0},
  };
  for (UploadWindow& window : incidents.upload_windows) {
    window.end = window.start + random.Between(4, 9) * kHour;
  }

  // The evening linehaul from a mid-sized terminal to its hub, stolen with its load.
  const Lane& lane = network.LaneBetween(network.TerminalNode(4), network.HubNode(1));
  incidents.stolen_lane = network.LaneNumber(lane.from, lane.to);
  std::int64_t departure = day_start(2) + lane.first_departure * kMinute;
  while (departure < day_start(2) + 17 * kHour) departure += lane.departure_interval * kMinute;
  incidents.stolen_departure = departure;

  // A night-shift handler at the capital's hub.
  incidents.insider_node = network.HubNode(0);
  incidents.insider_shift = 2;
  incidents.insider_handler = static_cast<int>(random.Between(0, kHandlersPerShift - 1));
  // The insider stops three days before the end, like the single-parcel thefts, so that a rule
  // waiting on 72 hours of silence can still fire inside the flow.
  incidents.insider_from = day_start(1);
  incidents.insider_to = day_start(std::max(1, options.days - 4)) + kDay;
  return incidents;
}

// Draws every parcel's route, service, times and devices, and which phone parcels are phones.
void DrawParcels(const SimulationOptions& options, const Network& network, SimulatedFlow& flow,
                 std::vector<std::int32_t>& true_weights) {
  Random random = Random::Stream(options.seed, kDrawStream, 0);
  std::int64_t phones_left = options.phone_parcels;
  flow.parcels.resize(static_cast<std::size_t>(options.parcels));
  true_weights.resize(flow.parcels.size());

  for (std::size_t i = 0; i < flow.parcels.size(); ++i) {
    SimulatedParcel& parcel = flow.parcels[i];
    // Selection sampling: exactly phone_parcels of the parcels carry phones.
    const std::int64_t parcels_left = options.parcels - static_cast<std::int64_t>(i);
    const bool phone = random.Between(0, parcels_left - 1) < phones_left;
    if (phone) --phones_left;

    parcel.parcel_id = SsccOf(static_cast<std::uint32_t>(i));
    parcel.origin = PickTerminal(random, network);
    parcel.destination = PickTerminal(random, network);
    parcel.service = PickService(random);
    parcel.postcode = network.PostcodePrefix(parcel.destination) * 1000 +
                      static_cast<int>(random.Between(0, 999));
    const std::int64_t day = random.Between(0, options.days - 1);
    parcel.accepted = options.start + day * kDay + random.Bell(8 * kHour, 19 * kHour);
    const bool same_hub = network.HubOf(parcel.origin) == network.HubOf(parcel.destination);
    parcel.promised_day = options.start + (day + (same_hub ? 1 : 2)) * kDay;
    parcel.scenario = PickBenignScenario(random, parcel.service);
    parcel.shipper_id = kShippers[random.Between(0, 99) % kShippers.size()];

    std::int32_t weight = 0;
    if (phone) {
      parcel.first_device = static_cast<std::uint32_t>(flow.devices.size());
      parcel.device_count = random.Chance(0.03) ? 2 : 1;
      for (int d = 0; d < parcel.device_count; ++d) {
        const auto number = static_cast<std::uint32_t>(flow.devices.size());
        const PhoneModel& model = kPhoneModels[number % kPhoneModels.size()];
        // Each model's serials go up by two, so a dual-SIM phone's second IMEI is never another's.
        const std::uint32_t serial = number / kPhoneModels.size() * 2;
        SimulatedDevice device;
        device.imei = ImeiOf(model.tac, serial);
        if (model.dual_sim) device.imei2 = ImeiOf(model.tac, serial + 1);
        char serial_text[16];
        std::snprintf(serial_text, sizeof serial_text, "R%08u",
                      static_cast<unsigned>(Mix64(number) % 100000000u));
        device.serial = serial_text;
        device.model = model.name;
        device.mass_g = static_cast<std::int32_t>(random.Between(150, 250));
        device.value_sek = static_cast<std::int32_t>(random.Between(19, 179) * 100 - 10);
        weight += device.mass_g;
        flow.devices.push_back(std::move(device));
      }
      weight += static_cast<std::int32_t>(random.Between(120, 400));  // Box and accessories.
    } else {
      weight = static_cast<std::int32_t>(random.Between(100, 8000));
    }
    true_weights[i] = weight;
    parcel.declared_weight_g = (weight + 2) / 5 * 5;
  }
}

// Picks the phone parcels of each single-parcel theft, distinct and accepted early enough that
// the theft falls inside the flow.
void AssignThefts(const SimulationOptions& options, SimulatedFlow& flow, Incidents& incidents) {
  Random random = Random::Stream(options.seed, kTheftStream, 0);
  const std::int64_t latest_accept = options.start + std::max(1, options.days - 3) * kDay;
  std::vector<std::uint32_t> eligible;
  for (std::size_t i = 0; i < flow.parcels.size(); ++i) {
    const SimulatedParcel& parcel = flow.parcels[i];
    if (parcel.device_count > 0 && parcel.accepted < latest_accept) {
      eligible.push_back(static_cast<std::uint32_t>(i));
    }
  }
  // A Fisher-Yates shuffle with the simulator's own draws.
  for (std::size_t i = eligible.size(); i > 1; --i) {
    std::swap(eligible[i - 1], eligible[static_cast<std::size_t>(random.Between(0, i - 1))]);
  }

  // The rate is shared by the five kinds; the vehicle's share is whatever phones it carried.
  const auto per_kind = std::max<std::int64_t>(
      options.min_thefts_per_scenario,
      static_cast<std::int64_t>(
          options.theft_rate * static_cast<double>(options.phone_parcels) / 5.0 + 0.5));
  incidents.insider_quota = static_cast<int>(per_kind);
  std::size_t next = 0;
  const auto assign = [&](Scenario scenario, auto fits) {
    for (std::int64_t taken = 0; taken < per_kind && next < eligible.size(); ++next) {
      SimulatedParcel& parcel = flow.parcels[eligible[next]];
      if (!fits(parcel)) continue;
      parcel.scenario = scenario;
      ++taken;
    }
  };
  // Each kind takes from where the last stopped, so no parcel gets two.
  assign(Scenario::kTheftVanished, [](const SimulatedParcel&) { return true; });
  assign(Scenario::kTheftEmptied,
         [](const SimulatedParcel& parcel) { return parcel.origin != parcel.destination; });
  assign(Scenario::kTheftFalseDelivery, [](const SimulatedParcel& parcel) {
    return parcel.service == ServiceKind::kHome || parcel.service == ServiceKind::kMailbox;
  });
}

}  // namespace

std::string_view ScenarioName(Scenario scenario) { return NameOf(kScenarioNames, scenario); }

bool IsTheft(Scenario scenario) { return scenario >= Scenario::kTheftVanished; }

std::string_view ServiceKindName(ServiceKind service) { return NameOf(kServiceNames, service); }

std::string_view OutcomeName(Outcome outcome) { return NameOf(kOutcomeNames, outcome); }

std::string_view ScanDetailText(ScanDetail detail) { return NameOf(kScanDetailTexts, detail); }

Status ValidateOptions(const SimulationOptions& options) {
  if (options.days < 1 || options.days > 60) {
    return Error::InvalidInput("days", "--days must be between 1 and 60");
  }
  if (options.tail_days < 0 || options.tail_days > 30) {
    return Error::InvalidInput("tail-days", "--tail-days must be between 0 and 30");
  }
  if (options.parcels < 1 || options.parcels > 20000000) {
    return Error::InvalidInput("parcels", "--parcels must be between 1 and 20000000");
  }
  if (options.phone_parcels < 0 || options.phone_parcels > options.parcels ||
      options.phone_parcels > 1000000) {
    return Error::InvalidInput(
        "phone-parcels", "--phone-parcels must be between 0 and --parcels, and at most 1000000");
  }
  if (!(options.theft_rate >= 0.0 && options.theft_rate <= 0.05)) {
    return Error::InvalidInput("theft-rate", "--theft-rate must be between 0 and 0.05");
  }
  if (options.min_thefts_per_scenario < 0) {
    return Error::InvalidInput("min-thefts", "--min-thefts must be 0 or more");
  }
  return Status::Ok();
}

Result<SimulatedFlow> Simulate(const SimulationOptions& options, const Network& network) {
  if (Status valid = ValidateOptions(options); !valid.ok()) return valid.error();
  SimulatedFlow flow;
  flow.options = options;
  flow.end = options.start + std::int64_t{options.days + options.tail_days} * kDay;

  Incidents incidents = DrawIncidents(options, network);
  std::vector<std::int32_t> true_weights;
  DrawParcels(options, network, flow, true_weights);
  AssignThefts(options, flow, incidents);

  flow.events.reserve(flow.parcels.size() * 16);
  JourneyContext context{network, incidents, flow, 0, incidents.insider_quota};
  for (std::size_t i = 0; i < flow.parcels.size(); ++i) {
    Random random = Random::Stream(options.seed, kJourneyStream, i);
    BuildJourney(context, static_cast<std::uint32_t>(i), true_weights[i], random);
  }

  std::sort(flow.events.begin(), flow.events.end(),
            [](const SimulatedEvent& a, const SimulatedEvent& b) {
              if (a.received != b.received) return a.received < b.received;
              if (a.parcel != b.parcel) return a.parcel < b.parcel;
              if (a.sequence != b.sequence) return a.sequence < b.sequence;
              return a.number < b.number;
            });
  return flow;
}

}  // namespace imeiguard::simulation
