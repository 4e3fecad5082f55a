#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "events/ndjson.h"
#include "identifiers/imei.h"
#include "registry/manifest.h"
#include "simulation/flow.h"
#include "simulation/journey.h"
#include "simulation/writers.h"

namespace imeiguard::simulation {
namespace {

struct Files {
  std::string manifest;
  std::string events;
  std::string labels;
};

Files WriteAll(const SimulatedFlow& flow, const Network& network) {
  std::ostringstream manifest, events, labels;
  WriteManifestCsv(flow, network, manifest);
  WriteEventsNdjson(flow, network, events);
  WriteLabelsCsv(flow, labels);
  return {manifest.str(), events.str(), labels.str()};
}

SimulationOptions SmallOptions(std::uint64_t seed) {
  SimulationOptions options;
  options.seed = seed;
  options.days = 4;
  options.parcels = 6000;
  options.phone_parcels = 800;
  options.min_thefts_per_scenario = 3;
  return options;
}

// Each parcel's events in event-time order.
std::vector<std::vector<const SimulatedEvent*>> EventsByParcel(const SimulatedFlow& flow) {
  std::vector<std::vector<const SimulatedEvent*>> by_parcel(flow.parcels.size());
  for (const SimulatedEvent& event : flow.events) by_parcel[event.parcel].push_back(&event);
  for (auto& events : by_parcel) {
    std::stable_sort(events.begin(), events.end(),
                     [](const SimulatedEvent* a, const SimulatedEvent* b) {
                       return a->time != b->time ? a->time < b->time : a->sequence < b->sequence;
                     });
  }
  return by_parcel;
}

// A simulated flow shared by the tests of a suite, simulated once because a week takes seconds.
class FlowTest : public ::testing::Test {
 protected:
  static void SetUpFlow(const SimulationOptions& options) {
    network_ = new Network();
    auto flow = Simulate(options, *network_);
    ASSERT_TRUE(flow.ok());
    flow_ = new SimulatedFlow(std::move(*flow));
    by_parcel_ = new std::vector<std::vector<const SimulatedEvent*>>(EventsByParcel(*flow_));
  }
  static void TearDownTestSuite() {
    delete by_parcel_;
    delete flow_;
    delete network_;
  }

  // The phone parcels of one scenario.
  static std::vector<std::uint32_t> PhoneParcels(Scenario scenario) {
    std::vector<std::uint32_t> found;
    for (std::size_t i = 0; i < flow_->parcels.size(); ++i) {
      const SimulatedParcel& parcel = flow_->parcels[i];
      if (parcel.device_count > 0 && parcel.scenario == scenario) {
        found.push_back(static_cast<std::uint32_t>(i));
      }
    }
    return found;
  }

  static const std::vector<const SimulatedEvent*>& EventsOf(std::uint32_t parcel) {
    return (*by_parcel_)[parcel];
  }

