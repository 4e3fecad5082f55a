// A seeded random source whose output is the same on every machine and standard library.
//
// std::uniform_int_distribution and its kin are specified by their results' distribution, not by
// their algorithm, so libstdc++ and libc++ draw different numbers from the same engine. Simulated
// flows must be byte-identical everywhere, so every mapping from bits to a range is written here,
// in integer arithmetic or exact double comparisons (no libm calls, whose last bits may differ).
#pragma once

#include <cstdint>

namespace imeiguard::simulation {

// splitmix64's finalizer: a bijection on 64-bit values, so distinct inputs give distinct outputs.
inline std::uint64_t Mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// splitmix64: a small, fast generator whose every step is fully specified.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  // A stream for one purpose (one parcel, say), independent of how many numbers others drew.
  static Random Stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
    return Random(Mix64(seed ^ Mix64(purpose * 0x9e3779b97f4a7c15ULL + index)));
  }

  std::uint64_t Next() { return Mix64(state_ += 0x9e3779b97f4a7c15ULL); }

  // A uniform number in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1p-53; }

  // A uniform integer in [low, high]. The modulo bias is below 2^-40 for ranges under 2^24.
  std::int64_t Between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(high - low + 1));
  }

  bool Chance(double probability) { return Unit() < probability; }

  // A rough bell shape on [low, high]: the mean of three uniforms, without the tails of a normal.
  std::int64_t Bell(std::int64_t low, std::int64_t high) {
    std::int64_t span = high - low;
    return low + (Between(0, span) + Between(0, span) + Between(0, span)) / 3;
  }

 private:
  std::uint64_t state_;
};

}  // namespace imeiguard::simulation
