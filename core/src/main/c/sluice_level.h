/*
 * For the files compiled once per instruction-set level (build.sh): each level's copy of a kernel
 * gets the level's suffix (NAME(sluice_x) is sluice_x_avx2, ...), which sluice_dispatch.c tables.
 */
#ifndef SLUICE_LEVEL_H
#define SLUICE_LEVEL_H

#ifndef SLUICE_SUFFIX
#error "build.sh defines SLUICE_SUFFIX"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(n) CAT(n, SLUICE_SUFFIX)

#define INLINE static inline __attribute__((always_inline))

#endif
