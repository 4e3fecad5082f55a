// The seam between the outbox and whatever applies a lock: a device-management platform, a
// blocklist feed. The outbox never talks HTTP itself, so a test can swap in a connector that is
// slow or fails.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "locking/lock_state.h"
#include "locking/platform_order.h"

namespace imeiguard {

// What one attempt to submit or poll an order came to.
struct ConnectorReply {
  enum class Kind {
    kApplied,     // The platform confirms the lock or unlock is in force.
    kAccepted,    // The platform took the order and will apply it later; poll for the result.
    kRetryLater,  // Transient failure (timeout, 5xx, 429, connection lost): send again later.
    kRejected,    // Permanent failure (unknown device, bad request): retrying cannot help.
  };
  Kind kind = Kind::kRetryLater;
  std::string platform_order_id;        // Set for kApplied and kAccepted.
  std::optional<Duration> retry_after;  // The platform's own Retry-After, when it sent one.
  std::string message;                  // Why, for kRetryLater and kRejected; never a credential.
};

// Applies lock orders through one platform. Submit must be safe to repeat for the same order: it
// sends the order's idempotency key every time. Implementations may block for at most their
// configured request timeout and must be callable from one outbox thread at a time.
class LockConnector {
 public:
  virtual ~LockConnector() = default;
  virtual const std::string& name() const = 0;
  virtual ConnectorReply Submit(const LockOrder& order) = 0;
  // Asks for the state of an order that Submit answered with kAccepted.
  virtual ConnectorReply Poll(const LockOrder& order) = 0;

  // Whether ListOrders queries the platform. A connector that cannot list its orders (a file
  // feed) has its in-doubt orders submitted again with the same idempotency key, and is left out
  // of reconciliation.
  virtual bool CanListOrders() const { return false; }
  // Returns every order the platform holds for the device whose first IMEI is `imei`, oldest
  // first, or kUnavailable when the platform could not be asked (then nothing is known).
  virtual Result<std::vector<PlatformOrder>> ListOrders(const Imei& imei) {
    return Error::Unavailable(
        "listing_unsupported",
        "connector " + name() + " cannot list the platform's orders for " + imei.Masked());
  }
};

}  // namespace imeiguard
