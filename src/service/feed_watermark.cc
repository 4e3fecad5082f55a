#include "service/feed_watermark.h"

#include <algorithm>

namespace imeiguard {

void FeedWatermark::Observe(Timestamp event_time, Timestamp wall) {
  // The feed may have been idle until this event arrived.
  Advance(wall);
  Timestamp capped = std::min(event_time, wall);
  max_event_ = max_event_ ? std::max(*max_event_, capped) : capped;
  last_arrival_ = last_arrival_ ? std::max(*last_arrival_, wall) : wall;
  Advance(wall);
}

std::optional<Timestamp> FeedWatermark::Advance(Timestamp wall) {
  floor_ = Compute(wall);
  return floor_;
}

std::optional<Timestamp> FeedWatermark::WallTimeReaching(Timestamp event_time) const {
  if (!last_arrival_) return std::nullopt;
  if (floor_ && *floor_ >= event_time) return *last_arrival_;
  if (*max_event_ - policy_.allowed_lateness >= event_time) {
    return std::max(*last_arrival_, event_time);
  }
  return std::max(*last_arrival_, event_time) + policy_.idle_after;
}

void FeedWatermark::Close(Timestamp t) {
  if (!floor_ || *floor_ < t) floor_ = t;
}

std::optional<Timestamp> FeedWatermark::Compute(Timestamp wall) const {
  if (!max_event_) return floor_;
  Timestamp candidate = *max_event_ - policy_.allowed_lateness;
  // A feed quiet for longer than idle_after has, as far as anyone can tell, nothing more to send.
  if (wall - *last_arrival_ >= policy_.idle_after) {
    candidate = std::max(candidate, wall - policy_.idle_after);
  }
  candidate = std::min(candidate, wall);
  if (floor_ && *floor_ > candidate) return floor_;
  return candidate;
}

}  // namespace imeiguard
