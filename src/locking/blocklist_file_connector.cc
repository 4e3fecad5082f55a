#include "locking/blocklist_file_connector.h"

namespace imeiguard {

BlocklistFileConnector::BlocklistFileConnector(BlocklistFeed& feed, const Clock& clock)
    : feed_(feed), clock_(clock) {}

ConnectorReply BlocklistFileConnector::Submit(const LockOrder& order) {
  ConnectorReply reply;
  Status appended = feed_.Append(order, clock_.Now());
  if (!appended.ok()) {
    reply.kind = ConnectorReply::Kind::kRetryLater;
    reply.message = name() + ": appending " + std::string(LockActionName(order.action)) +
                    " order " + std::to_string(order.order_id) +
                    " to the open delta failed: " + appended.error().message +
                    "; it will be appended again";
    return reply;
  }
  reply.kind = ConnectorReply::Kind::kApplied;
  reply.platform_order_id = name() + ":" + std::to_string(order.order_id);
  return reply;
}

ConnectorReply BlocklistFileConnector::Poll(const LockOrder& order) { return Submit(order); }

ConnectorReply BlocklistExportConnector::Submit(const LockOrder& order) {
  ConnectorReply reply;
  reply.kind = ConnectorReply::Kind::kApplied;
  reply.platform_order_id = name_ + ":" + std::to_string(order.order_id);
  return reply;
}

}  // namespace imeiguard
