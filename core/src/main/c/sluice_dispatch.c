/*
 * The exported face of libsluice: which instruction-set levels this CPU runs (cpuid, and xgetbv
 * for the register state the OS saves), and each level's kernels by number. Built without any ISA
 * flag, so it runs on every x86-64; the kernels of a level are only ever called where it says so.
 */
#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* Levels, lowest first; the Java side (NativeLevel) numbers them the same. */
enum { LEVEL_NONE = 0, LEVEL_AVX2 = 1, LEVEL_AVX_VNNI = 2, LEVEL_AVX512_VNNI = 3 };
/* Kernels by number; the Java side (NativeInt8) numbers them the same. */
enum {
    KERNEL_Q8_0_ROWS = 0, KERNEL_Q4_0_ROWS = 1, /* sluice_int8.c: weights as the file holds them */
    KERNEL_Q8_0_I16 = 2, KERNEL_Q4_0_I16 = 3, KERNEL_PACK_ACTIVATIONS = 4, /* sluice_interleaved.c: 16-row groups */
    KERNEL_I16_BYTES = 5, KERNEL_I16_REPACK = 6, /* sluice_interleave.c: the same at every level */
    KERNEL_HALF_SCORES = 7, KERNEL_HALF_VALUES = 8 /* sluice_attention.c: attention over an F16 cache */
};

#define DECLARE(suffix)                                                                                            \
    void sluice_q8_0_rows##suffix(const uint8_t *, int64_t, int32_t, const int16_t *, const float *,             \
                                  const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);                 \
    void sluice_q4_0_rows##suffix(const uint8_t *, int64_t, int32_t, const int16_t *, const float *,             \
                                  const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);                 \
    void sluice_q8_0_i16##suffix(const uint8_t *, int32_t, const int8_t *, const float *, const int32_t *,       \
                                 int32_t, float *, int32_t, int32_t, int32_t);                                  \
    void sluice_q4_0_i16##suffix(const uint8_t *, int32_t, const int8_t *, const float *, const int32_t *,       \
                                 int32_t, float *, int32_t, int32_t, int32_t);                                  \
    void sluice_pack_activations##suffix(const int16_t *, int64_t, int8_t *);                                    \
    void sluice_half_scores##suffix(const uint16_t *, int64_t, const int32_t *, int32_t, int64_t, const float *,  \
                                    int32_t, float, int32_t, float *);                                          \
    void sluice_half_values##suffix(const uint16_t *, int64_t, const int32_t *, int32_t, int64_t, const float *,  \
                                    const float *, float *, int32_t);
DECLARE(_avx2)
DECLARE(_avxvnni)
DECLARE(_avx512vnni)
int64_t sluice_i16_bytes(int32_t, int32_t, int32_t);
void sluice_i16_repack(int32_t, const uint8_t *, int64_t, int32_t, int32_t, uint8_t *);

static uint64_t xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t) edx << 32) | eax;
}

/* The highest level this CPU and OS run. */
EXPORT int32_t sluice_cpu_level(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return LEVEL_NONE;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) return LEVEL_NONE;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return LEVEL_NONE; /* XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return LEVEL_NONE;
    if (!((b >> 5) & 1)) return LEVEL_NONE; /* AVX2 */
    int avx512 = ((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1) /* F, BW, VL */
                 && ((c >> 11) & 1)                                     /* VNNI */
                 && (xcr0 & 0xE0) == 0xE0;                              /* opmask, ZMM state */
    if (avx512) return LEVEL_AVX512_VNNI;
    unsigned a1, b1, c1, d1;
    if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) && ((a1 >> 4) & 1)) return LEVEL_AVX_VNNI;
    return LEVEL_AVX2;
}

/* One level's kernels by number (the repacking ones are the same plain C at every level). */
#define LEVEL_TABLE(suffix)                                                                                        \
    switch (kernel) {                                                                                              \
    case KERNEL_Q8_0_ROWS: return (void *) sluice_q8_0_rows##suffix;                                             \
    case KERNEL_Q4_0_ROWS: return (void *) sluice_q4_0_rows##suffix;                                             \
    case KERNEL_Q8_0_I16: return (void *) sluice_q8_0_i16##suffix;                                               \
    case KERNEL_Q4_0_I16: return (void *) sluice_q4_0_i16##suffix;                                               \
    case KERNEL_PACK_ACTIVATIONS: return (void *) sluice_pack_activations##suffix;                               \
    case KERNEL_I16_BYTES: return (void *) sluice_i16_bytes;                                                     \
    case KERNEL_I16_REPACK: return (void *) sluice_i16_repack;                                                   \
    case KERNEL_HALF_SCORES: return (void *) sluice_half_scores##suffix;                                         \
    case KERNEL_HALF_VALUES: return (void *) sluice_half_values##suffix;                                         \
    default: return NULL;                                                                                        \
    }

/* Kernel number `kernel` of `level`, or NULL for a level or kernel that does not exist. */
EXPORT void *sluice_kernel(int32_t level, int32_t kernel) {
    switch (level) {
    case LEVEL_AVX2: LEVEL_TABLE(_avx2)
    case LEVEL_AVX_VNNI: LEVEL_TABLE(_avxvnni)
    case LEVEL_AVX512_VNNI: LEVEL_TABLE(_avx512vnni)
    default: return NULL;
    }
}
