/*
 * Q8_0 and Q4_0 weights, row-interleaved at load (sluice_interleave.c), times int8 activations
 * with 8-bit dot products, one ROW per 32-bit vector lane: vpdpbusd (AVX-512 VNNI: 16 rows per
 * register; AVX-VNNI: 8) or vpmaddubsw + vpmaddwd (AVX2: 8). Compiled once per instruction-set
 * level, as sluice_int8.c.
 *
 * The order (the "block total" order, the same in Int8Kernel and sluice_int8.c, so the same bits
 * on every path): per output (row, token), acc = 0; per block in order, T = the block's exact
 * integer sum of weight x activation quant, s = (float) (weight scale x activation scale), acc =
 * fmaf((float) T, s, acc). A lane ends each block with its row's whole T, whatever order the
 * integer products were added in (integers are exact: no overflow can occur, see each product);
 * then one conversion and one FMA per block serve 16 (or 8) rows at once. -ffp-contract=off keeps
 * the compiler from fusing anything of its own.
 *
 * Interleaved layout, per group of 16 rows (groups in order; rows past the matrix's end padded
 * with scale 0 and quants 0, never written out):
 *   blocks x the block's quants: chunk k (k = 0..7 for Q8_0, 0..3 for Q4_0) is 64 bytes, 4 per
 *     row, rows in order: Q8_0 the signed quants 4k..4k+3; Q4_0 the file's bytes 4k..4k+3 of the
 *     block, whose low nibbles are elements 4k..4k+3 and high nibbles 16+4k..16+4k+3 (so one AND,
 *     and one shift and AND, give two chunks). 512 (Q8_0) or 256 (Q4_0) bytes per block.
 *   then blocks x the 16 rows' f16 scales (32 bytes per block).
 * The copy is as large as the original (34 or 18 bytes per row and block) plus the padding rows.
 * An 8-row register (AVX2, AVX-VNNI) reads the first or second 32 bytes of a chunk.
 *
 * The integers: vpdpbusd multiplies unsigned by signed bytes, so the weights go in unsigned, Q4_0
 * nibbles as 0..15 (weight + 8), Q8_0 quants xor 0x80 (weight + 128), and each lane starts from
 * minus 8 (or 128) x the block's activation sum: T exactly. AVX2: vpmaddubsw saturates its 16-bit
 * pair sums, so Q8_0 multiplies |w| by (q with w's sign) (pairs at most 2 x 128 x 127 = 32512);
 * Q4_0's nibble products (at most 15 x 127) add up in 16 bits over the whole block (16 per
 * 16-bit lane: at most 30480) before one vpmaddwd widens them.
 *
 * Activations (sluice_pack_activations below): per token and block the 32 quants as int8 in
 * element order, token t's at t * cols; after all quants, one int32 per token and block: the sum
 * of its quants. Scales as Int8Activations holds them (t * blocks + b).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "sluice_level.h"

#define BLOCK 32
#define GROUP 16

INLINE int32_t load32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Bytes of one block's quants for a whole group (16 rows). */
INLINE int64_t block_quant_bytes(int q8) {
    return q8 ? 512 : 256;
}

/* Bytes of one group: its quants, then its scales. */
INLINE int64_t group_bytes(int q8, int blocks) {
    return (int64_t) blocks * (block_quant_bytes(q8) + 2 * GROUP);
}

#if defined(SLUICE_AVX512_VNNI)
/*
 * AVX-512: a register is a group's 16 rows. G groups x T tokens per tile; the chunk loop is
 * outermost in a block so only one weight register per group is live. A single token (decode)
 * splits each lane's sum into two chains (even and odd chunks), so the dot products overlap.
 */
