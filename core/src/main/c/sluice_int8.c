/*
 * Q8_0 and Q4_0 weights times int8-quantized activations, the native twin of
 * core/src/main/java/ai/sluice/core/tensor/Int8Kernel.java. Compiled once per instruction-set
 * level (build.sh passes the flags and SLUICE_SUFFIX); sluice_dispatch.c picks one at run time.
 *
 * Same bits as the Java path, by construction: the block-total order of Int8Kernel's comment
 * (llama.cpp's repacked Q4_0 order). Per (row, token) and block of 32, the exact integer total of
 * the 32 products: here one 16-bit multiply-add of elements 0..15 and one of 16..31 into 8 int32
 * lanes (vpmaddwd on AVX2, vpdpwssd with VNNI), then 8 (row, token) pairs' lanes added as a
 * transpose (hadd) so that each pair's total sits in one lane; converted to float and
 * fused-multiply-added with the product (rounded to float) of the two block scales, blocks in
 * order, one FMA per block and output. That is every rounding the Java path does, in its order, so
 * an output gets the same bits on either path, at any level, in any batch. Built with
 * -ffp-contract=off so that the compiler adds no fusion of its own.
 *
 * Activations: quants as int16 (entry b at b * cols), block scales as float (b * cols / 32), and
 * for Q4_0 per block 8 ints: 8 x the sum of lane j's four activation quants, subtracted so that
 * unsigned nibbles 0..15 give the products of (nibble - 8).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "sluice_level.h"

/* acc + pairwise 16-bit products of a and b, summed into 32-bit lanes */
#if defined(SLUICE_AVX512_VNNI)
#define DOT16(acc, a, b) _mm256_dpwssd_epi32((acc), (a), (b))
#elif defined(SLUICE_AVX_VNNI)
#define DOT16(acc, a, b) _mm256_dpwssd_avx_epi32((acc), (a), (b))
#else
#define DOT16(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))
#endif

/*
 * One register tile: R rows x T tokens, R * T = 8 (8 x 1 for a batch of one, 2 x 4 for larger
 * batches), so that the 8 (row, token) block totals land in the 8 lanes of one vector: lane
 * i * T + j is row i, token j. A short last tile repeats its last row or token (computed, not
 * stored), so every output takes the same instructions.
 */
#define ONE_ROWS 8
#define GROUP_ROWS 2
#define GROUP_TOKENS 4

#define BLOCK 32
#define Q8_BYTES 34
#define Q4_BYTES 18

INLINE float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/* Lane i of the result = the sum of v[i]'s 8 lanes (exact: integers). */
INLINE __m256i totals(const __m256i v[8]) {
    __m256i h01 = _mm256_hadd_epi32(v[0], v[1]);
    __m256i h23 = _mm256_hadd_epi32(v[2], v[3]);
    __m256i h45 = _mm256_hadd_epi32(v[4], v[5]);
    __m256i h67 = _mm256_hadd_epi32(v[6], v[7]);
    /* per 128-bit half: v0..v3's (v4..v7's) sums of that half's 4 lanes */
    __m256i h0123 = _mm256_hadd_epi32(h01, h23);
    __m256i h4567 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                            _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

/*
 * Rows [r, r + nr) x tokens [t, t + nt) of one R x T tile, blocks in order. Q8 is a compile-time
 * constant after inlining (one body, two types): its weights are 32 signed bytes widened to 16
 * bits; Q4_0's are 16 bytes of nibbles (low = elements 0..15), widened unsigned and split.
 */
INLINE void tile(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                 const int32_t *offsets, float *out, int32_t out_rows, int r, int nr, int t, int nt, const int R,
                 const int T) {
    const int blocks = cols / BLOCK;
    const int stride = q8 ? Q8_BYTES : Q4_BYTES;
    const uint8_t *row[ONE_ROWS];
    int tok[GROUP_TOKENS];
    for (int i = 0; i < R; i++) row[i] = w + row_bytes * (r + (i < nr ? i : nr - 1));
    for (int j = 0; j < T; j++) tok[j] = t + (j < nt ? j : nt - 1);
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m256i w0[ONE_ROWS], w1[ONE_ROWS], v[8];
        float dw[ONE_ROWS], dx[GROUP_TOKENS], scale[8];
        for (int i = 0; i < R; i++) {
            const uint8_t *p = row[i] + (int64_t) stride * b;
            dw[i] = half_to_float(p);
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
            const int16_t *x = xq + (int64_t) tok[j] * cols + b * BLOCK;
            __m256i x0 = _mm256_loadu_si256((const __m256i *) x);
            __m256i x1 = _mm256_loadu_si256((const __m256i *) (x + 16));
            dx[j] = xs[(int64_t) tok[j] * blocks + b];
            __m256i off = _mm256_setzero_si256();
            if (!q8) off = _mm256_loadu_si256((const __m256i *) (offsets + ((int64_t) tok[j] * blocks + b) * 8));
            for (int i = 0; i < R; i++) {
                __m256i s = DOT16(DOT16(_mm256_setzero_si256(), w0[i], x0), w1[i], x1);
                if (!q8) s = _mm256_sub_epi32(s, off);
                v[i * T + j] = s;
            }
        }
        /* weight scale x activation scale, rounded to float as the Java path rounds it */
        for (int i = 0; i < R; i++)
            for (int j = 0; j < T; j++) scale[i * T + j] = dw[i] * dx[j];
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(totals(v)), _mm256_loadu_ps(scale), acc);
    }
    float l[8];
    _mm256_storeu_ps(l, acc);
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nt; j++) out[(int64_t) (t + j) * out_rows + r + i] = l[i * T + j];
}

