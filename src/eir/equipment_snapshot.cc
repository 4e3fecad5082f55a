#include "eir/equipment_snapshot.h"

#include <algorithm>

namespace imeiguard::eir {
namespace {

// Code 0 in a packed word marks a removal; a lock state is stored as its enum value plus one.
constexpr std::uint64_t kRemoved = 0;
constexpr int kCodeBits = 3;
constexpr std::uint64_t kCodeMask = (1u << kCodeBits) - 1;

std::uint64_t Pack(std::uint64_t core, std::uint64_t code) { return core << kCodeBits | code; }
std::uint64_t CoreOf(std::uint64_t word) { return word >> kCodeBits; }
std::uint64_t CodeOf(std::uint64_t word) { return word & kCodeMask; }
std::uint64_t CodeOf(LockState state) { return static_cast<std::uint64_t>(state) + 1; }
LockState StateOf(std::uint64_t code) { return static_cast<LockState>(code - 1); }

// The word of `core` in the sorted `words`, or nullptr.
const std::uint64_t* Find(std::span<const std::uint64_t> words, std::uint64_t core) {
  auto it = std::lower_bound(words.begin(), words.end(), Pack(core, 0));
  if (it == words.end() || CoreOf(*it) != core) return nullptr;
  return &*it;
}

// Sorts packed changes by core, keeping only the last change of each core.
void SortKeepingLast(std::vector<std::uint64_t>& changes) {
  std::stable_sort(changes.begin(), changes.end(),
                   [](std::uint64_t a, std::uint64_t b) { return CoreOf(a) < CoreOf(b); });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    bool last_of_core = i + 1 == changes.size() || CoreOf(changes[i + 1]) != CoreOf(changes[i]);
    if (last_of_core) changes[kept++] = changes[i];
  }
  changes.resize(kept);
}

// Merges two sorted arrays; on equal cores `newer` wins. Removals are dropped when
// `drop_removed`, for a base array, and kept otherwise, for an overlay.
std::vector<std::uint64_t> Merge(std::span<const std::uint64_t> older,
                                 std::span<const std::uint64_t> newer, bool drop_removed) {
  std::vector<std::uint64_t> merged;
  merged.reserve(older.size() + newer.size());
  auto emit = [&](std::uint64_t word) {
    if (!drop_removed || CodeOf(word) != kRemoved) merged.push_back(word);
  };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size() || (i < older.size() && CoreOf(older[i]) < CoreOf(newer[j]))) {
      emit(older[i++]);
    } else {
      if (i < older.size() && CoreOf(older[i]) == CoreOf(newer[j])) ++i;
      emit(newer[j++]);
    }
  }
  return merged;
}

// Cores per directory block: 2^20, a little more than the 10^6 serials of one TAC.
constexpr int kBlockBits = 20;
// Interpolation probes before a block is searched by halving, which bounds a lookup when serials
// are not spread evenly.
constexpr int kMaxInterpolationProbes = 3;

std::uint64_t BlockOf(std::uint64_t core) { return core >> kBlockBits; }

// Searches `words`, sorted, for `core`: interpolation first, then halving of what is left.
const std::uint64_t* FindInBlock(std::span<const std::uint64_t> words, std::uint64_t core) {
  std::size_t low = 0;
  std::size_t high = words.size();  // Exclusive.
  for (int probe = 0; probe < kMaxInterpolationProbes && high - low > 8; ++probe) {
    std::uint64_t first = CoreOf(words[low]);
    std::uint64_t last = CoreOf(words[high - 1]);
    if (core < first || core > last) return nullptr;
    if (first == last) break;
    std::size_t at = low + static_cast<std::size_t>(static_cast<double>(core - first) /
                                                    static_cast<double>(last - first) *
                                                    static_cast<double>(high - 1 - low));
    std::uint64_t found = CoreOf(words[at]);
    if (found == core) return &words[at];
    if (found < core) {
      low = at + 1;
    } else {
      high = at;
    }
  }
  return Find(words.subspan(low, high - low), core);
}

}  // namespace

std::shared_ptr<const EquipmentSnapshot::BaseTable> EquipmentSnapshot::MakeBase(
    std::vector<std::uint64_t> words) {
  auto base = std::make_shared<BaseTable>();
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i == 0 || BlockOf(CoreOf(words[i])) != BlockOf(CoreOf(words[i - 1]))) {
      base->directory.push_back(BlockOf(CoreOf(words[i])) << 32 | i);
    }
  }
  base->words = std::move(words);
  return base;
}

