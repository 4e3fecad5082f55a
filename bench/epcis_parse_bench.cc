// Times epcis::ParseDocument (JSON parse, validation and CBV event hash of every event) and the
// mapping to scans on a generated document of parcel scans.
//
// Run: build/bench/epcis_parse_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>

#include "epcis/epcis_document.h"
#include "epcis/scan_mapping.h"

namespace {

// A document of `count` ObjectEvents, each an arrival of its own parcel at a terminal.
std::string MakeDocument(int count) {
  std::string events;
  for (int i = 0; i < count; ++i) {
    std::string serial = std::to_string(1000000 + i);
    if (!events.empty()) events += ",";
    events += R"({"type": "ObjectEvent", "action": "OBSERVE", "eventID": "urn:uuid:bench-)" +
              serial +
              R"(", "eventTime": "2026-03-02T06:14:09.250+01:00", "eventTimeZoneOffset": "+01:00",)"
              R"( "bizStep": "arriving", "disposition": "in_transit",)"
              R"( "epcList": ["https://id.gs1.org/00/37350000000)" +
              serial +
              R"("], "readPoint": {"id": "urn:epc:id:sgln:7350000.00001.0"},)"
              R"( "example:handler": "h-1042"})";
  }
  return R"({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",)"
         R"( {"example": "http://ns.example.com/epcis/"}], "type": "EPCISDocument",)"
         R"( "schemaVersion": "2.0", "creationDate": "2026-03-02T06:20:00Z",)"
         R"( "epcisBody": {"eventList": [)" +
         events + "]}}";
}

void BM_ParseAndMap(benchmark::State& state) {
  std::string document = MakeDocument(static_cast<int>(state.range(0)));
  imeiguard::epcis::DocumentLimits limits;
  limits.max_events = 100000;
  for (auto _ : state) {
    auto parsed = imeiguard::epcis::ParseDocument(document, limits);
    imeiguard::epcis::Mapped mapped;
    for (const auto& event : parsed->events) {
      imeiguard::epcis::MapEvent(event, {}, {}, mapped);
    }
    benchmark::DoNotOptimize(mapped.scans.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(document.size()));
}
BENCHMARK(BM_ParseAndMap)->Arg(1)->Arg(500)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