#define MAX_G 2
#define MAX_T 8
INLINE void tile(int q8, const uint8_t *w, int blocks, const int8_t *xb, const float *xs, const int32_t *xsum,
                 float *out, int32_t out_rows, int32_t row_end, int g0, int t, const int G, const int T) {
    const int64_t qb = block_quant_bytes(q8);
    const int64_t gb = group_bytes(q8, blocks);
    const int C = T == 1 ? 2 : 1;
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    const __m512i bias = _mm512_set1_epi8((char) 0x80);
    __m512 acc[MAX_G][MAX_T];
    for (int g = 0; g < G; g++)
        for (int j = 0; j < T; j++) acc[g][j] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m512i s[MAX_G][MAX_T][2];
        __m512 dx[MAX_T];
        const int8_t *x[MAX_T];
        for (int j = 0; j < T; j++) {
            const int64_t tb = (int64_t) (t + j) * blocks + b;
            x[j] = xb + tb * BLOCK;
            dx[j] = _mm512_set1_ps(xs[tb]);
            const __m512i start = _mm512_set1_epi32((q8 ? -128 : -8) * xsum[tb]);
            for (int g = 0; g < G; g++) {
                s[g][j][0] = start;
                s[g][j][1] = _mm512_setzero_si512();
            }
        }
        const uint8_t *q[MAX_G];
        for (int g = 0; g < G; g++) q[g] = w + (g0 + g) * gb + b * qb;
        if (q8) {
            for (int k = 0; k < 8; k++)
                for (int g = 0; g < G; g++) {
                    const __m512i wv = _mm512_xor_si512(_mm512_loadu_si512(q[g] + 64 * k), bias);
                    for (int j = 0; j < T; j++)
                        s[g][j][k % C] = _mm512_dpbusd_epi32(s[g][j][k % C], wv, _mm512_set1_epi32(load32(x[j] + 4 * k)));
                }
        } else {
            for (int k = 0; k < 4; k++)
                for (int g = 0; g < G; g++) {
                    const __m512i v = _mm512_loadu_si512(q[g] + 64 * k);
                    const __m512i lo = _mm512_and_si512(v, low4);
                    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
                    for (int j = 0; j < T; j++) {
                        s[g][j][0] = _mm512_dpbusd_epi32(s[g][j][0], lo, _mm512_set1_epi32(load32(x[j] + 4 * k)));
                        s[g][j][C - 1] =
                            _mm512_dpbusd_epi32(s[g][j][C - 1], hi, _mm512_set1_epi32(load32(x[j] + 16 + 4 * k)));
                    }
                }
        }
        for (int g = 0; g < G; g++) {
            const __m512 dw = _mm512_cvtph_ps(
                _mm256_loadu_si256((const __m256i *) (w + (g0 + g) * gb + blocks * qb + 2 * GROUP * b)));
            for (int j = 0; j < T; j++) {
                const __m512i total = C == 2 ? _mm512_add_epi32(s[g][j][0], s[g][j][1]) : s[g][j][0];
                acc[g][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), _mm512_mul_ps(dw, dx[j]), acc[g][j]);
            }
        }
    }
    for (int g = 0; g < G; g++) {
        const int row = GROUP * (g0 + g);
        const int n = row_end - row;
        const __mmask16 mask = n >= GROUP ? (__mmask16) 0xFFFF : (__mmask16) ((1u << n) - 1);
        for (int j = 0; j < T; j++) _mm512_mask_storeu_ps(out + (int64_t) (t + j) * out_rows + row, mask, acc[g][j]);
    }
}
#ifndef DECODE_G
#define DECODE_G 2
#endif
#ifndef TILE_G
#define TILE_G 1
#endif
#ifndef TILE_T
#define TILE_T 8
#endif

/* A group's rows (both 16-row halves of a tile are one register here). */
#define GROUP_TILE(g, t, G, T) tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, t, G, T)
#else
/*
 * 256 bits: a register is 8 rows, half of a group. H halves (2, or 1 for a group whose second
 * half is all padding) x T tokens per tile.
 */
