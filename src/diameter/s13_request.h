// Building ME-Identity-Check-Requests, as an MME does: for tests, the benchmark and the load
// client.
#pragma once

#include <cstdint>
#include <string>

#include "diameter/message.h"

namespace imeiguard::diameter {

struct MeIdentityCheck {
  std::string session_id = "mme.example;1;1";
  std::string origin_host = "mme.example";
  std::string origin_realm = "example";
  std::string destination_realm = "imeiguard.localdomain";
  std::string imei;              // Left out when empty.
  std::string software_version;  // Left out when empty.
  std::string meid;              // 3GPP2-MEID; left out when empty.
  std::string imsi;              // User-Name; left out when empty.
  std::uint32_t hop_by_hop = 1;
  std::uint32_t end_to_end = 1;
};

// The request with the AVPs in the order of TS 29.272's command definition.
Message BuildMeIdentityCheckRequest(const MeIdentityCheck& check);

}  // namespace imeiguard::diameter
