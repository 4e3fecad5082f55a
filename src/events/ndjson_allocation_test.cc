// Checks that a warmed-up reader parses a steady stream of events without heap allocation.
#include <gtest/gtest.h>

#include <string>

#include "events/ndjson.h"
#include "testing/counting_new.h"

namespace imeiguard {
namespace {

using testing::allocation_count;
using testing::counting_allocations;

std::string Stream(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    text += R"({"event_id": "evt-2026-03-02-)" + std::to_string(100000 + i) +
            R"(", "parcel_id": "373500000000001234", "type": "arrived", )"
            R"("time": "2026-03-02T06:14:09+01:00", "node": "SE-TERM-GBG-SORTER-4", )"
            R"("node_type": "terminal", "handler": "h-1042-scanner-17", "weight_g": 402, )"
            R"("detail": "read by the overhead scanner at the infeed of sorter 4"})"
            "\n";
  }
  return text;
}

TEST(NdjsonAllocation, SteadyStreamDoesNotAllocate) {
  NdjsonEventReader reader;
  long events = 0;
  long errors = 0;
  std::function<void(const ScanEventView&)> on_event = [&](const ScanEventView&) { ++events; };
  std::function<void(const EventError&)> on_error = [&](const EventError&) { ++errors; };
  std::string warm_up = Stream(10);
  std::string text = Stream(1000);
  reader.Parse(warm_up, on_event, on_error);

  counting_allocations = true;
  reader.Parse(text, on_event, on_error);
  counting_allocations = false;

  EXPECT_EQ(errors, 0);
  EXPECT_EQ(events, 1010);
  EXPECT_EQ(allocation_count.load(), 0);
}

}  // namespace
}  // namespace imeiguard
