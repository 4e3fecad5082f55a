// The engine's signals beyond exception scans: a light weighing, a broken scan chain with limits
// learned from the flow, a claim of non-receipt, and a node-wide outage that softens a loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "detection/engine.h"

namespace imeiguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

ParcelRecord Parcel() {
  ParcelRecord parcel;
  parcel.parcel_id = "373500000000009999";
  parcel.shipper_id = "telco-a";
  parcel.promised_by = At("2026-03-05T23:59:59+01:00");
  parcel.declared_weight_g = 640;
  return parcel;
}

ScanEvent Scan(std::string id, ScanType type, Timestamp time, std::string node, NodeType node_type,
               std::string next_node = "") {
  ScanEvent event;
  event.event_id = std::move(id);
  event.parcel_id = "373500000000009999";
  event.type = type;
  event.time = time;
  event.node = std::move(node);
  event.node_type = node_type;
  event.next_node = std::move(next_node);
  return event;
}

std::vector<ScanEvent> Sorted(std::vector<ScanEvent> events) {
  std::sort(events.begin(), events.end(), EventTimeOrder);
  return events;
}

// The outcomes of the evidence, in order, each as "rule:outcome".
std::vector<std::string> Facts(const Assessment& assessment) {
  std::vector<std::string> facts;
  for (const Evidence& evidence : assessment.evidence) {
    facts.push_back(evidence.rule + ":" + evidence.outcome);
  }
  return facts;
}

// How often `fact` ("rule:outcome") appears in the evidence.
std::ptrdiff_t CountFact(const Assessment& assessment, const std::string& fact) {
  std::vector<std::string> facts = Facts(assessment);
  return std::count(facts.begin(), facts.end(), fact);
}

const Timestamp kStart = At("2026-03-02T08:00:00Z");

// Thirty parcels a day earlier that took 2 h from terminal A to hub B and stayed 1 h at the hub,
// and the hub's traffic since.
FlowStatistics LearnedFlow() {
  FlowStatistics flow;
  for (int i = 0; i < 30; ++i) {
    Timestamp t = kStart - hours(24) + minutes(10 * i);
    std::string id = "train-" + std::to_string(i);
    std::vector<ScanEvent> history = {
        Scan(id + "a", ScanType::kDeparted, t, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B"),
        Scan(id + "b", ScanType::kArrived, t + hours(2), "SE-HUB-B", NodeType::kHub),
        Scan(id + "c", ScanType::kDeparted, t + hours(3), "SE-HUB-B", NodeType::kHub, "SE-TERM-C"),
        Scan(id + "d", ScanType::kArrived, t + hours(5), "SE-TERM-C", NodeType::kTerminal)};
    flow.Record(id, Sorted(history));
  }
  // Hub B keeps scanning parcels from terminal D, which arrive every half hour and stay one hour.
  for (int i = 0; i < 120; ++i) {
    Timestamp t = kStart + minutes(30 * i);
    std::string id = "traffic-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id + "a", ScanType::kArrived, t, "SE-HUB-B", NodeType::kHub),
                                Scan(id + "b", ScanType::kDeparted, t + hours(1), "SE-HUB-B",
                                     NodeType::kHub, "SE-TERM-C")});
  }
  return flow;
}

