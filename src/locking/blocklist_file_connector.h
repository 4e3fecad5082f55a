// A LockConnector that applies lock and unlock orders by appending them to a blocklist feed's open
// delta file (blocklist_feed.h), which operators receive with the next published delta.
#pragma once

#include <string>

#include "core/time.h"
#include "locking/blocklist_feed.h"
#include "locking/connector.h"

namespace imeiguard {

// Submit appends the order's rows and returns kApplied only after they are synced to disk, so an
// acknowledged order is in the feed even after kill -9. A write failure returns kRetryLater with
// the error; the order is appended again later, and the feed skips an order it already has.
// Safe to call from several threads when `clock` is.
class BlocklistFileConnector final : public LockConnector {
 public:
  // `feed` and `clock` are owned by the caller and outlive the connector.
  BlocklistFileConnector(BlocklistFeed& feed, const Clock& clock);

  const std::string& name() const override { return feed_.options().name; }
  ConnectorReply Submit(const LockOrder& order) override;
  // Appending is synchronous, so an order is never left accepted; a poll appends like Submit.
  ConnectorReply Poll(const LockOrder& order) override;

 private:
  BlocklistFeed& feed_;
  const Clock& clock_;
};

// A LockConnector for the export to the global IMEI blocklist: the export reads the orders that
// this connector acknowledged from the store (`imeiguard export blocklist --connector NAME`), so
// an order is applied once the outbox records it, and Submit has nothing else to do.
class BlocklistExportConnector final : public LockConnector {
 public:
  explicit BlocklistExportConnector(std::string name) : name_(std::move(name)) {}

  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override;
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

 private:
  const std::string name_;
};

}  // namespace imeiguard
