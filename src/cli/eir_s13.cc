#include "cli/eir_s13.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "diameter/pcap_capture.h"
#include "diameter/server.h"
#include "eir/equipment_status.h"

namespace imeiguard {

struct S13Listener::Parts {
  S13Config config;
  std::unique_ptr<diameter::PcapCapture> capture;
  std::unique_ptr<diameter::S13Responder> responder;
  diameter::RequestHandler handler;
  std::unique_ptr<diameter::Server> server;
};

diameter::EquipmentStatusSource EquipmentStatusFrom(const eir::EquipmentSnapshot& snapshot) {
  return [&snapshot](Imei imei) -> std::optional<diameter::EquipmentStatus> {
    std::optional<LockState> state = snapshot.Lookup(imei.core_value());
    if (!state) return std::nullopt;
    switch (eir::EquipmentStatusOf(*state)) {
      case eir::EquipmentStatus::kBlacklisted:
        return diameter::EquipmentStatus::kBlacklisted;
      case eir::EquipmentStatus::kGreylisted:
        return diameter::EquipmentStatus::kGreylisted;
      case eir::EquipmentStatus::kWhitelisted:
        break;
    }
    return diameter::EquipmentStatus::kWhitelisted;
  };
}

diameter::S13QueryObserver SightingsTo(eir::SightingRecorder& recorder) {
  return [&recorder](const diameter::S13Query& query) {
    eir::EquipmentQuery sighting;
    sighting.core = query.core;
    sighting.interface = query.interface;
    sighting.network_element = query.network_element;
    sighting.supi_or_imsi = query.imsi;
    sighting.at = query.at;
    recorder.Record(sighting);
  };
}

Result<std::unique_ptr<S13Listener>> S13Listener::Start(const S13Config& config,
                                                        diameter::EquipmentStatusSource source,
                                                        diameter::S13QueryObserver observer,
                                                        const Clock& clock) {
  auto listen = ParseListenAddress(config.listen);
  if (!listen) {
    return Error::InvalidInput(
        "address", "S13 listen address '" + config.listen + "' is not \"address:port\"");
  }
  auto parts = std::make_unique<Parts>();
  parts->config = config;

  diameter::ServerOptions options;
  options.address = listen->address;
  options.port = listen->port;
  diameter::LocalIdentity& identity = options.peer.identity;
  identity.origin_host = config.origin_host;
  identity.origin_realm = config.origin_realm;
  identity.origin_state_id =
      static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  options.peer.watchdog_interval = config.watchdog_interval;
  options.peer.max_message_bytes = config.max_message_bytes;
  if (!config.capture_file.empty()) {
    auto capture = diameter::PcapCapture::Open(config.capture_file);
    if (!capture.ok()) return capture.error();
    parts->capture = std::move(*capture);
    options.on_connection_event =
        [capture = parts->capture.get()](const diameter::ConnectionEvent& event) {
          capture->Record(event);
        };
    spdlog::warn("S13 connections are captured to {}, which contains IMEIs and IMSIs",
                 config.capture_file);
  }

  diameter::S13Settings settings;
  settings.origin_host = parts->config.origin_host;
  settings.origin_realm = parts->config.origin_realm;
  settings.unknown_equipment = config.unknown_equipment == "whitelisted"
                                   ? diameter::UnknownEquipment::kWhitelisted
                                   : diameter::UnknownEquipment::kEquipmentUnknown;
  parts->responder = std::make_unique<diameter::S13Responder>(settings, std::move(source),
                                                              std::move(observer), clock);
  parts->handler = [responder = parts->responder.get()](const diameter::Message& request) {
    return responder->Answer(request);
  };
  parts->server = std::make_unique<diameter::Server>(options, parts->handler);
  if (Status s = parts->server->Start(); !s.ok()) return s.error();
  spdlog::info("S13 EIR listening on {}:{} as {} in realm {}", listen->address,
               parts->server->port(), config.origin_host, config.origin_realm);
  return std::unique_ptr<S13Listener>(new S13Listener(std::move(parts)));
}

Result<std::unique_ptr<S13Listener>> StartConfiguredS13(const Config& config,
                                                        const eir::EquipmentSnapshot& snapshot,
                                                        eir::SightingRecorder& recorder,
                                                        const Clock& clock) {
  if (config.eir.s13.listen.empty()) return std::unique_ptr<S13Listener>();
  return S13Listener::Start(config.eir.s13, EquipmentStatusFrom(snapshot), SightingsTo(recorder),
                            clock);
}

S13Listener::S13Listener(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

S13Listener::~S13Listener() { Stop(); }

void S13Listener::Stop() {
  if (parts_->server) parts_->server->Stop();
}

std::uint16_t S13Listener::port() const { return parts_->server->port(); }

}  // namespace imeiguard