const std::uint64_t* EquipmentSnapshot::FindInBase(const BaseTable& base, std::uint64_t core) {
  std::uint64_t block = BlockOf(core);
  const std::vector<std::uint64_t>& directory = base.directory;
  auto next = std::upper_bound(directory.begin(), directory.end(), block << 32 | 0xffffffffu);
  if (next == directory.begin() || (*(next - 1) >> 32) != block) return nullptr;
  std::size_t start = *(next - 1) & 0xffffffffu;
  std::size_t end = next == directory.end() ? base.words.size() : (*next & 0xffffffffu);
  return FindInBlock(std::span(base.words).subspan(start, end - start), core);
}

EquipmentSnapshot::EquipmentSnapshot(EquipmentSnapshotOptions options)
    : options_(options), domain_(EpochDomain::Global()) {
  auto empty = std::make_unique<View>();
  empty->base = MakeBase({});
  view_.store(empty.release());
  if (options_.publish_interval.count() > 0) {
    publisher_ = std::thread([this] { PublisherLoop(); });
  }
}

EquipmentSnapshot::~EquipmentSnapshot() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  // No reader may outlive the snapshot, so the last view can go without waiting.
  delete view_.load();
}

std::optional<LockState> EquipmentSnapshot::Lookup(std::uint64_t core) const {
  EpochDomain::ReadSection section(domain_);
  const View* view = view_.load();
  if (const std::uint64_t* word = Find(view->overlay, core)) {
    if (CodeOf(*word) == kRemoved) return std::nullopt;
    return StateOf(CodeOf(*word));
  }
  if (const std::uint64_t* word = FindInBase(*view->base, core)) return StateOf(CodeOf(*word));
  return std::nullopt;
}

void EquipmentSnapshot::Set(std::uint64_t core, LockState state) {
  std::lock_guard lock(pending_mutex_);
  pending_.push_back(Pack(core, CodeOf(state)));
}

void EquipmentSnapshot::Erase(std::uint64_t core) {
  std::lock_guard lock(pending_mutex_);
  pending_.push_back(Pack(core, kRemoved));
}

void EquipmentSnapshot::Load(std::span<const SnapshotEntry> entries) {
  std::vector<std::uint64_t> words;
  words.reserve(entries.size());
  for (const SnapshotEntry& entry : entries) words.push_back(Pack(entry.core, CodeOf(entry.state)));
  SortKeepingLast(words);

  std::lock_guard publish_lock(publish_mutex_);
  {
    std::lock_guard lock(pending_mutex_);
    pending_.clear();
  }
  auto next = std::make_unique<View>();
  next->base = MakeBase(std::move(words));
  Publish(std::move(next));
}

void EquipmentSnapshot::PublishPending() {
  std::lock_guard publish_lock(publish_mutex_);
  std::vector<std::uint64_t> changes;
  {
    std::lock_guard lock(pending_mutex_);
    changes.swap(pending_);
  }
  if (changes.empty()) return;
  SortKeepingLast(changes);

  // Only publications change the view, and they hold publish_mutex_, so it can be read freely.
  const View* current = view_.load();
  auto next = std::make_unique<View>();
  next->overlay = Merge(current->overlay, changes, /*drop_removed=*/false);
  if (next->overlay.size() > options_.max_overlay_entries) {
    next->base = MakeBase(Merge(current->base->words, next->overlay, /*drop_removed=*/true));
    next->overlay.clear();
  } else {
    next->base = current->base;
  }
  Publish(std::move(next));
}

void EquipmentSnapshot::Publish(std::unique_ptr<View> next) {
  const View* previous = view_.exchange(next.release());
  domain_.Synchronize();
  delete previous;
}

EquipmentSnapshot::Stats EquipmentSnapshot::stats() const {
  std::lock_guard publish_lock(publish_mutex_);
  const View* view = view_.load();
  Stats stats;
  stats.base_entries = view->base->words.size();
  stats.overlay_entries = view->overlay.size();
  stats.bytes =
      (view->base->words.capacity() + view->base->directory.capacity() + view->overlay.capacity()) *
      sizeof(std::uint64_t);
  return stats;
}

void EquipmentSnapshot::PublisherLoop() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    stop_signal_.wait_for(lock, options_.publish_interval);
    lock.unlock();
    PublishPending();
    lock.lock();
  }
}

}  // namespace imeiguard::eir
