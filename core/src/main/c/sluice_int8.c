/*
 * Q8_0 and Q4_0 weights times int8-quantized activations, the native twin of
 * core/src/main/java/ai/sluice/core/tensor/Int8Kernel.java. Compiled once per instruction-set
 * level (build.sh passes the flags and SLUICE_SUFFIX); sluice_dispatch.c picks one at run time.
 *
 * Same bits as the Java path, by construction: per block of 32, 32-bit lane j (of 8) holds the
 * exact integer sum of the products of elements 2j, 2j+1, 2j+16 and 2j+17 (the Java kernel's
 * lanes). Here that is one 16-bit multiply-add of elements 0..15 (pairs 2j, 2j+1 into lane j) plus
 * one of elements 16..31: vpmaddwd on AVX2, vpdpwssd with VNNI, no shuffle. The lane integers are
 * converted to float and fused-multiply-added into 8 float lanes with the product (rounded to
 * float) of the two block scales, blocks in order; the 8 lanes are added in lane order at the end.
 * That is every rounding the Java path does, in its order, so an output gets the same bits on
 * either path, at any level, in any batch. Built with -ffp-contract=off so that the compiler adds
 * no fusion of its own.
 *
 * Activations: quants as int16 (entry b at b * cols), block scales as float (b * cols / 32), and
 * for Q4_0 per block 8 ints: 8 x the sum of lane j's four activation quants, subtracted so that
 * unsigned nibbles 0..15 give the products of (nibble - 8).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#ifndef SLUICE_SUFFIX
#error "build.sh defines SLUICE_SUFFIX"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(n) CAT(n, SLUICE_SUFFIX)

/* acc + pairwise 16-bit products of a and b, summed into 32-bit lanes */
#if defined(SLUICE_AVX512_VNNI)
#define DOT16(acc, a, b) _mm256_dpwssd_epi32((acc), (a), (b))
#elif defined(SLUICE_AVX_VNNI)
#define DOT16(acc, a, b) _mm256_dpwssd_avx_epi32((acc), (a), (b))
#else
#define DOT16(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))
#endif

/* Rows x tokens of one register tile: AVX-512 has 32 vector registers, AVX2 16. */
#if defined(SLUICE_AVX512_VNNI)
#define TILE_ROWS 4
#define TILE_TOKENS 2
#else
#define TILE_ROWS 2
#define TILE_TOKENS 2
#endif
#define DECODE_ROWS 4
#define MAX_R 4
#define MAX_T 2

#define BLOCK 32
#define Q8_BYTES 34
#define Q4_BYTES 18
#define INLINE static inline __attribute__((always_inline))

INLINE float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* The 8 lanes added in lane order, as VectorMath.sumLanes does. */
INLINE float sum_lanes(__m256 v) {
    float l[8];
    _mm256_storeu_ps(l, v);
    return l[0] + l[1] + l[2] + l[3] + l[4] + l[5] + l[6] + l[7];
}

/*
 * R rows (from row r) times T tokens (from token t), blocks in order. Q8 is a compile-time
 * constant after inlining (one body, two types): its weights are 32 signed bytes widened to 16
 * bits; Q4_0's are 16 bytes of nibbles (low = elements 0..15), widened unsigned and split.
 */
INLINE void tile(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                 const int32_t *offsets, float *out, int32_t out_rows, int r, int t, const int R, const int T) {
    const int blocks = cols / BLOCK;
    const int stride = q8 ? Q8_BYTES : Q4_BYTES;
    /* fixed sizes, loops to R and T: once inlined with constants, all of it lives in registers */
    __m256 acc[MAX_R][MAX_T];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < T; j++) acc[i][j] = _mm256_setzero_ps();
    const uint8_t *row[MAX_R];
    for (int i = 0; i < R; i++) row[i] = w + row_bytes * (r + i);
    for (int b = 0; b < blocks; b++) {
        __m256i w0[MAX_R], w1[MAX_R];
        __m256 dw[MAX_R];
        for (int i = 0; i < R; i++) {
            const uint8_t *p = row[i] + (int64_t) stride * b;
            dw[i] = _mm256_set1_ps(half_to_float(p));
            if (q8) {
                w0[i] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (p + 2)));
                w1[i] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (p + 18)));
            } else {
                __m256i q = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (p + 2)));
                w0[i] = _mm256_and_si256(q, _mm256_set1_epi16(0x0F));
                w1[i] = _mm256_srli_epi16(q, 4);
            }
        }
        for (int j = 0; j < T; j++) {
            const int tok = t + j;
            const int16_t *x = xq + (int64_t) tok * cols + b * BLOCK;
            __m256i x0 = _mm256_loadu_si256((const __m256i *) x);
            __m256i x1 = _mm256_loadu_si256((const __m256i *) (x + 16));
            __m256 dx = _mm256_set1_ps(xs[(int64_t) tok * blocks + b]);
            __m256i off = _mm256_setzero_si256();
            if (!q8) off = _mm256_loadu_si256((const __m256i *) (offsets + ((int64_t) tok * blocks + b) * 8));
            for (int i = 0; i < R; i++) {
                __m256i s = DOT16(DOT16(_mm256_setzero_si256(), w0[i], x0), w1[i], x1);
                if (!q8) s = _mm256_sub_epi32(s, off);
                /* weight scale x activation scale, rounded to float as the Java path rounds it */
                acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw[i], dx), acc[i][j]);
            }
        }
    }
    for (int i = 0; i < R; i++)
        for (int j = 0; j < T; j++) out[(int64_t) (t + j) * out_rows + r + i] = sum_lanes(acc[i][j]);
}

INLINE void rows(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                 const int32_t *offsets, int32_t batch, float *out, int32_t out_rows, int32_t row_start,
                 int32_t row_end) {
    if (batch == 1) {
        int r = row_start;
        for (; r + DECODE_ROWS <= row_end; r += DECODE_ROWS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, 0, DECODE_ROWS, 1);
        for (; r < row_end; r++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, 0, 1, 1);
        return;
    }
    /* a row tile's weights stay in L1 while every token of the batch passes over them */
    int r = row_start;
    for (; r + TILE_ROWS <= row_end; r += TILE_ROWS) {
        int t = 0;
        for (; t + TILE_TOKENS <= batch; t += TILE_TOKENS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_ROWS, TILE_TOKENS);
        for (; t < batch; t++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_ROWS, 1);
    }
    for (; r < row_end; r++) {
        int t = 0;
        for (; t + TILE_TOKENS <= batch; t += TILE_TOKENS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, 1, TILE_TOKENS);
        for (; t < batch; t++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, 1, 1);
    }
}

/*
 * out[b * out_rows + r] = W[r] . x[b] for r in [row_start, row_end) and b < batch; W's rows are
 * row_bytes apart (Q8_0 blocks of f16 scale + 32 int8).
 */
void NAME(sluice_q8_0_rows)(const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                            const int32_t *offsets, int32_t batch, float *out, int32_t out_rows, int32_t row_start,
                            int32_t row_end) {
    (void) offsets;
    rows(1, w, row_bytes, cols, xq, xs, 0, batch, out, out_rows, row_start, row_end);
}

/* As sluice_q8_0_rows for Q4_0 (f16 scale + 16 bytes of nibbles), offsets as described above. */
void NAME(sluice_q4_0_rows)(const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                            const int32_t *offsets, int32_t batch, float *out, int32_t out_rows, int32_t row_start,
                            int32_t row_end) {
    rows(0, w, row_bytes, cols, xq, xs, offsets, batch, out, out_rows, row_start, row_end);
}