TEST(LightReweigh, PhoneShortfallLocks) {
  ScanEvent weighed = Scan("w", ScanType::kReweighed, kStart, "SE-TERM-A", NodeType::kTerminal);
  weighed.weight_g = 470;
  Assessment a = Assess(Parcel(), std::vector{weighed}, kStart + hours(1), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(Facts(a), std::vector<std::string>{"light_reweigh:lost"});
  EXPECT_EQ(a.evidence[0].event_id, "w");
}

TEST(LightReweigh, ScaleNoiseIgnored) {
  std::vector<ScanEvent> history;
  for (int grams : {622, 655, 640}) {
    ScanEvent weighed = Scan("w" + std::to_string(grams), ScanType::kReweighed,
                             kStart + minutes(grams), "SE-TERM-A", NodeType::kTerminal);
    weighed.weight_g = grams;
    history.push_back(weighed);
  }
  Assessment a = Assess(Parcel(), Sorted(history), kStart + hours(12), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
  EXPECT_TRUE(a.evidence.empty());
}

TEST(LightReweigh, SmallShortfallIsPackaging) {
  ScanEvent weighed = Scan("w", ScanType::kReweighed, kStart, "SE-TERM-A", NodeType::kTerminal);
  weighed.weight_g = 560;  // 80 g short: less than any phone.
  Assessment a = Assess(Parcel(), std::vector{weighed}, kStart + hours(1), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
}

TEST(FlowStatistics, LearnsLegQuantileWithMargin) {
  FlowStatistics flow = LearnedFlow();
  ChainLimits limits;
  EXPECT_EQ(flow.TransitLimit("SE-TERM-A", "SE-HUB-B", kStart, limits), hours(3));
  EXPECT_EQ(flow.DwellLimit(NodeType::kHub, kStart, limits), limits.dwell_floor);
  // Nothing learned on an unknown leg, nor from samples completed after the time asked about.
  EXPECT_EQ(flow.TransitLimit("SE-TERM-A", "SE-HUB-X", kStart, limits), limits.transit_ceiling);
  EXPECT_EQ(flow.TransitLimit("SE-TERM-A", "SE-HUB-B", kStart - hours(30), limits),
            limits.transit_ceiling);
}

TEST(FlowStatistics, RecordReplacesParcelsContribution) {
  FlowStatistics flow = LearnedFlow();
  ChainLimits limits;
  limits.min_samples = 30;
  EXPECT_EQ(flow.TransitLimit("SE-TERM-A", "SE-HUB-B", kStart, limits), hours(3));
  flow.Record("train-0", std::vector<ScanEvent>{});
  EXPECT_EQ(flow.TransitLimit("SE-TERM-A", "SE-HUB-B", kStart, limits), limits.transit_ceiling);
}

// A parcel through hub B and on to terminal C, scanned by handler h-1 at the hub, whose arrival
// at C came in an upload two hours late.
std::vector<ScanEvent> HubToTerminal(Timestamp t) {
  std::vector<ScanEvent> history = {
      Scan("p-1", ScanType::kArrived, t, "SE-HUB-B", NodeType::kHub),
      Scan("p-2", ScanType::kSorted, t + minutes(10), "SE-HUB-B", NodeType::kHub),
      Scan("p-3", ScanType::kDeparted, t + hours(1), "SE-HUB-B", NodeType::kHub, "SE-TERM-C"),
      Scan("p-4", ScanType::kArrived, t + hours(3), "SE-TERM-C", NodeType::kTerminal),
      Scan("p-5", ScanType::kSorted, t + hours(4), "SE-TERM-C", NodeType::kTerminal)};
  for (ScanEvent& event : history) event.handler = "h-1";
  history[3].received = history[3].time + hours(2);
  return history;
}

// What every query of `flow` returns about hub B, terminal C and the leg between them.
std::vector<std::int64_t> Queries(const FlowStatistics& flow, Timestamp t) {
  ChainLimits limits;
  limits.min_samples = 1;
  limits.quiet_min_samples = 1;
  limits.quiet_min_history = hours(0);
  std::vector<std::int64_t> results = {
      flow.ArrivalsAt("SE-HUB-B", t - hours(1), t + hours(1)),
      flow.ArrivalsAt("SE-TERM-C", t, t + hours(4)),
      flow.OverdueAt("SE-HUB-B", t + hours(2), limits),
      flow.OverdueAt("SE-TERM-C", t + hours(20), limits),
      flow.LateRecordsAt("SE-TERM-C", t, t + hours(5)),
      flow.TransitLimit("SE-HUB-B", "SE-TERM-C", t + hours(5), limits).count(),
      flow.DwellLimit(NodeType::kHub, t + hours(5), limits).count(),
      flow.LearnedWait("SE-HUB-B", ScanType::kSorted, t + hours(5), limits)
          .value_or(hours(-1))
          .count(),
      flow.LoadOf("SE-HUB-B", "SE-TERM-C", t + hours(1), t + hours(10), hours(2)).departed,
      flow.LoadOf("SE-HUB-B", "SE-TERM-C", t + hours(1), t + hours(10), hours(2)).vanished,
  };
  for (ScanType type : {ScanType::kArrived, ScanType::kSorted}) {
    FlowStatistics::HandlerShare share =
        flow.QuietSince("SE-TERM-C", type, "h-1", t + hours(8), hours(1), limits);
    results.push_back(share.by_handler);
    results.push_back(share.spread.count());
  }
  return results;
}

TEST(FlowStatistics, GrowingHistoryEqualsWholeHistory) {
  const Timestamp t = kStart + hours(2);
  std::vector<ScanEvent> whole = HubToTerminal(t);
  FlowStatistics at_once = LearnedFlow();
  at_once.Record("p", whole);

  // The same parcel recorded scan by scan, then once without its sorting at the hub, which a late
  // upload adds back in the middle, and once with the whole history again.
  FlowStatistics scan_by_scan = LearnedFlow();
  for (std::size_t n = 1; n <= whole.size(); ++n) {
    scan_by_scan.Record("p", std::span(whole).first(n));
  }
  std::vector<ScanEvent> without_sorting = whole;
  without_sorting.erase(without_sorting.begin() + 1);
  scan_by_scan.Record("p", without_sorting);
  EXPECT_NE(Queries(scan_by_scan, t), Queries(at_once, t));
  scan_by_scan.Record("p", whole);
  scan_by_scan.Record("p", whole);
  EXPECT_EQ(Queries(scan_by_scan, t), Queries(at_once, t));

  FlowStatistics never_recorded = LearnedFlow();
  at_once.Record("p", std::vector<ScanEvent>{});
  EXPECT_EQ(Queries(at_once, t), Queries(never_recorded, t));
}

TEST(FlowStatistics, TiedSamplesCountTogether) {
  // Two parcels arrived at C at the same second, one 1 h and one 4 h after leaving B. With room
  // for one sample, both count whichever was recorded first, so the limit is that of both.
  const Timestamp arrival = kStart;
  auto leg = [&](const std::string& id, Duration transit) {
    return std::vector{
        Scan(id + "-d", ScanType::kDeparted, arrival - transit, "SE-HUB-B", NodeType::kHub,
             "SE-TERM-C"),
        Scan(id + "-a", ScanType::kArrived, arrival, "SE-TERM-C", NodeType::kTerminal)};
  };
  ChainLimits limits;
  limits.min_samples = 1;
  limits.max_samples = 1;
  FlowStatistics fast_first;
  fast_first.Record("fast", leg("fast", hours(1)));
  fast_first.Record("slow", leg("slow", hours(4)));
  FlowStatistics slow_first;
  slow_first.Record("slow", leg("slow", hours(4)));
  slow_first.Record("fast", leg("fast", hours(1)));
  // The 0.99 quantile of 1 h and 4 h is 4 h, times the margin of 1.5.
  EXPECT_EQ(fast_first.TransitLimit("SE-HUB-B", "SE-TERM-C", arrival + hours(1), limits), hours(6));
  EXPECT_EQ(slow_first.TransitLimit("SE-HUB-B", "SE-TERM-C", arrival + hours(1), limits), hours(6));
}

TEST(BrokenChain, LoneMissedArrivalLocksLater) {
  FlowStatistics flow = LearnedFlow();
  auto history = std::vector{
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B")};
  DetectionPolicy policy;
  Assessment early = Assess(Parcel(), history, kStart + hours(4), policy, flow);
  EXPECT_EQ(early.verdict, Verdict::kSuspect);
  EXPECT_EQ(early.since, kStart + hours(3));
  EXPECT_EQ(early.next_deadline, kStart + hours(3) + policy.chain.transit_confirm_after);

  Assessment late = Assess(Parcel(), history, kStart + hours(34), policy, flow);
  EXPECT_EQ(late.verdict, Verdict::kLost);
  EXPECT_EQ(late.since, kStart + hours(3) + policy.chain.transit_confirm_after);
  EXPECT_EQ(Facts(late),
            (std::vector<std::string>{"missed_arrival:suspect", "missed_arrival:lost"}));
}

TEST(BrokenChain, VanishedLoadLocksWithinHour) {
  // The parcel's whole load left terminal A on one trailer and never reached hub B.
  FlowStatistics flow = LearnedFlow();
  auto departed =
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B");
  flow.Record("373500000000009999", std::vector{departed});
  for (int i = 0; i < 4; ++i) {
    std::string id = "load-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kDeparted, kStart, "SE-TERM-A",
                                     NodeType::kTerminal, "SE-HUB-B")});
  }
  Assessment a =
      Assess(Parcel(), std::vector{departed}, kStart + hours(5), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, kStart + hours(4));
  EXPECT_NE(a.evidence.at(0).detail.find("5 of the 5 parcels of its load vanished with it"),
            std::string::npos)
      << a.evidence.at(0).detail;
}

TEST(BrokenChain, MissedScanOnlySuspects) {
  // The hub's scans were missed: the parcel turns up at the next terminal 4.5 h after departing.
  FlowStatistics flow = LearnedFlow();
  auto history = Sorted(
      {Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B"),
       Scan("c", ScanType::kArrived, kStart + minutes(270), "SE-TERM-C", NodeType::kTerminal)});
  Assessment a = Assess(Parcel(), history, kStart + hours(6), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kRecovered);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"missed_arrival:suspect", "seen_again:"}));
}

