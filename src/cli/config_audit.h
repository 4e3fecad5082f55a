// The audit trail's record of configuration changes: each start of the server compares the
// configuration it runs with to the one the trail last recorded.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"
#include "store/store.h"

namespace imeiguard {

// Appends a "config_changed" entry (entity "config", actor "serve") when the SHA-256 of
// `effective_config` differs from the one in the latest such entry, or when there is none yet.
// `effective_config` is the configuration file's text with the command-line overrides. It contains
// no secrets, because connectors name the environment variables that contain theirs. `source` names
// where it came from, for the entry's detail. Returns whether an entry was appended, or the
// store's error.
Result<bool> RecordConfiguration(Store& store, std::string_view effective_config,
                                 std::string_view source, Timestamp now);

}  // namespace imeiguard
