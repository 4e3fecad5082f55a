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

// Every plain form of new and delete is replaced, so that memory never passes between this
// allocator and the one it replaces (under AddressSanitizer, the sanitizer's): the nothrow form is
// what std::stable_sort's temporary buffer uses, for one.
inline void* CountedAllocation(std::size_t size) noexcept {
  if (imeiguard::testing::counting_allocations.load(std::memory_order_relaxed)) {
    imeiguard::testing::allocation_count.fetch_add(1);
  }
  return std::malloc(size == 0 ? 1 : size);
}

void* operator new(std::size_t size) {
  if (void* p = CountedAllocation(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = CountedAllocation(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAllocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAllocation(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