TEST(BrokenChain, DwellAtHubLocks) {
  FlowStatistics flow = LearnedFlow();
  auto history = std::vector{Scan("a", ScanType::kArrived, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  Assessment waiting = Assess(Parcel(), history, kStart + hours(40), policy, flow);
  EXPECT_EQ(waiting.verdict, Verdict::kSuspect);
  Assessment a = Assess(Parcel(), history, kStart + hours(47), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, kStart + policy.chain.dwell_floor + policy.chain.dwell_confirm_after);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"dwell:suspect", "dwell:lost"}));
}

TEST(BrokenChain, AddressHasNoDwellLimit) {
  auto history =
      std::vector{Scan("x", ScanType::kDeliveryAttempted, kStart, "ADDR-1", NodeType::kAddress)};
  Assessment a = Assess(Parcel(), history, kStart + hours(60), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
}

TEST(NodeOutage, ManyStuckAtHubOnlySuspect) {
  // A sorter breakdown: 24 parcels arrive at hub B within two hours and none leaves.
  FlowStatistics flow = LearnedFlow();
  for (int i = 0; i < 24; ++i) {
    std::string id = "stuck-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kArrived, kStart + minutes(5 * i), "SE-HUB-B",
                                     NodeType::kHub)});
  }
  auto history = std::vector{Scan("a", ScanType::kArrived, kStart, "SE-HUB-B", NodeType::kHub)};
  Assessment a = Assess(Parcel(), history, kStart + hours(50), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(a),
            (std::vector<std::string>{"dwell:suspect", "node_outage:context", "dwell:suspect"}));
}

