#include "cli/connectors.h"

#include <spdlog/spdlog.h>

#include "locking/blocklist_file_connector.h"
#include "locking/dm_rest_connector.h"

namespace imeiguard {

BlocklistFeedOptions FeedOptionsOf(const ConnectorConfig& connector) {
  return {connector.name, connector.directory, connector.min_full_ratio};
}

ConnectorSet BuildConnectors(const Config& config, const Clock& clock,
                             BlocklistPublisher& publisher) {
  ConnectorSet set;
  for (const auto& [name, connector] : config.connectors) {
    if (connector.kind == "blocklist_file") {
      set.feeds.push_back(std::make_unique<BlocklistFeed>(FeedOptionsOf(connector)));
      publisher.Add(*set.feeds.back(), {connector.delta_every, connector.full_every});
      set.owned.push_back(std::make_unique<BlocklistFileConnector>(*set.feeds.back(), clock));
      spdlog::info("connector {}: blocklist files in {}", name, connector.directory);
    } else if (connector.kind == "blocklist_export") {
      set.owned.push_back(std::make_unique<BlocklistExportConnector>(name));
      spdlog::info("connector {}: kept for the blocklist export", name);
    } else {
      DmRestConnectorOptions dm;
      dm.name = name;
      dm.host = connector.host;
      dm.port = connector.port;
      dm.tenant = connector.tenant;
      dm.secret = connector.secret;
      dm.request_timeout = connector.request_timeout;
      set.owned.push_back(std::make_unique<DmRestConnector>(std::move(dm)));
      spdlog::info("connector {}: device-management platform at {}:{}, tenant {}, {}", name,
                   connector.host, connector.port, connector.tenant,
                   connector.secret.empty() ? "no signing secret" : "signing secret set");
    }
    set.by_name[name] = set.owned.back().get();
  }
  return set;
}

}  // namespace imeiguard