  static Network* network_;
  static SimulatedFlow* flow_;
  static std::vector<std::vector<const SimulatedEvent*>>* by_parcel_;
};

Network* FlowTest::network_ = nullptr;
SimulatedFlow* FlowTest::flow_ = nullptr;
std::vector<std::vector<const SimulatedEvent*>>* FlowTest::by_parcel_ = nullptr;

// The flow at the command's default size, for what only that volume shows.
class DefaultFlowTest : public FlowTest {
 protected:
  static void SetUpTestSuite() { SetUpFlow(SimulationOptions{}); }
};

// A quarter of the default week, enough for every theft to show its shape.
class WeekFlowTest : public FlowTest {
 protected:
  static void SetUpTestSuite() {
    SimulationOptions options;
    options.parcels = 50000;
    options.phone_parcels = 5000;
    SetUpFlow(options);
  }
};

TEST(SimulateTest, SameSeedGivesIdenticalFiles) {
  const Network network;
  auto first = Simulate(SmallOptions(7), network);
  auto second = Simulate(SmallOptions(7), network);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  const Files a = WriteAll(*first, network);
  const Files b = WriteAll(*second, network);
  EXPECT_EQ(a.manifest, b.manifest);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.labels, b.labels);
}

TEST(SimulateTest, OtherSeedGivesOtherFlow) {
  const Network network;
  auto first = Simulate(SmallOptions(7), network);
  auto second = Simulate(SmallOptions(8), network);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(WriteAll(*first, network).events, WriteAll(*second, network).events);
}

TEST(SimulateTest, RejectsMorePhoneParcelsThanParcels) {
  SimulationOptions options = SmallOptions(1);
  options.phone_parcels = options.parcels + 1;
  auto flow = Simulate(options, Network());
  ASSERT_FALSE(flow.ok());
  EXPECT_EQ(flow.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(flow.error().message.find("--phone-parcels"), std::string::npos);
}

TEST(SimulateTest, WritesFilesTheParsersAccept) {
  const Network network;
  auto flow = Simulate(SmallOptions(3), network);
  ASSERT_TRUE(flow.ok());
  const Files files = WriteAll(*flow, network);

  ManifestBatch batch = ParseManifestCsv(files.manifest, ManifestOptions{});
  EXPECT_TRUE(batch.errors.empty()) << batch.errors.front().message;
  std::size_t devices = 0;
  for (const ManifestParcel& parcel : batch.parcels) devices += parcel.devices.size();
  EXPECT_EQ(devices, flow->devices.size());

  NdjsonEventReader reader;
  std::size_t events = 0;
  std::vector<std::string> errors;
  reader.Parse(
      files.events, [&](const ScanEventView&) { ++events; },
      [&](const EventError& error) { errors.push_back(error.field + ": " + error.message); });
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(events, flow->events.size());
}

TEST(SimulateTest, ImeisAreValidAndDistinct) {
  auto flow = Simulate(SmallOptions(5), Network());
  ASSERT_TRUE(flow.ok());
  std::set<std::string> seen;
  for (const SimulatedDevice& device : flow->devices) {
    EXPECT_TRUE(Imei::Parse(device.imei, ImeiChannel::kHuman).ok()) << device.imei;
    EXPECT_TRUE(seen.insert(device.imei).second) << device.imei;
    if (device.imei2.empty()) continue;
    EXPECT_TRUE(Imei::Parse(device.imei2, ImeiChannel::kHuman).ok()) << device.imei2;
    EXPECT_TRUE(seen.insert(device.imei2).second) << device.imei2;
  }
}

TEST(SimulateTest, FlowRunsOnAfterTheLastAcceptance) {
  // Parcels are accepted over four days; the log runs two more, and the parcels accepted on the
  // last day are scanned in those two days, most of them delivered by then.
  SimulationOptions options = SmallOptions(3);
  options.tail_days = 2;
  auto flow = Simulate(options, Network());
  ASSERT_TRUE(flow.ok());
  const std::int64_t last_acceptance_day = options.start + 4 * kDay;
  EXPECT_EQ(flow->end, last_acceptance_day + 2 * kDay);
  int scans_in_tail = 0;
  for (const SimulatedEvent& event : flow->events) {
    if (event.time >= last_acceptance_day) ++scans_in_tail;
  }
  int accepted_last_day = 0;
  int delivered_last_day = 0;
  for (const SimulatedParcel& parcel : flow->parcels) {
    EXPECT_LT(parcel.accepted, last_acceptance_day);
    if (parcel.accepted < last_acceptance_day - kDay || parcel.device_count == 0) continue;
    ++accepted_last_day;
    if (parcel.outcome == Outcome::kDelivered) ++delivered_last_day;
  }
  EXPECT_GT(scans_in_tail, 1000);
  EXPECT_GT(delivered_last_day * 2, accepted_last_day);

  options.tail_days = 31;
  EXPECT_FALSE(Simulate(options, Network()).ok());
}

TEST(SimulateTest, EventsAreInReceivedOrderAndInsideTheFlow) {
  auto flow = Simulate(SmallOptions(2), Network());
  ASSERT_TRUE(flow.ok());
  for (std::size_t i = 0; i < flow->events.size(); ++i) {
    const SimulatedEvent& event = flow->events[i];
    EXPECT_LE(event.time, flow->end);
    EXPECT_LE(event.received, flow->end);
    EXPECT_GE(event.received, event.time);
    if (i > 0) {
      EXPECT_LE(flow->events[i - 1].received, event.received);
    }
  }
}

TEST_F(DefaultFlowTest, EveryScenarioHasPhones) {
  for (int s = 0; s < kScenarioCount; ++s) {
    const auto scenario = static_cast<Scenario>(s);
    EXPECT_FALSE(PhoneParcels(scenario).empty()) << ScenarioName(scenario);
  }
}

TEST_F(DefaultFlowTest, EachTheftKindMeetsTheMinimum) {
  const int minimum = SimulationOptions{}.min_thefts_per_scenario;
  for (Scenario scenario : {Scenario::kTheftVanished, Scenario::kTheftEmptied,
                            Scenario::kTheftFalseDelivery, Scenario::kTheftInsider}) {
    EXPECT_GE(static_cast<int>(PhoneParcels(scenario).size()), minimum) << ScenarioName(scenario);
  }
  EXPECT_GE(PhoneParcels(Scenario::kTheftVehicle).size(), 5u);
}

TEST_F(WeekFlowTest, LabelsAgreeWithEvents) {
  for (std::size_t i = 0; i < flow_->parcels.size(); ++i) {
    const SimulatedParcel& parcel = flow_->parcels[i];
    const auto& events = EventsOf(static_cast<std::uint32_t>(i));
    std::int64_t first_close = -1;
    bool delivered_at_label = false;
    for (const SimulatedEvent* event : events) {
      const bool closing = event->type == ScanType::kDelivered ||
                           event->type == ScanType::kPickedUp || event->type == ScanType::kReturned;
      if (closing && (first_close < 0 || event->received < first_close)) {
        first_close = event->received;
      }
      const bool delivery =
          event->type == ScanType::kDelivered || event->type == ScanType::kPickedUp;
      if (delivery && event->time == parcel.delivered_time) delivered_at_label = true;
    }
    ASSERT_EQ(parcel.closed_received, first_close) << parcel.parcel_id;
    ASSERT_EQ(parcel.outcome == Outcome::kStolen, parcel.theft_time >= 0) << parcel.parcel_id;
    ASSERT_EQ(parcel.outcome == Outcome::kStolen, IsTheft(parcel.scenario)) << parcel.parcel_id;
    if (parcel.outcome == Outcome::kDelivered) {
      // A delivery in the last hours may be recorded after the flow ends.
      const bool recorded_after_end = parcel.delivered_time > flow_->end - 2 * kHour;
      ASSERT_TRUE(delivered_at_label || recorded_after_end) << parcel.parcel_id;
      ASSERT_LE(parcel.delivered_time, flow_->end) << parcel.parcel_id;
    } else {
      ASSERT_EQ(parcel.delivered_time, -1) << parcel.parcel_id;
    }
  }
}

TEST_F(WeekFlowTest, VanishedParcelsHaveNoScanAfterTheft) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kTheftVanished)) {
    const auto& events = EventsOf(parcel);
    ASSERT_FALSE(events.empty());
    EXPECT_LT(events.back()->time, flow_->parcels[parcel].theft_time);
    const NodeType type = network_->node(events.back()->node).type;
    EXPECT_TRUE(type == NodeType::kTerminal || type == NodeType::kHub);
  }
}