TEST(NodeOutage, StolenLoadOnOneLegStillLocks) {
  // Thirty parcels leave terminal A for hub B on one trailer and are never scanned again.
  FlowStatistics flow = LearnedFlow();
  for (int i = 0; i < 30; ++i) {
    std::string id = "trailer-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kDeparted, kStart, "SE-TERM-A",
                                     NodeType::kTerminal, "SE-HUB-B")});
  }
  auto history = std::vector{
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B")};
  Assessment a = Assess(Parcel(), history, kStart + hours(6), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
}

TEST(NodeOutage, SilentDestinationOnlySuspects) {
  // Hub E's scanners are down: the parcel's load is not scanned arriving, nor is anything else.
  FlowStatistics flow = LearnedFlow();
  auto departed =
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-E");
  flow.Record("373500000000009999", std::vector{departed});
  for (int i = 0; i < 4; ++i) {
    std::string id = "load-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kDeparted, kStart, "SE-TERM-A",
                                     NodeType::kTerminal, "SE-HUB-E")});
  }
  DetectionPolicy policy;
  // The leg counts in full an hour after its 36 h limit, but hub E has scanned nothing since:
  // its feed may only be behind, so the leg waits.
  Assessment waiting = Assess(Parcel(), std::vector{departed}, kStart + hours(40), policy, flow);
  EXPECT_EQ(Facts(waiting), (std::vector<std::string>{"missed_arrival:suspect"}));
  // Silent for as long as a lone leg waits, the hub is down: the parcel stays only suspect.
  Assessment a = Assess(Parcel(), std::vector{departed}, kStart + hours(70), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"missed_arrival:suspect", "node_outage:context",
                                                "missed_arrival:suspect"}));
}

// Parcels that left terminal A for hub B together at kStart: `arrived` of them scanned at the hub
// 2 h later, `vanished` never scanned again.
void RecordLoad(FlowStatistics& flow, int arrived, int vanished) {
  for (int i = 0; i < arrived + vanished; ++i) {
    std::string id = "run-" + std::to_string(i);
    std::vector<ScanEvent> history = {
        Scan(id + "d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B")};
    if (i < arrived) {
      history.push_back(
          Scan(id + "a", ScanType::kArrived, kStart + hours(2), "SE-HUB-B", NodeType::kHub));
    }
    flow.Record(id, history);
  }
}

TEST(BrokenChain, FewMissedOnBusyRunIsNoVanishedLoad) {
  // Forty parcels left on one run; the parcel and three others were not scanned at the hub, whose
  // scans of them were missed. Three of forty is no vanished load, so the parcel waits as a lone
  // leg does.
  FlowStatistics flow = LearnedFlow();
  RecordLoad(flow, 36, 3);
  auto departed =
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B");
  flow.Record("373500000000009999", std::vector{departed});
  DetectionPolicy policy;
  Assessment a = Assess(Parcel(), std::vector{departed}, kStart + hours(6), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(a.next_deadline, kStart + hours(3) + policy.chain.transit_confirm_after);
}

TEST(BrokenChain, LateUploadAtDestinationOnlySuspects) {
  // Hub B's scanners uploaded late: its scans since the departure were recorded hours after they
  // happened, and the parcel's own arrival is still in a batch to come.
  FlowStatistics flow = LearnedFlow();
  auto departed =
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-B");
  flow.Record("373500000000009999", std::vector{departed});
  RecordLoad(flow, 0, 4);
  ScanEvent late = Scan("late", ScanType::kArrived, kStart + hours(1), "SE-HUB-B", NodeType::kHub);
  late.received = kStart + hours(5);
  flow.Record("late-upload", std::vector{late});
  Assessment a =
      Assess(Parcel(), std::vector{departed}, kStart + hours(6), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"missed_arrival:suspect", "node_outage:context",
                                                "missed_arrival:suspect"}));
  EXPECT_NE(a.evidence.at(1).detail.find("recorded an hour or more late"), std::string::npos)
      << a.evidence.at(1).detail;
}

TEST(BrokenChain, VanishedLoadWaitsForDestinationFeed) {
  // The load vanished, but hub C has scanned nothing since an hour before it fell due: its feed
  // may only be behind. Once the hub scans other parcels past that time, the parcel locks, at the
  // time it fell due.
  FlowStatistics flow = LearnedFlow();
  auto departed =
      Scan("d", ScanType::kDeparted, kStart, "SE-TERM-A", NodeType::kTerminal, "SE-HUB-C");
  flow.Record("373500000000009999", std::vector{departed});
  for (int i = 0; i < 4; ++i) {
    std::string id = "load-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kDeparted, kStart, "SE-TERM-A",
                                     NodeType::kTerminal, "SE-HUB-C")});
  }
  DetectionPolicy policy;
  Timestamp due = kStart + policy.chain.transit_ceiling + policy.chain.load_confirm_after;
  flow.Record("before", std::vector{Scan("b", ScanType::kArrived, due - hours(1), "SE-HUB-C",
                                         NodeType::kHub)});
  Assessment waiting = Assess(Parcel(), std::vector{departed}, due + hours(3), policy, flow);
  EXPECT_EQ(waiting.verdict, Verdict::kSuspect);

  flow.Record("after", std::vector{Scan("a", ScanType::kArrived, due + hours(3) + minutes(30),
                                        "SE-HUB-C", NodeType::kHub)});
  Assessment a = Assess(Parcel(), std::vector{departed}, due + hours(4), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, due);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"missed_arrival:suspect", "missed_arrival:lost"}));
}

// Records a parcel sorted at hub `node` at `time` and loaded onto a linehaul `wait` later.
void RecordSortedAndLoaded(FlowStatistics& flow, const std::string& id, const std::string& node,
                           Timestamp time, Duration wait) {
  flow.Record(id, std::vector{Scan(id + "s", ScanType::kSorted, time, node, NodeType::kHub),
                              Scan(id + "l", ScanType::kLoaded, time + wait, node, NodeType::kHub,
                                   "SE-LH-1")});
}

