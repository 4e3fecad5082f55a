#include "callbacks.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "locking/request_signing.h"
#include "net/http_client.h"
#include "records.h"

namespace imeiguard::dm_simulator {
namespace {

Error BadUrl(std::string_view url, std::string_view why) {
  return Error::InvalidInput(
      "callback_url",
      "invalid --callback-url '" + std::string(url.substr(0, 200)) + "': " + std::string(why));
}

std::int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<CallbackTarget> ParseCallbackUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return BadUrl(url, "expected http://HOST:PORT/PATH; only plain HTTP is supported");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return BadUrl(url, "the path is missing");
  std::string_view authority = rest.substr(0, slash);
  CallbackTarget target;
  target.path = std::string(rest.substr(slash));
  if (target.path.find_first_of("?#") != std::string::npos) {
    return BadUrl(url, "a query or fragment is not supported");
  }

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "an IPv6 address lacks its ']'");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return BadUrl(url, "expected ':' after the IPv6 address");
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return BadUrl(url, "the port is not a number from 1 to 65535");
    }
    target.port = static_cast<std::uint16_t>(value);
  }

  boost::system::error_code ec;
  boost::asio::ip::address address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec || !address.is_loopback()) {
    return BadUrl(url, "the host must be a loopback IP address such as 127.0.0.1 or [::1]");
  }
  target.host = address.to_string();
  return target;
}

std::string CallbackBody(const DmOrder& order) {
  return boost::json::serialize(OrderToJson(order));
}

std::string CallbackIdempotencyKey(const DmOrder& order) {
  return "callback-" + order.order_id + "-" + std::string(DmOrderStatusName(order.status));
}

CallbackSender::CallbackSender(CallbackOptions options, TenantSecrets secrets,
                               FaultInjector& faults)
    : options_(std::move(options)), secrets_(std::move(secrets)), faults_(faults) {
  thread_ = std::thread([this] { Run(); });
}

CallbackSender::~CallbackSender() {
  size_t undelivered = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    undelivered = due_.size();
  }
  wake_.notify_all();
  thread_.join();
  if (undelivered > 0) spdlog::info("stopped with {} callbacks not delivered", undelivered);
}

void CallbackSender::OrderFinished(const DmOrder& order) {
  auto make = [&order](const DmOrder& state) {
    return Callback{order.tenant, CallbackIdempotencyKey(state), CallbackBody(state),
                    state.order_id + " " + std::string(DmOrderStatusName(state.status)), 0};
  };
  Clock::time_point now = Clock::now();
  Queue(make(order), now);
  if (faults_.DuplicateCallback()) Queue(make(order), now);
  if (faults_.plan().reorder_callbacks) {
    // The state the order had before it finished, delivered after the final one, as a platform
    // whose callbacks overtake each other would.
    DmOrder stale = order;
    stale.status = DmOrderStatus::kPending;
    stale.finished_at.reset();
    stale.rejection_reason.clear();
    Queue(make(stale), now);
  }
}

CallbackCounts CallbackSender::counts() {
  std::lock_guard lock(mutex_);
  return counts_;
}

void CallbackSender::Queue(Callback callback, Clock::time_point due) {
  {
    std::lock_guard lock(mutex_);
    due_.emplace(due, std::move(callback));
  }
  wake_.notify_all();
}

void CallbackSender::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (next->first > Clock::now()) {
      wake_.wait_until(lock, next->first);
      continue;
    }
    Callback callback = std::move(next->second);
    due_.erase(next);
    lock.unlock();
    bool delivered = Deliver(callback);
    lock.lock();
    ++callback.attempt;
    if (delivered) {
      ++counts_.delivered;
      continue;
    }
    ++counts_.failed;
    if (callback.attempt >= options_.attempts) {
      ++counts_.given_up;
      spdlog::warn("callback {} given up after {} attempts", callback.description,
                   callback.attempt);
      continue;
    }
    Duration wait = options_.first_retry * (1LL << std::min(callback.attempt - 1, 20));
    due_.emplace(Clock::now() + wait, std::move(callback));
  }
}

bool CallbackSender::Deliver(const Callback& callback) {
  const std::string* secret = secrets_.Find(callback.tenant);
  if (secret == nullptr) return false;  // Cannot happen: the tenant's request was verified.
  std::int64_t now = UnixSeconds();
  SignedRequestParts parts{"POST", options_.target.path, callback.tenant, callback.idempotency_key,
                           callback.body};
  http::ClientRequest request;
  request.method = "POST";
  request.host = options_.target.host;
  request.port = options_.target.port;
  request.target = options_.target.path;
  request.timeout = options_.timeout;
  request.body = callback.body;
  request.headers = {{"Content-Type", "application/json"},
                     {std::string(kTenantHeader), callback.tenant},
                     {std::string(kTimestampHeader), std::to_string(now)},
                     {std::string(kSignatureHeader), SignRequest(*secret, parts, now)},
                     {std::string(kIdempotencyKeyHeader), callback.idempotency_key}};
  Result<http::ClientResponse> response = http::Send(request);
  if (!response.ok()) {
    spdlog::warn("callback {} (attempt {}) not delivered: {}", callback.description,
                 callback.attempt + 1, response.error().message);
    return false;
  }
  if (response->status < 200 || response->status > 299) {
    spdlog::warn("callback {} (attempt {}) rejected with HTTP {}", callback.description,
                 callback.attempt + 1, response->status);
    return false;
  }
  spdlog::info("callback {} delivered (attempt {})", callback.description, callback.attempt + 1);
  return true;
}

}  // namespace imeiguard::dm_simulator