#define MAX_H 2
#define MAX_T 4
INLINE void tile(int q8, const uint8_t *w, int blocks, const int8_t *xb, const float *xs, const int32_t *xsum,
                 float *out, int32_t out_rows, int32_t row_end, int g0, int t, const int H, const int T) {
    const int64_t qb = block_quant_bytes(q8);
    const uint8_t *base = w + g0 * group_bytes(q8, blocks);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
#if defined(SLUICE_AVX_VNNI)
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
#else
    const __m256i ones = _mm256_set1_epi16(1);
#endif
    __m256 acc[MAX_H][MAX_T];
    for (int h = 0; h < H; h++)
        for (int j = 0; j < T; j++) acc[h][j] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const uint8_t *q = base + b * qb;
        const int8_t *x[MAX_T];
        __m256 dx[MAX_T];
        __m256i s[MAX_H][MAX_T];
        for (int j = 0; j < T; j++) {
            const int64_t tb = (int64_t) (t + j) * blocks + b;
            x[j] = xb + tb * BLOCK;
            dx[j] = _mm256_set1_ps(xs[tb]);
        }
#if defined(SLUICE_AVX_VNNI)
        for (int j = 0; j < T; j++) {
            const __m256i start = _mm256_set1_epi32((q8 ? -128 : -8) * xsum[(int64_t) (t + j) * blocks + b]);
            for (int h = 0; h < H; h++) s[h][j] = start;
        }
        if (q8) {
            for (int k = 0; k < 8; k++)
                for (int h = 0; h < H; h++) {
                    const __m256i wv = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h)), bias);
                    for (int j = 0; j < T; j++)
                        s[h][j] = _mm256_dpbusd_avx_epi32(s[h][j], wv, _mm256_set1_epi32(load32(x[j] + 4 * k)));
                }
        } else {
            for (int k = 0; k < 4; k++)
                for (int h = 0; h < H; h++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h));
                    const __m256i lo = _mm256_and_si256(v, low4);
                    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
                    for (int j = 0; j < T; j++) {
                        s[h][j] = _mm256_dpbusd_avx_epi32(s[h][j], lo, _mm256_set1_epi32(load32(x[j] + 4 * k)));
                        s[h][j] = _mm256_dpbusd_avx_epi32(s[h][j], hi, _mm256_set1_epi32(load32(x[j] + 16 + 4 * k)));
                    }
                }
        }
#else
        if (q8) {
            for (int h = 0; h < H; h++)
                for (int j = 0; j < T; j++) s[h][j] = _mm256_setzero_si256();
            for (int k = 0; k < 8; k++)
                for (int h = 0; h < H; h++) {
                    const __m256i wv = _mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h));
                    const __m256i aw = _mm256_abs_epi8(wv); /* -128 gives 0x80: 128 unsigned */
                    for (int j = 0; j < T; j++) {
                        const __m256i xv = _mm256_set1_epi32(load32(x[j] + 4 * k));
                        s[h][j] = _mm256_add_epi32(
                            s[h][j], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(xv, wv)), ones));
                    }
                }
        } else {
            __m256i s16[MAX_H][MAX_T];
            for (int h = 0; h < H; h++)
                for (int j = 0; j < T; j++) s16[h][j] = _mm256_setzero_si256();
            for (int k = 0; k < 4; k++)
                for (int h = 0; h < H; h++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h));
                    const __m256i lo = _mm256_and_si256(v, low4);
                    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
                    for (int j = 0; j < T; j++) {
                        s16[h][j] = _mm256_add_epi16(
                            s16[h][j], _mm256_maddubs_epi16(lo, _mm256_set1_epi32(load32(x[j] + 4 * k))));
                        s16[h][j] = _mm256_add_epi16(
                            s16[h][j], _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load32(x[j] + 16 + 4 * k))));
                    }
                }
            for (int j = 0; j < T; j++) {
                const __m256i offset = _mm256_set1_epi32(8 * xsum[(int64_t) (t + j) * blocks + b]);
                for (int h = 0; h < H; h++) s[h][j] = _mm256_sub_epi32(_mm256_madd_epi16(s16[h][j], ones), offset);
            }
        }
#endif
        for (int h = 0; h < H; h++) {
            const __m256 dw = _mm256_cvtph_ps(
                _mm_loadu_si128((const __m128i *) (base + blocks * qb + 2 * GROUP * b + 16 * h)));
            for (int j = 0; j < T; j++)
                acc[h][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[h][j]), _mm256_mul_ps(dw, dx[j]), acc[h][j]);
        }
    }
    for (int h = 0; h < H; h++) {
        const int row = GROUP * g0 + 8 * h;
        const int n = row_end - row;
        for (int j = 0; j < T; j++) {
            float *o = out + (int64_t) (t + j) * out_rows + row;
            if (n >= 8) {
                _mm256_storeu_ps(o, acc[h][j]);
            } else {
                float l[8];
                _mm256_storeu_ps(l, acc[h][j]);
                for (int i = 0; i < n; i++) o[i] = l[i];
            }
        }
    }
}
#define DECODE_G 1
#define TILE_G 1
#ifndef TILE_T
#define TILE_T 4
#endif
/* A group's rows: both halves, or the first only where the second is past the end. */
#define GROUP_TILE(g, t, G, T)                                                                                     \
    do {                                                                                                           \
        if (row_end - GROUP * (g) > 8) tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, t, 2, T);      \
        else tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, t, 1, T);                                \
    } while (0)
