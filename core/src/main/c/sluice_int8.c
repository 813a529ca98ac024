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

/*
 * Rows x tokens of one register tile: AVX-512 has 32 vector registers, AVX2 16. On AVX-512 the
 * tiles are row pairs (row_pairs): 4 pairs for a batch of one, 2 pairs x 4 tokens for larger
 * batches (the fastest of 1-4 pairs and 3-4 tokens measured on 2048 x 2048, min of 40 calls:
 * decode Q8_0 1.36 ns per block, Q4_0 1.30; batch 32 0.80 and 0.90 ns per block and token, where
 * the 8-lane tiles took 1.65/1.67 and 1.47/2.55).
 */
#if defined(SLUICE_AVX512_VNNI)
#define TILE_ROWS 4
#define TILE_TOKENS 2
#ifndef DECODE_PAIRS
#define DECODE_PAIRS 4
#endif
#ifndef TILE_PAIRS
#define TILE_PAIRS 2
#endif
#ifndef TILE_PAIR_TOKENS
#define TILE_PAIR_TOKENS 4
#endif
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

#if defined(SLUICE_AVX512_VNNI)
/*
 * AVX-512: two rows per 512-bit register, row r + 2p in the low 256 bits and r + 2p + 1 in the high,
 * against one token's activations repeated in both halves. Each half does exactly what tile()
 * does for its row (same integers, same scale product, same FMA chain over the blocks), so the
 * bits are the same; the float work and the widening cost one instruction per two rows.
 */
#define MAX_P 4
#define MAX_PT 4
INLINE void row_pairs(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                      const int32_t *offsets, float *out, int32_t out_rows, int r, int t, const int P, const int T) {
    const int blocks = cols / BLOCK;
    const int stride = q8 ? Q8_BYTES : Q4_BYTES;
    /* lanes 0..7 take element 0 (the even row's scale), lanes 8..15 element 1 (the odd row's) */
    const __m512i halves = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    __m512 acc[MAX_P][MAX_PT];
    for (int p = 0; p < P; p++)
        for (int j = 0; j < T; j++) acc[p][j] = _mm512_setzero_ps();
    const uint8_t *row[2 * MAX_P];
    for (int i = 0; i < 2 * P; i++) row[i] = w + row_bytes * (r + i);
    for (int b = 0; b < blocks; b++) {
        __m512i w0[MAX_P], w1[MAX_P];
        __m512 dw[MAX_P];
        for (int p = 0; p < P; p++) {
            const uint8_t *even = row[2 * p] + (int64_t) stride * b;
            const uint8_t *odd = row[2 * p + 1] + (int64_t) stride * b;
            uint16_t he, ho;
            memcpy(&he, even, 2);
            memcpy(&ho, odd, 2);
            __m128 h = _mm_cvtph_ps(_mm_cvtsi32_si128((int) ((uint32_t) he | (uint32_t) ho << 16)));
            dw[p] = _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(h));
            if (q8) {
                __m256i lo = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *) (even + 2))),
                                                     _mm_loadu_si128((const __m128i *) (odd + 2)), 1);
                __m256i hi = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *) (even + 18))),
                                                     _mm_loadu_si128((const __m128i *) (odd + 18)), 1);
                w0[p] = _mm512_cvtepi8_epi16(lo);
                w1[p] = _mm512_cvtepi8_epi16(hi);
            } else {
                __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *) (even + 2))),
                                                    _mm_loadu_si128((const __m128i *) (odd + 2)), 1);
                __m512i z = _mm512_cvtepu8_epi16(q);
                w0[p] = _mm512_and_si512(z, _mm512_set1_epi16(0x0F));
                w1[p] = _mm512_srli_epi16(z, 4);
            }
        }
        for (int j = 0; j < T; j++) {
            const int tok = t + j;
            const int16_t *x = xq + (int64_t) tok * cols + b * BLOCK;
            __m512i x0 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) x));
            __m512i x1 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) (x + 16)));
            __m512 dx = _mm512_set1_ps(xs[(int64_t) tok * blocks + b]);
            __m512i off = _mm512_setzero_si512();
            if (!q8)
                off = _mm512_broadcast_i64x4(
                    _mm256_loadu_si256((const __m256i *) (offsets + ((int64_t) tok * blocks + b) * 8)));
            for (int p = 0; p < P; p++) {
                __m512i s = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(_mm512_setzero_si512(), w0[p], x0), w1[p], x1);
                if (!q8) s = _mm512_sub_epi32(s, off);
                acc[p][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw[p], dx), acc[p][j]);
            }
        }
    }
    for (int p = 0; p < P; p++)
        for (int j = 0; j < T; j++) {
            float *o = out + (int64_t) (t + j) * out_rows + r + 2 * p;
            o[0] = sum_lanes(_mm512_castps512_ps256(acc[p][j]));
            o[1] = sum_lanes(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[p][j]), 1)));
        }
}
#endif

/* Bytes of activations (int16 quants) kept in L2 while a range of rows passes over them. */
#define TOKEN_BLOCK_BYTES (512 * 1024)

/* Rows [row_start, row_end) times tokens [t0, t1): row tiles outermost, every token of the range per tile. */
INLINE void tokens(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                   const int32_t *offsets, int32_t t0, int32_t t1, float *out, int32_t out_rows, int32_t row_start,
                   int32_t row_end) {
    int r = row_start;
#if defined(SLUICE_AVX512_VNNI)
    for (; r + 2 * TILE_PAIRS <= row_end; r += 2 * TILE_PAIRS) {
        int t = t0;
        for (; t + TILE_PAIR_TOKENS <= t1; t += TILE_PAIR_TOKENS)
            row_pairs(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_PAIRS, TILE_PAIR_TOKENS);
        for (; t < t1; t++) row_pairs(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_PAIRS, 1);
    }
#endif
    for (; r + TILE_ROWS <= row_end; r += TILE_ROWS) {
        int t = t0;
        for (; t + TILE_TOKENS <= t1; t += TILE_TOKENS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_ROWS, TILE_TOKENS);
        for (; t < t1; t++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, TILE_ROWS, 1);
    }
    for (; r < row_end; r++) {
        int t = t0;
        for (; t + TILE_TOKENS <= t1; t += TILE_TOKENS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, 1, TILE_TOKENS);
        for (; t < t1; t++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, t, 1, 1);
    }
}

INLINE void rows(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                 const int32_t *offsets, int32_t batch, float *out, int32_t out_rows, int32_t row_start,
                 int32_t row_end) {
    if (batch == 1) {
        int r = row_start;
#if defined(SLUICE_AVX512_VNNI)
        for (; r + 2 * DECODE_PAIRS <= row_end; r += 2 * DECODE_PAIRS)
            row_pairs(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, 0, DECODE_PAIRS, 1);
#endif
        for (; r + DECODE_ROWS <= row_end; r += DECODE_ROWS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, 0, DECODE_ROWS, 1);
        for (; r < row_end; r++) tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, 0, 1, 1);
        return;
    }
    /* a row tile's weights stay in L1 while the tokens of a block pass over them; the tokens of a
       block stay in L2 while the rows pass */
    int per_block = TOKEN_BLOCK_BYTES / (2 * cols) / 4 * 4;
    if (per_block < 4) per_block = 4;
    for (int t0 = 0; t0 < batch; t0 += per_block) {
        int t1 = t0 + per_block < batch ? t0 + per_block : batch;
        tokens(q8, w, row_bytes, cols, xq, xs, offsets, t0, t1, out, out_rows, row_start, row_end);
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