// 400 parcels sorted at hub B over the 60 hours before kStart, each loaded 20 to 50 minutes
// later, and 400 unloaded there 30 hours before, each sorted 1 to 30 hours later, on top of `flow`.
FlowStatistics SortingHub(FlowStatistics flow = LearnedFlow()) {
  for (int i = 0; i < 400; ++i) {
    Timestamp t = kStart - hours(60) + minutes(9 * i);
    RecordSortedAndLoaded(flow, "sorted-" + std::to_string(i), "SE-HUB-B", t, minutes(20 + i % 31));
    std::string held = "held-" + std::to_string(i);
    flow.Record(
        held,
        std::vector{
            Scan(held + "u", ScanType::kUnloaded, t - hours(30), "SE-HUB-B", NodeType::kHub),
            Scan(held + "s", ScanType::kSorted, t - hours(30) + hours(1 + i % 30), "SE-HUB-B",
                 NodeType::kHub),
            Scan(held + "d", ScanType::kDeparted, t - hours(30) + hours(1 + i % 30) + minutes(30),
                 "SE-HUB-B", NodeType::kHub, "SE-TERM-C")});
  }
  return flow;
}

TEST(FlowStatistics, QuietLimitIsLongestRecentWait) {
  FlowStatistics flow = SortingHub();
  ChainLimits limits;
  // 50 minutes times 1.5 is below the floor.
  EXPECT_EQ(flow.QuietLimit("SE-HUB-B", ScanType::kSorted, kStart, limits), limits.dwell_floor);
  EXPECT_EQ(flow.QuietLimit("SE-HUB-B", ScanType::kUnloaded, kStart, limits), hours(45));
  // Hub B's waits after an arrival are fewer than quiet_min_samples: the ceiling applies.
  EXPECT_EQ(flow.QuietLimit("SE-HUB-B", ScanType::kArrived, kStart + hours(40), limits),
            limits.dwell_ceiling);
}

TEST(FlowStatistics, QuietLimitWaitsForADayOfWaits) {
  // Hub C joined the feed 20 hours before kStart: its 200 sorted parcels were each loaded within
  // 40 minutes, but no night of waits is behind them yet.
  FlowStatistics flow;
  for (int i = 0; i < 200; ++i) {
    RecordSortedAndLoaded(flow, "new-hub-" + std::to_string(i), "SE-HUB-C",
                          kStart - hours(20) + minutes(6 * i), minutes(10 + i % 31));
  }
  ChainLimits limits;
  EXPECT_EQ(flow.QuietLimit("SE-HUB-C", ScanType::kSorted, kStart, limits), limits.dwell_ceiling);
  // The first wait ended 19 h 50 min before kStart: a day of waits is behind 4 h 10 min later.
  Timestamp day_later = kStart - hours(20) + minutes(10) + limits.quiet_min_history;
  EXPECT_EQ(flow.QuietLimit("SE-HUB-C", ScanType::kSorted, day_later - minutes(1), limits),
            limits.dwell_ceiling);
  EXPECT_EQ(flow.QuietLimit("SE-HUB-C", ScanType::kSorted, day_later, limits), limits.dwell_floor);
}

TEST(BrokenChain, QuietAfterSortingLocksSoon) {
  // Sorted at hub B, where every parcel sorted in the last two days was loaded within 50 minutes,
  // and never scanned again: taken as it was sorted.
  FlowStatistics flow = SortingHub();
  auto history = std::vector{Scan("s", ScanType::kSorted, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  Assessment suspect = Assess(Parcel(), history, kStart + hours(12), policy, flow);
  EXPECT_EQ(Facts(suspect), (std::vector<std::string>{"dwell:suspect"}));
  policy.quiet_wait = RuleOutcome::kLost;
  // The learned wait is 50 min times 1.5, below the floor: the floor applies.
  Timestamp limit = kStart + policy.chain.dwell_floor;
  Assessment a = Assess(Parcel(), history, limit + policy.chain.quiet_confirm_after, policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, limit + policy.chain.quiet_confirm_after);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"dwell:suspect", "dwell:lost"}));
}

TEST(BrokenChain, QuietAfterUnloadingWaitsLonger) {
  // Unloaded at hub B, where parcels wait up to 30 hours to be sorted: 12 hours is no news.
  FlowStatistics flow = SortingHub();
  auto history = std::vector{Scan("u", ScanType::kUnloaded, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  policy.quiet_wait = RuleOutcome::kLost;
  Assessment a = Assess(Parcel(), history, kStart + hours(12), policy, flow);
  EXPECT_NE(a.verdict, Verdict::kLost);
  EXPECT_EQ(CountFact(a, "dwell:lost"), 0);
}

ScanEvent ByHandler(ScanEvent event, std::string handler) {
  event.handler = std::move(handler);
  return event;
}

// Records a parcel sorted at hub B by `handler` at `time` and never scanned again.
void RecordQuietSort(FlowStatistics& flow, const std::string& id, const std::string& handler,
                     Timestamp time) {
  flow.Record(id, std::vector{ByHandler(
                      Scan(id, ScanType::kSorted, time, "SE-HUB-B", NodeType::kHub), handler)});
}

// Records three parcels that h-7 sorted at hub B in the hours before kStart and that were never
// scanned again, and this parcel sorted by h-7 at kStart. Returns this parcel's history.
std::vector<ScanEvent> SortAfterThreePocketed(FlowStatistics& flow) {
  for (int i = 1; i <= 3; ++i) {
    RecordQuietSort(flow, "pocketed-" + std::to_string(i), "h-7", kStart - hours(i));
  }
  auto history = std::vector{
      ByHandler(Scan("s", ScanType::kSorted, kStart, "SE-HUB-B", NodeType::kHub), "h-7")};
  flow.Record(Parcel().parcel_id, history);
  return history;
}

TEST(SameHandler, FourQuietSortsOfOneHandlerLock) {
  // Three parcels that handler h-7 sorted at hub B in the hours before were never scanned again,
  // while everyone else's sorted parcels were loaded within the hour. The hub's learned wait after
  // a sorting, 75 minutes, is below the handler check's floor: the check comes at the floor, hours
  // before the quiet-wait rule's own floor.
  FlowStatistics flow = SortingHub();
  std::vector<ScanEvent> history = SortAfterThreePocketed(flow);
  DetectionPolicy policy;
  Timestamp checked = kStart + policy.chain.handler_wait_floor;
  Assessment a = Assess(Parcel(), history, checked, policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, checked);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"same_handler:lost"}));
  EXPECT_EQ(a.evidence.back().detail,
            "4 of the 4 parcels quiet at SE-HUB-B for 2 h or more since a sorted scan within 72 h "
            "were scanned by h-7 over 3 h");
}

