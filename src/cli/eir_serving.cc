#include "cli/eir_serving.h"

#include <spdlog/spdlog.h>

namespace imeiguard {

EirServing::EirServing(const EirConfig& config, const eir::EquipmentSnapshot& snapshot,
                       eir::SightingStore& sightings, const Clock& clock)
    : config_(config), queue_(snapshot, sightings) {
  if (config_.n5g_listen.empty()) return;
  eir::N5gEirServerOptions options;
  options.address = config_.n5g_address;
  options.port = config_.n5g_port;
  options.threads = config_.threads;
  n5g_server_ = std::make_unique<eir::N5gEirServer>(options, snapshot, &queue_, clock);
}

EirServing::~EirServing() { Stop(); }

Status EirServing::Start() {
  if (!n5g_server_) return Status::Ok();
  if (Status s = n5g_server_->Start(); !s.ok()) return s;
  spdlog::info("N5g-eir serving HTTP/2 (prior knowledge) and HTTP/1.1 on {}:{} without API keys",
               config_.n5g_address, n5g_server_->port());
  return Status::Ok();
}

void EirServing::Stop() {
  if (n5g_server_) n5g_server_->Stop();
  queue_.Stop();
  eir::SightingQueue::Counters counters = queue_.counters();
  if (counters.dropped > 0 || counters.failed > 0) {
    spdlog::warn("sightings lost: {} dropped because the queue was full, {} in failed writes",
                 counters.dropped, counters.failed);
  }
}

}  // namespace imeiguard
