#include "eir/epoch_domain.h"

#include <chrono>
#include <thread>

namespace imeiguard::eir {
EpochDomain& EpochDomain::Global() {
  static EpochDomain domain;
  return domain;
}

int EpochDomain::ClaimSlot() {
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!slots_[i].owned.load(std::memory_order_relaxed) &&
        slots_[i].owned.compare_exchange_strong(expected, true)) {
      return i;
    }
  }
  return kOverflowSlot;
}

void EpochDomain::ReleaseSlot(int slot) {
  if (slot >= 0) slots_[slot].owned.store(false, std::memory_order_release);
}

int EpochDomain::ThreadSlot() {
  // Slots are per thread for the global domain only. Other domains (tests) share the overflow
  // counter, which is as correct and only slower for their writers.
  if (this != &Global()) return kOverflowSlot;
  constexpr int kUnclaimed = -2;
  struct Owner {
    int slot = kUnclaimed;
    ~Owner() { Global().ReleaseSlot(slot); }
  };
  thread_local Owner owner;
  if (owner.slot == kUnclaimed) owner.slot = Global().ClaimSlot();
  return owner.slot;
}

EpochDomain::ReadSection::ReadSection(EpochDomain& domain) : domain_(domain) {
  slot_ = domain.ThreadSlot();
  // Sequentially consistent, so that a writer's scan either sees this entry or the reader's next
  // load sees the pointer the writer published before the scan.
  if (slot_ == kOverflowSlot) {
    domain.overflow_readers_.fetch_add(1);
  } else {
    domain.slots_[slot_].active_epoch.store(domain.epoch_.load());
  }
}

EpochDomain::ReadSection::~ReadSection() {
  if (slot_ == kOverflowSlot) {
    domain_.overflow_readers_.fetch_sub(1, std::memory_order_release);
  } else {
    domain_.slots_[slot_].active_epoch.store(0, std::memory_order_release);
  }
}

void EpochDomain::Synchronize() {
  const std::uint64_t target = epoch_.fetch_add(1) + 1;
  auto pause = [] { std::this_thread::sleep_for(std::chrono::microseconds(50)); };

  // A reader that entered at `target` or later loaded the pointer after the caller replaced it.
  for (Slot& slot : slots_) {
    while (true) {
      std::uint64_t entered = slot.active_epoch.load();
      if (entered == 0 || entered >= target) break;
      pause();
    }
  }
  while (overflow_readers_.load() != 0) pause();
}

}  // namespace imeiguard::eir
