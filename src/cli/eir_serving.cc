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

std::vector<std::pair<std::string, double>> EirServing::Metrics() const {
  eir::SightingQueue::Counters sightings = queue_.counters();
  std::vector<std::pair<std::string, double>> metrics = {
      {"imeiguard_sightings_queued_total", static_cast<double>(sightings.queued)},
      {"imeiguard_sightings_dropped_total", static_cast<double>(sightings.dropped)},
      {"imeiguard_sightings_stored_total", static_cast<double>(sightings.stored)},
      {"imeiguard_sightings_failed_total", static_cast<double>(sightings.failed)}};
  if (n5g_server_) {
    eir::N5gEirServer::Counters requests = n5g_server_->counters();
    metrics.emplace_back("imeiguard_n5g_eir_http1_requests_total",
                         static_cast<double>(requests.http1_requests));
    metrics.emplace_back("imeiguard_n5g_eir_http2_requests_total",
                         static_cast<double>(requests.http2_requests));
  }
  return metrics;
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
