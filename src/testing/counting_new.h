// Test support: replaces the global operator new of the test binary to count heap allocations
// while `counting_allocations` is set. Include it in one source file of a binary of its own, as it
// defines the replacement.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace imeiguard::testing {

inline std::atomic<bool> counting_allocations{false};
inline std::atomic<long> allocation_count{0};

}  // namespace imeiguard::testing

// GCC flags free() on memory from a replaced operator new once both are inlined, though the
// replacement takes it from malloc().
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  if (imeiguard::testing::counting_allocations.load(std::memory_order_relaxed)) {
    imeiguard::testing::allocation_count.fetch_add(1);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
