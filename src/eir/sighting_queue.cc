#include "eir/sighting_queue.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "eir/equipment_status.h"

namespace imeiguard::eir {
namespace {

// Copies `text` into a fixed field, truncated to its size.
template <std::size_t N>
struct FixedText {
  char bytes[N];
  std::uint16_t size = 0;

  void Assign(std::string_view text) {
    size = static_cast<std::uint16_t>(std::min(text.size(), N));
    // An empty view may have no data at all, and memcpy must not be given a null source.
    if (size > 0) std::memcpy(bytes, text.data(), size);
  }
  std::string str() const { return std::string(bytes, size); }
};

std::size_t RoundUpToPowerOfTwo(std::size_t n) {
  std::size_t power = 1;
  while (power < n) power <<= 1;
  return power;
}

}  // namespace

std::string_view SubscriberKey(std::string_view supi_or_imsi) {
  constexpr std::string_view kImsiPrefix = "imsi-";
  if (supi_or_imsi.substr(0, kImsiPrefix.size()) == kImsiPrefix) {
    return supi_or_imsi.substr(kImsiPrefix.size());
  }
  return supi_or_imsi;
}

struct SightingQueue::Slot {
  std::atomic<std::size_t> sequence{0};
  std::uint64_t core = 0;
  Timestamp at;
  LockState state = LockState::kWatched;
  FixedText<8> interface;
  FixedText<64> network_element;
  FixedText<kMaxSightingSubscriberBytes> imsi;
  FixedText<kMaxSightingSubscriberBytes> gpsi;
};

SightingQueue::SightingQueue(const EquipmentSnapshot& snapshot, SightingStore& store,
                             SightingQueueOptions options)
    : snapshot_(snapshot), store_(store), options_(options) {
  std::size_t capacity = RoundUpToPowerOfTwo(std::max<std::size_t>(options_.capacity, 2));
  mask_ = capacity - 1;
  slots_ = std::make_unique<Slot[]>(capacity);
  for (std::size_t i = 0; i < capacity; ++i) slots_[i].sequence.store(i, std::memory_order_relaxed);
  writer_ = std::thread([this] { WriterLoop(); });
}

SightingQueue::~SightingQueue() { Stop(); }

void SightingQueue::Record(const EquipmentQuery& query) {
  std::optional<LockState> state = snapshot_.Lookup(query.core);
  if (!state || !StateIsTraced(*state)) return;
  if (Push(query, *state)) {
    queued_.fetch_add(1, std::memory_order_relaxed);
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool SightingQueue::Push(const EquipmentQuery& query, LockState state) {
  std::size_t position = enqueue_position_.load(std::memory_order_relaxed);
  Slot* slot = nullptr;
  while (true) {
    slot = &slots_[position & mask_];
    std::size_t sequence = slot->sequence.load(std::memory_order_acquire);
    auto lag = static_cast<std::ptrdiff_t>(sequence) - static_cast<std::ptrdiff_t>(position);
    if (lag == 0) {
      if (enqueue_position_.compare_exchange_weak(position, position + 1,
                                                  std::memory_order_relaxed)) {
        break;
      }
    } else if (lag < 0) {
      return false;  // The slot still contains a sighting the writer has not taken: full.
    } else {
      position = enqueue_position_.load(std::memory_order_relaxed);
    }
  }
  slot->core = query.core;
  slot->at = query.at;
  slot->state = state;
  slot->interface.Assign(query.interface);
  slot->network_element.Assign(query.network_element);
  slot->imsi.Assign(SubscriberKey(query.supi_or_imsi));
  slot->gpsi.Assign(query.gpsi);
  slot->sequence.store(position + 1, std::memory_order_release);
  return true;
}

std::size_t SightingQueue::DrainOnce() {
  std::vector<Sighting> batch;
  while (batch.size() < options_.max_batch) {
    Slot& slot = slots_[dequeue_position_ & mask_];
    if (slot.sequence.load(std::memory_order_acquire) != dequeue_position_ + 1) break;
    Sighting sighting;
    sighting.core = slot.core;
    sighting.at = slot.at;
    sighting.state = slot.state;
    sighting.interface = slot.interface.str();
    sighting.network_element = slot.network_element.str();
    sighting.imsi = slot.imsi.str();
    sighting.gpsi = slot.gpsi.str();
    batch.push_back(std::move(sighting));
    slot.sequence.store(dequeue_position_ + mask_ + 1, std::memory_order_release);
    ++dequeue_position_;
  }
  if (batch.empty()) return 0;
  if (store_.AppendSightings(batch).ok()) {
    stored_.fetch_add(static_cast<std::int64_t>(batch.size()), std::memory_order_relaxed);
  } else {
    failed_.fetch_add(static_cast<std::int64_t>(batch.size()), std::memory_order_relaxed);
  }
  return batch.size();
}

void SightingQueue::Flush() {
  std::lock_guard lock(drain_mutex_);
  while (DrainOnce() > 0) {
  }
}

void SightingQueue::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  Flush();
}

void SightingQueue::WriterLoop() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval);
    lock.unlock();
    Flush();
    lock.lock();
  }
}

SightingQueue::Counters SightingQueue::counters() const {
  Counters counters;
  counters.queued = queued_.load(std::memory_order_relaxed);
  counters.dropped = dropped_.load(std::memory_order_relaxed);
  counters.stored = stored_.load(std::memory_order_relaxed);
  counters.failed = failed_.load(std::memory_order_relaxed);
  return counters;
}

}  // namespace imeiguard::eir