TEST_F(WeekFlowTest, EmptiedParcelsShowLighterOrOpened) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kTheftEmptied)) {
    const SimulatedParcel& label = flow_->parcels[parcel];
    bool shown = false;
    for (const SimulatedEvent* event : EventsOf(parcel)) {
      if (event->time <= label.theft_time) continue;
      // A phone weighs at least 150 g and a scale is off by at most 20 g.
      const bool lighter = event->type == ScanType::kReweighed &&
                           event->weight_g <= label.declared_weight_g - 150 + 20 + 2;
      if (lighter || event->type == ScanType::kExceptionOpened) shown = true;
    }
    EXPECT_TRUE(shown) << label.parcel_id;
  }
}

TEST_F(WeekFlowTest, FalseDeliveriesEndInWeakProofAndClaim) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kTheftFalseDelivery)) {
    const auto& events = EventsOf(parcel);
    ASSERT_GE(events.size(), 2u);
    const SimulatedEvent& delivered = *events[events.size() - 2];
    EXPECT_EQ(delivered.type, ScanType::kDelivered);
    EXPECT_TRUE(delivered.detail == ScanDetail::kDoorstep ||
                delivered.detail == ScanDetail::kMailbox);
    EXPECT_EQ(delivered.time, flow_->parcels[parcel].theft_time);
    EXPECT_EQ(events.back()->type, ScanType::kClaimNotReceived);
  }
}