TEST(SameHandler, OneLoadMissingItsConnectionIsNoPattern) {
  // Four parcels that h-7 sorted within half an hour, all off one inbound load, missed the
  // morning's vans together: one event, not a sorter taking phones over a shift.
  FlowStatistics flow = SortingHub();
  for (int i = 1; i <= 3; ++i) {
    RecordQuietSort(flow, "same-load-" + std::to_string(i), "h-7", kStart - minutes(10 * i));
  }
  auto history = std::vector{
      ByHandler(Scan("s", ScanType::kSorted, kStart, "SE-HUB-B", NodeType::kHub), "h-7")};
  flow.Record(Parcel().parcel_id, history);
  Assessment a = Assess(Parcel(), history, kStart + hours(30), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(CountFact(a, "same_handler:lost"), 0);

  // A fifth parcel of h-7, sorted three hours later and as quiet, makes it a pattern.
  RecordQuietSort(flow, "later", "h-7", kStart + hours(3));
  Assessment later = Assess(Parcel(), history, kStart + hours(30), DetectionPolicy{}, flow);
  EXPECT_EQ(later.verdict, Verdict::kLost);
  EXPECT_EQ(later.since, kStart + hours(3) + DetectionPolicy{}.chain.handler_wait_floor);
}

TEST(SameHandler, WaitsForTheLearnedWaitAboveTheFloor) {
  // At hub B parcels wait up to 30 hours after an unloading: h-7's four unloaded parcels quiet
  // for 12 hours are no pattern yet, and are one once quiet past 45 hours.
  FlowStatistics flow = SortingHub();
  for (int i = 1; i <= 3; ++i) {
    std::string id = "unloaded-" + std::to_string(i);
    flow.Record(
        id,
        std::vector{ByHandler(
            Scan(id, ScanType::kUnloaded, kStart - hours(i), "SE-HUB-B", NodeType::kHub), "h-7")});
  }
  auto history = std::vector{
      ByHandler(Scan("u", ScanType::kUnloaded, kStart, "SE-HUB-B", NodeType::kHub), "h-7")};
  flow.Record(Parcel().parcel_id, history);
  DetectionPolicy policy;
  Assessment early = Assess(Parcel(), history, kStart + hours(12), policy, flow);
  EXPECT_EQ(CountFact(early, "same_handler:lost"), 0);
  Assessment a = Assess(Parcel(), history, kStart + hours(46), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, kStart + hours(45));
  EXPECT_EQ(CountFact(a, "same_handler:lost"), 1);
}

TEST(SameHandler, LocksOnceFourthGoesQuiet) {
  // Two earlier parcels of h-7 are quiet: three are no pattern yet. A fourth, sorted two hours
  // later, passes its own wait two hours after this one, and then the pattern holds.
  FlowStatistics flow = SortingHub();
  RecordQuietSort(flow, "pocketed-1", "h-7", kStart - hours(1));
  RecordQuietSort(flow, "pocketed-2", "h-7", kStart - hours(3));
  RecordQuietSort(flow, "pocketed-3", "h-7", kStart + hours(2));
  auto history = std::vector{
      ByHandler(Scan("s", ScanType::kSorted, kStart, "SE-HUB-B", NodeType::kHub), "h-7")};
  flow.Record(Parcel().parcel_id, history);
  DetectionPolicy policy;
  Timestamp checked = kStart + policy.chain.handler_wait_floor;
  Assessment early = Assess(Parcel(), history, checked + hours(1), policy, flow);
  EXPECT_NE(early.verdict, Verdict::kLost);
  EXPECT_EQ(early.next_deadline, checked + hours(2));

  Assessment a = Assess(Parcel(), history, checked + hours(3), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, checked + hours(2));
}

TEST(SameHandler, WaitsWhileNodeFeedIsBehind) {
  // Hub B has scanned nothing since its last loading, 50 minutes after kStart: its parcels may
  // only be waiting in a late upload. Once it scans again, the pattern counts from the time it
  // first held, as a leg's does once its destination's feed catches up.
  FlowStatistics flow = SortingHub(FlowStatistics{});
  std::vector<ScanEvent> history = SortAfterThreePocketed(flow);
  DetectionPolicy policy;
  Timestamp limit = kStart + policy.chain.handler_wait_floor;
  Assessment behind = Assess(Parcel(), history, limit + minutes(30), policy, flow);
  EXPECT_NE(behind.verdict, Verdict::kLost);

  flow.Record("next", std::vector{Scan("n", ScanType::kArrived, limit + minutes(30), "SE-HUB-B",
                                       NodeType::kHub)});
  Assessment a = Assess(Parcel(), history, limit + hours(2), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, limit);
}

TEST(SameHandler, LateUploadAtNodeOnlySuspects) {
  // A scan at hub B made while this parcel waited came in two hours late: the hub's upload is
  // catching up, and its parcels' later scans may still be on their way.
  FlowStatistics flow = SortingHub();
  ScanEvent late = Scan("l", ScanType::kSorted, kStart + hours(1), "SE-HUB-B", NodeType::kHub);
  late.received = kStart + hours(3);
  flow.Record("late", std::vector{late});
  std::vector<ScanEvent> history = SortAfterThreePocketed(flow);
  Assessment a = Assess(Parcel(), history, kStart + hours(30), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(CountFact(a, "same_handler:lost"), 0);
}

TEST(SameHandler, QuietAcrossHandlersOnlySuspect) {
  // Four quiet parcels of h-7 among ten quiet at the hub: the sorter stopped for everyone.
  FlowStatistics flow = SortingHub();
  for (int i = 1; i <= 6; ++i) {
    RecordQuietSort(flow, "other-" + std::to_string(i), "h-" + std::to_string(i),
                    kStart - minutes(20 * i));
  }
  std::vector<ScanEvent> history = SortAfterThreePocketed(flow);
  Assessment a = Assess(Parcel(), history, kStart + hours(30), DetectionPolicy{}, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(CountFact(a, "same_handler:lost"), 0);
}

TEST(SameHandler, IgnoredWhenConfiguredOff) {
  FlowStatistics flow = SortingHub();
  std::vector<ScanEvent> history = SortAfterThreePocketed(flow);
  DetectionPolicy policy;
  policy.same_handler = RuleOutcome::kIgnore;
  Assessment a = Assess(Parcel(), history, kStart + hours(12), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"dwell:suspect"}));
}

TEST(NodeOutage, UsualOvernightWaitIsNoOutage) {
  // Thirty parcels unloaded at hub B twelve hours before this one fell silent wait to be sorted,
  // as parcels there do for up to 30 hours. They are the hub's usual backlog, not an outage.
  FlowStatistics flow = SortingHub();
  for (int i = 0; i < 30; ++i) {
    std::string id = "backlog-" + std::to_string(i);
    flow.Record(
        id, std::vector{
                Scan(id + "u", ScanType::kUnloaded, kStart + hours(60), "SE-HUB-B", NodeType::kHub),
                Scan(id + "s", ScanType::kSorted, kStart + hours(90), "SE-HUB-B", NodeType::kHub)});
  }
  auto history = std::vector{Scan("s", ScanType::kSorted, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  Assessment a = Assess(Parcel(), history, kStart + policy.silence_limit, policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(CountFact(a, "node_outage:context"), 0);
}

TEST(NodeOutage, ReturnedParcelsAreNoOutage) {
  // Twenty-four parcels were returned to their senders at hub B: handed over, not held up.
  FlowStatistics flow = LearnedFlow();
  for (int i = 0; i < 24; ++i) {
    std::string id = "returned-" + std::to_string(i);
    flow.Record(id, std::vector{Scan(id, ScanType::kReturned, kStart - hours(2) + minutes(5 * i),
                                     "SE-HUB-B", NodeType::kHub)});
  }
  auto history = std::vector{Scan("a", ScanType::kArrived, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  Assessment a = Assess(Parcel(), history, kStart + hours(47), policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(Facts(a), (std::vector<std::string>{"dwell:suspect", "dwell:lost"}));
}

TEST(NodeOutage, CaughtInOutageWaitsForSilence) {
  // Twenty-four parcels stuck at hub B when this one's stay passed its limit, and they cleared
  // six hours later. This parcel stayed behind: only silence locks it.
  FlowStatistics flow = LearnedFlow();
  for (int i = 0; i < 24; ++i) {
    std::string id = "stuck-" + std::to_string(i);
    flow.Record(id,
                std::vector{Scan(id + "a", ScanType::kArrived, kStart - hours(2) + minutes(5 * i),
                                 "SE-HUB-B", NodeType::kHub),
                            Scan(id + "d", ScanType::kDeparted, kStart + hours(12), "SE-HUB-B",
                                 NodeType::kHub, "SE-TERM-C")});
  }
  auto history = std::vector{Scan("a", ScanType::kArrived, kStart, "SE-HUB-B", NodeType::kHub)};
  DetectionPolicy policy;
  Timestamp confirm = kStart + policy.chain.dwell_floor + policy.chain.dwell_confirm_after;
  Assessment waiting = Assess(Parcel(), history, confirm + hours(1), policy, flow);
  EXPECT_EQ(waiting.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(waiting),
            (std::vector<std::string>{"dwell:suspect", "node_outage:context", "dwell:suspect"}));

  Assessment a = Assess(Parcel(), history, kStart + policy.silence_limit, policy, flow);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, kStart + policy.silence_limit);
}

TEST(Claim, AfterWeakProofSuspectsThenLocks) {
  auto history =
      Sorted({Scan("d", ScanType::kDelivered, kStart, "MBX-1", NodeType::kMailbox),
              Scan("c", ScanType::kClaimNotReceived, kStart + hours(20), "", NodeType::kUnknown)});
  Assessment early = Assess(Parcel(), history, kStart + hours(21), DetectionPolicy{});
  EXPECT_EQ(early.verdict, Verdict::kSuspect);
  EXPECT_TRUE(ClaimAfterWeakProofOpen(early));
  EXPECT_EQ(early.next_deadline, kStart + hours(68));

  Assessment late = Assess(Parcel(), history, kStart + hours(69), DetectionPolicy{});
  EXPECT_EQ(late.verdict, Verdict::kLost);
  EXPECT_EQ(late.since, kStart + hours(68));
  EXPECT_EQ(Facts(late), (std::vector<std::string>{"delivered:", "claim_not_received:suspect",
                                                   "claim_not_received:lost"}));
}

TEST(Claim, WrongClaimFoundNeverLocks) {
  auto history =
      Sorted({Scan("d", ScanType::kDelivered, kStart, "MBX-1", NodeType::kMailbox),
              Scan("c", ScanType::kClaimNotReceived, kStart + hours(20), "", NodeType::kUnknown),
              Scan("f", ScanType::kFound, kStart + hours(60), "MBX-1", NodeType::kMailbox)});
  Assessment a = Assess(Parcel(), history, kStart + hours(24 * 10), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kRecovered);
  EXPECT_FALSE(ClaimAfterWeakProofOpen(a));
  EXPECT_EQ(Facts(a),
            (std::vector<std::string>{"delivered:", "claim_not_received:suspect", "seen_again:"}));
}

TEST(Claim, AfterOpenedBoxLocksAtOnce) {
  auto history = Sorted(
      {Scan("o", ScanType::kExceptionOpened, kStart, "SE-TERM-C", NodeType::kTerminal),
       Scan("p", ScanType::kPickedUp, kStart + hours(20), "SE-SP-1", NodeType::kServicePoint),
       Scan("c", ScanType::kClaimNotReceived, kStart + hours(22), "", NodeType::kUnknown)});
  Assessment a = Assess(Parcel(), history, kStart + hours(23), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, kStart + hours(22));
  EXPECT_TRUE(EvidenceShowsPhoneRemoved(a));
}

TEST(Claim, AfterStrongProofOnlySuspects) {
  auto history =
      Sorted({Scan("p", ScanType::kPickedUp, kStart, "SE-SP-1", NodeType::kServicePoint),
              Scan("c", ScanType::kClaimNotReceived, kStart + hours(20), "", NodeType::kUnknown)});
  Assessment a = Assess(Parcel(), history, kStart + hours(24 * 30), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_FALSE(a.next_deadline.has_value());
}

TEST(Claim, LockerDeliveryIsStrongProof) {
  auto history =
      Sorted({Scan("d", ScanType::kDelivered, kStart, "SE-LCK-1", NodeType::kLocker),
              Scan("c", ScanType::kClaimNotReceived, kStart + hours(2), "", NodeType::kUnknown)});
  Assessment a = Assess(Parcel(), history, kStart + hours(3), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
}

TEST(Pickup, WaitingParcelIsNotSilentNorOverdue) {
  auto history = std::vector{
      Scan("a", ScanType::kAvailableForPickup, kStart, "SE-SP-1", NodeType::kServicePoint)};
  Assessment a = Assess(Parcel(), history, kStart + hours(24 * 10), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
  EXPECT_TRUE(a.evidence.empty());
}

TEST(Pickup, UncollectedParcelReturnedIsNotLost) {
  auto history = Sorted(
      {Scan("a", ScanType::kAvailableForPickup, kStart, "SE-SP-1", NodeType::kServicePoint),
       Scan("r", ScanType::kReturned, kStart + hours(24 * 14), "SE-TERM-A", NodeType::kTerminal)});
  Assessment a = Assess(Parcel(), history, kStart + hours(24 * 20), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kReturned);
  EXPECT_EQ(Facts(a), std::vector<std::string>{"returned:"});
}

TEST(Overdue, LatenessAloneOnlySuspects) {
  auto history =
      std::vector{Scan("a", ScanType::kAccepted, kStart, "SE-TERM-A", NodeType::kUnknown)};
  DetectionPolicy policy;
  policy.silence_limit = hours(24 * 30);
  Assessment a = Assess(Parcel(), history, At("2026-03-08T00:00:00Z"), policy);
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
  EXPECT_EQ(Facts(a), std::vector<std::string>{"overdue:suspect"});
}

TEST(EvidenceShowsPhoneRemoved, OnlyAfterLightWeighing) {
  ScanEvent weighed = Scan("w", ScanType::kReweighed, kStart, "SE-TERM-A", NodeType::kTerminal);
  weighed.weight_g = 640;
  EXPECT_FALSE(
      EvidenceShowsPhoneRemoved(Assess(Parcel(), std::vector{weighed}, kStart, DetectionPolicy{})));
  weighed.weight_g = 400;
  EXPECT_TRUE(
      EvidenceShowsPhoneRemoved(Assess(Parcel(), std::vector{weighed}, kStart, DetectionPolicy{})));
}

}  // namespace
}  // namespace imeiguard