/* Bytes of activations (int16 quants) kept in L2 while a range of rows passes over them. */
#define TOKEN_BLOCK_BYTES (512 * 1024)

INLINE int min_int(int a, int b) {
    return a < b ? a : b;
}

INLINE void rows(int q8, const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                 const int32_t *offsets, int32_t batch, float *out, int32_t out_rows, int32_t row_start,
                 int32_t row_end) {
    if (batch == 1) {
        for (int r = row_start; r < row_end; r += ONE_ROWS)
            tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, min_int(ONE_ROWS, row_end - r), 0, 1,
                 ONE_ROWS, 1);
        return;
    }
    /* a row tile's weights stay in L1 while the tokens of a block pass over them; the tokens of a
       block stay in L2 while the rows pass */
    int per_block = TOKEN_BLOCK_BYTES / (2 * cols) / 4 * 4;
    if (per_block < 4) per_block = 4;
    for (int t0 = 0; t0 < batch; t0 += per_block) {
        int t1 = min_int(t0 + per_block, batch);
        for (int r = row_start; r < row_end; r += GROUP_ROWS)
            for (int t = t0; t < t1; t += GROUP_TOKENS)
                tile(q8, w, row_bytes, cols, xq, xs, offsets, out, out_rows, r, min_int(GROUP_ROWS, row_end - r), t,
                     min_int(GROUP_TOKENS, t1 - t), GROUP_ROWS, GROUP_TOKENS);
    }
}

/*
 * Q4_0 matrices whose row count is not a multiple of 8 take llama.cpp's vec_dot order instead (it
 * repacks only the others): per (row, token) 8 float lanes, lane l fused-multiply-adds the exact
 * sum of elements 4l..4l+3 times the scale product per block, and the lanes are added as
 * ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)) (LlamaVecDotOrder on the Java side). Plain
 * code: such matrices are rare and small.
 */
static void vec_dot_rows(const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *xq, const float *xs,
                         int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    const int blocks = cols / BLOCK;
    for (int r = row_start; r < row_end; r++)
        for (int t = 0; t < batch; t++) {
            __m256 acc = _mm256_setzero_ps();
            for (int b = 0; b < blocks; b++) {
                const uint8_t *p = w + row_bytes * r + (int64_t) Q4_BYTES * b;
                const int16_t *x = xq + (int64_t) t * cols + b * BLOCK;
                int32_t lane[8];
                for (int l = 0; l < 8; l++) {
                    int32_t sum = 0;
                    for (int e = 4 * l; e < 4 * l + 4; e++) {
                        int nibble = e < 16 ? (p[2 + e] & 0x0F) : (p[2 + e - 16] >> 4);
                        sum += (nibble - 8) * x[e];
                    }
                    lane[l] = sum;
                }
                __m256 d = _mm256_set1_ps(half_to_float(p) * xs[(int64_t) t * blocks + b]);
                acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *) lane)), acc);
            }
            float l[8];
            _mm256_storeu_ps(l, acc);
            out[(int64_t) t * out_rows + r] = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
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
    if (out_rows % 8 != 0) {
        vec_dot_rows(w, row_bytes, cols, xq, xs, batch, out, out_rows, row_start, row_end);
        return;
    }
    rows(0, w, row_bytes, cols, xq, xs, offsets, batch, out, out_rows, row_start, row_end);
}