TEST_F(WeekFlowTest, StolenVehicleTakesItsWholeLoad) {
  // Every parcel whose last scan is the stolen run's departure is stolen, phone or not, and every
  // parcel stolen with the vehicle was last scanned at the run's origin (a parcel whose scans there
  // are missing still ends there).
  const auto phones = PhoneParcels(Scenario::kTheftVehicle);
  ASSERT_FALSE(phones.empty());
  const SimulatedEvent* departure = nullptr;
  for (const SimulatedEvent* event : EventsOf(phones.front())) {
    if (event->type == ScanType::kDeparted) departure = event;
  }
  ASSERT_NE(departure, nullptr);
  std::size_t parcels_on_run = 0;
  for (std::size_t i = 0; i < flow_->parcels.size(); ++i) {
    const auto& events = EventsOf(static_cast<std::uint32_t>(i));
    if (events.empty()) continue;
    const SimulatedEvent& end = *events.back();
    const bool left_on_run = end.type == ScanType::kDeparted && end.node == departure->node &&
                             end.next_node == departure->next_node && end.time == departure->time;
    if (left_on_run) {
      ++parcels_on_run;
      EXPECT_EQ(flow_->parcels[i].scenario, Scenario::kTheftVehicle);
    }
    if (flow_->parcels[i].scenario != Scenario::kTheftVehicle) continue;
    EXPECT_EQ(end.node, departure->node);
    EXPECT_LE(end.time, departure->time);
    EXPECT_GT(flow_->parcels[i].theft_time, departure->time);
  }
  EXPECT_GT(parcels_on_run, phones.size());
}

TEST_F(WeekFlowTest, InsiderIsOneHandlerOnNightsOverDays) {
  const auto stolen = PhoneParcels(Scenario::kTheftInsider);
  ASSERT_FALSE(stolen.empty());
  const SimulatedEvent& first = *EventsOf(stolen.front()).back();
  std::set<std::int64_t> days;
  for (std::uint32_t parcel : stolen) {
    const SimulatedEvent& last = *EventsOf(parcel).back();
    EXPECT_EQ(last.type, ScanType::kSorted);
    EXPECT_EQ(last.node, first.node);
    EXPECT_EQ(last.handler, first.handler);
    EXPECT_EQ(ShiftOfHour(LocalHour(last.time)), 2);
    days.insert(LocalMidnight(last.time - 6 * kHour));
  }
  EXPECT_GE(days.size(), 2u);
}

TEST_F(DefaultFlowTest, OutageHoldsThousandsAtOneNode) {
  std::set<NodeIndex> nodes;
  std::size_t held = 0;
  for (const SimulatedEvent& event : flow_->events) {
    if (event.detail != ScanDetail::kSorterStopped) continue;
    nodes.insert(event.node);
    ++held;
  }
  EXPECT_EQ(nodes.size(), 1u);
  EXPECT_GE(held, 1000u);
}

TEST_F(WeekFlowTest, LateUploadsAreHoursLate) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kLateUpload)) {
    std::int64_t latest = 0;
    for (const SimulatedEvent* event : EventsOf(parcel)) {
      latest = std::max(latest, event->received - event->time);
    }
    EXPECT_GE(latest, kHour) << flow_->parcels[parcel].parcel_id;
  }
}

TEST_F(WeekFlowTest, DuplicateParcelsRepeatEventIds) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kDuplicate)) {
    std::map<std::uint32_t, int> copies;
    int repeated = 0;
    for (const SimulatedEvent* event : EventsOf(parcel)) {
      if (++copies[event->number] == 2) ++repeated;
    }
    EXPECT_GE(repeated, 1) << flow_->parcels[parcel].parcel_id;
  }
}

TEST_F(WeekFlowTest, FalseClaimsAreFollowedByFound) {
  for (std::uint32_t parcel : PhoneParcels(Scenario::kFalseClaim)) {
    std::vector<ScanType> types;
    for (const SimulatedEvent* event : EventsOf(parcel)) types.push_back(event->type);
    const auto delivered = std::find(types.begin(), types.end(), ScanType::kDelivered);
    const auto claim = std::find(types.begin(), types.end(), ScanType::kClaimNotReceived);
    const auto found = std::find(types.begin(), types.end(), ScanType::kFound);
    // The flow may end before the claim or the find.
    if (claim == types.end()) continue;
    EXPECT_LT(delivered, claim);
    if (found != types.end()) {
      EXPECT_LT(claim, found);
    }
  }
}

TEST_F(WeekFlowTest, HonestReweighsStayWithinScaleNoise) {
  for (std::size_t i = 0; i < flow_->parcels.size(); ++i) {
    const SimulatedParcel& parcel = flow_->parcels[i];
    if (parcel.device_count == 0 || parcel.scenario == Scenario::kTheftEmptied) continue;
    for (const SimulatedEvent* event : EventsOf(static_cast<std::uint32_t>(i))) {
      if (event->weight_g < 0) continue;
      // Declared weights are rounded to 5 g.
      EXPECT_LE(std::abs(event->weight_g - parcel.declared_weight_g), 20 + 2) << parcel.parcel_id;
    }
  }
}

}  // namespace
}  // namespace imeiguard::simulation
