// A check that stays on in every build type, so that a fuzz target reports a broken invariant as
// a crash that libFuzzer saves.
#pragma once

#include <cstdio>
#include <cstdlib>

#define IG_FUZZ_CHECK(condition)                                                         \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
