#include "simulation/writers.h"

#include <chrono>
#include <cstdio>
#include <string_view>

#include "simulation/journey.h"
#include "simulation/random.h"

namespace imeiguard::simulation {
namespace {

// Collects output in a buffer and writes it to the stream in large pieces.
class BufferedWriter {
 public:
  explicit BufferedWriter(std::ostream& out) : out_(out) { buffer_.reserve(kFlushBytes + 4096); }
  ~BufferedWriter() { Flush(); }

  void Append(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  void Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
  std::ostream& out_;
  std::string buffer_;
};

// Writes RFC 3339 into `out`, which must hold 26 characters; returns the length.
int FormatInto(std::int64_t unix_seconds, bool local, char* out) {
  using namespace std::chrono;
  const sys_seconds instant{seconds(unix_seconds + (local ? kLocalOffset : 0))};
  const auto day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss clock{instant - day};
  return std::snprintf(out, 26, "%04d-%02u-%02uT%02d:%02d:%02d%s", int(date.year()),
                       unsigned(date.month()), unsigned(date.day()),
                       static_cast<int>(clock.hours().count()),
                       static_cast<int>(clock.minutes().count()),
                       static_cast<int>(clock.seconds().count()), local ? "+01:00" : "Z");
}

std::string FormatOptional(std::int64_t unix_seconds) {
  return unix_seconds < 0 ? std::string() : FormatSeconds(unix_seconds, false);
}

std::string NodeId(const SimulatedFlow& flow, const Network& network, const SimulatedEvent& event,
                   NodeIndex node) {
  char id[24];
  if (node == kAddressNode || node == kMailboxNode) {
    std::snprintf(id, sizeof id, "%s-%07u", node == kAddressNode ? "ADDR" : "MBX",
                  static_cast<unsigned>(Mix64(flow.options.seed ^ event.parcel) % 10000000u));
    return id;
  }
  return network.node(node).id;
}

std::string_view NodeTypeOf(const Network& network, NodeIndex node) {
  if (node == kAddressNode) return NodeTypeName(NodeType::kAddress);
  if (node == kMailboxNode) return NodeTypeName(NodeType::kMailbox);
  return NodeTypeName(network.node(node).type);
}

}  // namespace

std::string FormatSeconds(std::int64_t unix_seconds, bool local) {
  char text[32];
  const int length = FormatInto(unix_seconds, local, text);
  return std::string(text, static_cast<std::size_t>(length));
}

void WriteManifestCsv(const SimulatedFlow& flow, const Network& network, std::ostream& out) {
  BufferedWriter writer(out);
  writer.Append(
      "parcel_id,shipper_id,service,promised_by,origin,destination_postcode,declared_weight_g,"
      "imei,imei2,serial,model,value_sek\n");
  char row[320];
  for (const SimulatedParcel& parcel : flow.parcels) {
    const std::string promised = FormatSeconds(parcel.promised_day, true).substr(0, 10);
    const std::string& origin = network.node(network.TerminalNode(parcel.origin)).id;
    for (int d = 0; d < parcel.device_count; ++d) {
      const SimulatedDevice& device = flow.devices[parcel.first_device + d];
      const int length = std::snprintf(
          row, sizeof row, "%s,%.*s,%.*s,%s,%s,%05d,%d,%s,%s,%s,%.*s,%d.00\n",
          parcel.parcel_id.c_str(), static_cast<int>(parcel.shipper_id.size()),
          parcel.shipper_id.data(), static_cast<int>(ServiceKindName(parcel.service).size()),
          ServiceKindName(parcel.service).data(), promised.c_str(), origin.c_str(), parcel.postcode,
          parcel.declared_weight_g, device.imei.c_str(), device.imei2.c_str(),
          device.serial.c_str(), static_cast<int>(device.model.size()), device.model.data(),
          device.value_sek);
      writer.Append(std::string_view(row, static_cast<std::size_t>(length)));
    }
  }
}

void WriteEventsNdjson(const SimulatedFlow& flow, const Network& network, std::ostream& out) {
  BufferedWriter writer(out);
  const std::uint64_t id_key = Mix64(flow.options.seed);
  std::string line;
  char field[96];
  char time[32];
  for (const SimulatedEvent& event : flow.events) {
    const SimulatedParcel& parcel = flow.parcels[event.parcel];
    const std::string_view type = ScanTypeName(event.type);
    line.clear();
    // The id is a bijection of the scan's number, so distinct scans never share one.
    std::snprintf(field, sizeof field, "{\"event_id\":\"e-%016llx\",\"parcel_id\":\"",
                  static_cast<unsigned long long>(Mix64(event.number ^ id_key)));
    line += field;
    line += parcel.parcel_id;
    line += "\",\"type\":\"";
    line += type;
    line += "\",\"time\":\"";
    line.append(time, static_cast<std::size_t>(FormatInto(event.time, true, time)));
    line += '"';
    if (event.node != kNoNode) {
      line += ",\"node\":\"";
      line += NodeId(flow, network, event, event.node);
      line += "\",\"node_type\":\"";
      line += NodeTypeOf(network, event.node);
      line += '"';
    }
    if (event.handler != 0) {
      std::snprintf(field, sizeof field, ",\"handler\":\"h-%05u\"", event.handler);
      line += field;
    }
    if (event.weight_g >= 0) {
      std::snprintf(field, sizeof field, ",\"weight_g\":%d", event.weight_g);
      line += field;
    }
    if (event.next_node != kNoNode) {
      line += ",\"next_node\":\"";
      line += NodeId(flow, network, event, event.next_node);
      line += '"';
    }
    if (event.detail != ScanDetail::kNone) {
      line += ",\"detail\":\"";
      line += ScanDetailText(event.detail);
      line += '"';
    }
    line += ",\"received\":\"";
    line.append(time, static_cast<std::size_t>(FormatInto(event.received, false, time)));
    line += "\"}\n";
    writer.Append(line);
  }
}

void WriteLabelsCsv(const SimulatedFlow& flow, std::ostream& out) {
  BufferedWriter writer(out);
  writer.Append(
      "imei,imei2,parcel_id,shipper_id,service,scenario,stolen,theft_time,delivered_time,"
      "closed_received,outcome,value_sek\n");
  std::string row;
  for (const SimulatedParcel& parcel : flow.parcels) {
    for (int d = 0; d < parcel.device_count; ++d) {
      const SimulatedDevice& device = flow.devices[parcel.first_device + d];
      row.clear();
      row += device.imei + ',' + device.imei2 + ',' + parcel.parcel_id + ',';
      row += parcel.shipper_id;
      row += ',';
      row += ServiceKindName(parcel.service);
      row += ',';
      row += ScenarioName(parcel.scenario);
      row += parcel.outcome == Outcome::kStolen ? ",1," : ",0,";
      row += FormatOptional(parcel.theft_time) + ',' + FormatOptional(parcel.delivered_time) + ',' +
             FormatOptional(parcel.closed_received) + ',';
      row += OutcomeName(parcel.outcome);
      row += ',' + std::to_string(device.value_sek) + '\n';
      writer.Append(row);
    }
  }
}

}  // namespace imeiguard::simulation
