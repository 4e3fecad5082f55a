// The S13 ME-Identity-Check of 3GPP TS 29.272: an MME or SGSN sends an
// ME-Identity-Check-Request with the terminal's IMEI and software version, and the EIR answers
// with its Equipment-Status. No I/O: the status and the record of each query come through the
// two interfaces below, so that the caller decides where they live.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/time.h"
#include "diameter/message.h"
#include "identifiers/imei.h"

namespace imeiguard::diameter {

// Equipment-Status values (3GPP TS 29.272).
enum class EquipmentStatus : std::uint32_t {
  kWhitelisted = 0,
  kBlacklisted = 1,  // A locked device.
  kGreylisted = 2,   // A suspect device: traced, not locked.
};

// Looks up a device by its 14-digit core. std::nullopt means the EIR does not know the device.
// Called once per request on a server thread, so it must be thread-safe and fast.
using EquipmentStatusSource = std::function<std::optional<EquipmentStatus>(Imei imei)>;

// One ME-Identity-Check as the sighting hook receives it. The views are valid only during the
// call.
struct S13Query {
  std::uint64_t core = 0;  // The 14-digit core of the IMEI.
  std::string_view interface = "s13";
  std::string_view network_element;  // Origin-Host of the MME or SGSN.
  std::string_view imsi;             // User-Name; empty when the request had none.
  Timestamp at;
};

// Receives every request that carries a valid IMEI, known to the EIR or not, before it is
// answered. Must be thread-safe and must not block.
using S13QueryObserver = std::function<void(const S13Query& query)>;

// How a device that the EIR does not know is answered.
enum class UnknownEquipment {
  // Experimental-Result DIAMETER_ERROR_EQUIPMENT_UNKNOWN (5422), which TS 29.272 defines for
  // mobile equipment that the EIR does not know.
  kEquipmentUnknown,
  // Result-Code DIAMETER_SUCCESS with Equipment-Status WHITELISTED, for an EIR that lists only
  // the devices it bars.
  kWhitelisted,
};

struct S13Settings {
  std::string_view origin_host;
  std::string_view origin_realm;
  UnknownEquipment unknown_equipment = UnknownEquipment::kEquipmentUnknown;
};

// Answers ME-Identity-Check-Requests. Thread-safe when its source, observer and clock are.
class S13Responder {
 public:
  // Keeps references to `settings`' strings and to `clock`, which must outlive it. `observer`
  // may be empty.
  S13Responder(S13Settings settings, EquipmentStatusSource source, S13QueryObserver observer,
               const Clock& clock);

  // Builds the ME-Identity-Check-Answer to `request`:
  //   - DIAMETER_MISSING_AVP (5005) with Failed-AVP when Session-Id, Auth-Session-State,
  //     Origin-Host, Origin-Realm, Destination-Realm or Terminal-Information is missing, or the
  //     Terminal-Information has neither IMEI nor 3GPP2-MEID;
  //   - DIAMETER_AVP_UNSUPPORTED (5001) for an AVP with the M bit that S13 does not define;
  //   - DIAMETER_INVALID_AVP_VALUE (5004) for an IMEI that is not 14 or 15 digits with a valid
  //     core, or a Software-Version that is not 2 digits;
  //   - DIAMETER_ERROR_EQUIPMENT_UNKNOWN (5422) for an unknown device, unless the settings
  //     choose kWhitelisted, and always for a 3GPP2-MEID, which imeiguard never records;
  //   - otherwise DIAMETER_SUCCESS with Equipment-Status.
  Message Answer(const Message& request) const;

 private:
  Message StartEca(const Message& request) const;

  S13Settings settings_;
  EquipmentStatusSource source_;
  S13QueryObserver observer_;
  const Clock& clock_;
};

}  // namespace imeiguard::diameter
