// Builds the lock connectors that the configuration names, of every kind, for `imeiguard serve`
// and the blocklist commands.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "locking/blocklist_feed.h"
#include "locking/connector.h"
#include "service/blocklist_export.h"
#include "service/config.h"

namespace imeiguard {

// The feed options of a connector of kind "blocklist_file".
BlocklistFeedOptions FeedOptionsOf(const ConnectorConfig& connector);

// Every configured connector, and the blocklist feeds behind those of kind "blocklist_file".
struct ConnectorSet {
  std::vector<std::unique_ptr<BlocklistFeed>> feeds;
  std::vector<std::unique_ptr<LockConnector>> owned;
  std::map<std::string, LockConnector*> by_name;
};

// Builds a connector for each entry of config.connectors, and adds each feed to `publisher` with
// its schedule. Logs one line per connector, which names its kind and target and never a secret.
// `clock` and `publisher` outlive the set.
ConnectorSet BuildConnectors(const Config& config, const Clock& clock,
                             BlocklistPublisher& publisher);

}  // namespace imeiguard