#endif

/* Bytes of activation quants kept in L2 while a range of rows passes over them. */
#define TOKEN_BLOCK_BYTES (256 * 1024)

INLINE void rows(int q8, const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *xsum,
                 int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    const int blocks = cols / BLOCK;
    const int g_start = row_start / GROUP;
    const int g_end = (row_end + GROUP - 1) / GROUP;
    if (batch == 1) {
        int g = g_start;
#if DECODE_G > 1
        for (; g + DECODE_G <= g_end; g += DECODE_G) tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, 0, DECODE_G, 1);
#endif
        for (; g < g_end; g++) GROUP_TILE(g, 0, 1, 1);
        return;
    }
    /* a tile's weights stay in L1 while a block of tokens passes over them; the block of tokens
       stays in L2 while the rows pass */
    int per_block = TOKEN_BLOCK_BYTES / cols / TILE_T * TILE_T;
    if (per_block < TILE_T) per_block = TILE_T;
    for (int t0 = 0; t0 < batch; t0 += per_block) {
        const int t1 = t0 + per_block < batch ? t0 + per_block : batch;
        int g = g_start;
#if TILE_G > 1
        for (; g + TILE_G <= g_end; g += TILE_G) {
            int t = t0;
            for (; t + TILE_T <= t1; t += TILE_T)
                tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, t, TILE_G, TILE_T);
            for (; t < t1; t++) tile(q8, w, blocks, xb, xs, xsum, out, out_rows, row_end, g, t, TILE_G, 1);
        }
#endif
        for (; g < g_end; g++) {
            int t = t0;
            for (; t + TILE_T <= t1; t += TILE_T) GROUP_TILE(g, t, 1, TILE_T);
#if TILE_T > 4
            for (; t + 4 <= t1; t += 4) GROUP_TILE(g, t, 1, 4);
#endif
            for (; t + 2 <= t1; t += 2) GROUP_TILE(g, t, 1, 2);
            for (; t < t1; t++) GROUP_TILE(g, t, 1, 1);
        }
    }
}

/*
 * out[b * out_rows + r] = W[r] . x[b] for r in [row_start, row_end) and b < batch, W interleaved
 * as above (row_start a multiple of 16), activations packed by sluice_pack_activations.
 */
void NAME(sluice_q8_0_i16)(const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *xsum,
                           int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    rows(1, w, cols, xb, xs, xsum, batch, out, out_rows, row_start, row_end);
}

void NAME(sluice_q4_0_i16)(const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *xsum,
                           int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    rows(0, w, cols, xb, xs, xsum, batch, out, out_rows, row_start, row_end);
}

/*
 * The int16 quants of n elements (n a multiple of 32) as int8 in element order at out, then per
 * block of 32 the int32 sum of its quants at out + n (the quants fit in a byte: no saturation).
 * vpacksswb packs within 128-bit halves; one 64-bit permutation puts the elements back in order.
 */
void NAME(sluice_pack_activations)(const int16_t *xq, int64_t n, int8_t *out) {
    const __m256i ones = _mm256_set1_epi16(1);
    int8_t *sums = out + n;
    for (int64_t i = 0; i < n; i += BLOCK) {
        const __m256i lo = _mm256_loadu_si256((const __m256i *) (xq + i));
        const __m256i hi = _mm256_loadu_si256((const __m256i *) (xq + i + 16));
        _mm256_storeu_si256((__m256i *) (out + i), _mm256_permute4x64_epi64(_mm256_packs_epi16(lo, hi), 0xD8));
        const __m256i pairs = _mm256_add_epi32(_mm256_madd_epi16(lo, ones), _mm256_madd_epi16(hi, ones));
        __m128i four = _mm_add_epi32(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1));
        four = _mm_add_epi32(four, _mm_shuffle_epi32(four, 0x4E));
        four = _mm_add_epi32(four, _mm_shuffle_epi32(four, 0xB1));
        const int32_t sum = _mm_cvtsi128_si32(four);
        memcpy(sums + 4 * (i / BLOCK), &sum, 4);
    }
}
