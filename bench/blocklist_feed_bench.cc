// Times the blocklist feed on this machine's disk: appending orders one by one, each synced before
// it returns as the connector does, and publishing a full file of many IMEIs.
//
// Usage: blocklist_feed_bench DIRECTORY [ORDERS [FULL_IMEIS]]   (defaults 1000 and 1000000)
// DIRECTORY is emptied first. Prints one line per step with its wall time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "locking/blocklist_feed.h"

namespace {

using imeiguard::BlocklistRow;
using imeiguard::Imei;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: blocklist_feed_bench DIRECTORY [ORDERS [FULL_IMEIS]]\n");
    return 2;
  }
  std::string directory = argv[1];
  long orders = argc > 2 ? std::atol(argv[2]) : 1000;
  long full_imeis = argc > 3 ? std::atol(argv[3]) : 1000000;
  std::filesystem::remove_all(directory);
  imeiguard::BlocklistFeed feed({"bench", directory, 0.5});
  imeiguard::Timestamp now = imeiguard::FromMillis(1'772'000'000'000);

  auto start = std::chrono::steady_clock::now();
  for (long i = 1; i <= orders; ++i) {
    imeiguard::LockOrder order;
    order.order_id = i;
    order.imei = Imei::FromCoreValue(35847210000000 + static_cast<std::uint64_t>(i));
    order.reason = "lost: silence";
    order.created_at = now;
    if (!feed.Append(order, now).ok()) return 1;
  }
  double append_seconds = SecondsSince(start);
  std::printf("append %ld orders, each synced: %.3f s, %.2f ms per order\n", orders, append_seconds,
              1000.0 * append_seconds / static_cast<double>(orders));

  std::vector<BlocklistRow> blocked;
  for (long i = 0; i < full_imeis; ++i) {
    BlocklistRow row;
    row.imei = Imei::FromCoreValue(86000000000000 + static_cast<std::uint64_t>(i));
    row.reason = "lost: silence";
    row.reported_at = now;
    blocked.push_back(row);
  }
  start = std::chrono::steady_clock::now();
  auto full = feed.PublishFull(blocked, now, false);
  if (!full.ok()) {
    std::fprintf(stderr, "%s\n", full.error().message.c_str());
    return 1;
  }
  std::printf("publish the delta and a full file of %ld IMEIs: %.3f s, %ju bytes\n",
              full_imeis + orders, SecondsSince(start),
              static_cast<std::uintmax_t>(std::filesystem::file_size(full->path)));
  return 0;
}
