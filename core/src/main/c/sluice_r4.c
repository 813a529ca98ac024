/*
 * Q8_0 and Q4_0 weights repacked at load (sluice_repack.c, "R4") times int8 activations with
 * 8-bit dot products: vpdpbusd (AVX-512 VNNI, AVX-VNNI) or vpmaddubsw + vpmaddwd (AVX2). Compiled
 * once per instruction-set level, as sluice_int8.c.
 *
 * Same bits as the Java path (Int8Kernel) and sluice_int8.c: an 8-bit dot product adds 4
 * neighbouring bytes into each 32-bit lane, and both the repacked weights and the activations
 * (sluice_pack_activations below) put the elements 2j, 2j+1, 2j+16, 2j+17 of a block in lane j's
 * 4 bytes, so lane j ends up with the very integer of the Java kernel's lane j. The integers are
 * exact (no saturation can occur: see each product), and the float work is the Java path's, in
 * its order: one FMA per block with the float product of the two scales, blocks in order, the 8
 * lanes added in lane order (-ffp-contract=off).
 *
 * Repacked layout (per group of 4 rows, blocks in order, groups in order; rows past the matrix's
 * end padded with scale 0 and weight 0):
 *   Q4_0, 72 bytes per group and block: the 4 rows' f16 scales, then 32 bytes for rows 0 and 1
 *        (byte k: row 0's k-th element in lane order in the low nibble, row 1's in the high), then
 *        32 bytes for rows 2 and 3. Nibbles stay unsigned 0..15 (weight + 8): the product then
 *        subtracts 8 x the lane's activation sum (Int8Activations' nibble offsets).
 *   Q8_0, 136 bytes per group and block: the 4 f16 scales, then per row its 32 quants in lane
 *        order, each stored as quant + 128 (unsigned 0..255, the operand vpdpbusd takes unsigned):
 *        the product subtracts 128 x the lane's activation sum (16 x the nibble offset).
 *
 * Activations: int8 quants in lane order (token t at t * cols), block scales (t * blocks + b) and
 * per block the 8 nibble offsets (8 x each lane's quant sum), as Int8Activations holds them.
 */
#include <immintrin.h>
#include <stdint.h>

#ifndef SLUICE_SUFFIX
#error "build.sh defines SLUICE_SUFFIX"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(n) CAT(n, SLUICE_SUFFIX)

#define BLOCK 32
#define GROUP 4
#define Q4_GROUP_BYTES 72
#define Q8_GROUP_BYTES 136
#define INLINE static inline __attribute__((always_inline))

/* The 8 lanes added in lane order, as VectorMath.sumLanes does. */
INLINE float sum_lanes(__m256 v) {
    float l[8];
    _mm256_storeu_ps(l, v);
    return l[0] + l[1] + l[2] + l[3] + l[4] + l[5] + l[6] + l[7];
}

/* The 4 rows' block scales of a group, as floats. */
INLINE __m128 group_scales(const uint8_t *p) {
    return _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *) p));
}

#if defined(SLUICE_AVX512_VNNI)
/*
 * AVX-512: one register holds two rows of a group, one per 256-bit half, each half exactly the 8
 * lanes of the 256-bit kernels. G groups (2G row pairs) x T tokens per tile.
 */
#define MAX_G 2
#define MAX_T 4
INLINE void tile(int q8, const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *offsets,
                 float *out, int32_t out_rows, int32_t row_end, int g0, int t, const int G, const int T) {
    const int blocks = cols / BLOCK;
    const int64_t group_bytes = q8 ? Q8_GROUP_BYTES : Q4_GROUP_BYTES;
    /* Q8_0: registers hold rows 0, 1 and 2, 3 of a group; Q4_0: rows 0, 2 (low nibbles) and 1, 3 (high) */
    const __m512i pair0 = q8 ? _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
                             : _mm512_set_epi32(2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i pair1 = q8 ? _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2)
                             : _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    __m512 acc[2 * MAX_G][MAX_T];
    for (int k = 0; k < 2 * G; k++)
        for (int j = 0; j < T; j++) acc[k][j] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m512i wv[2 * MAX_G];
        __m512 dw[2 * MAX_G];
        for (int g = 0; g < G; g++) {
            const uint8_t *p = w + ((int64_t) (g0 + g) * blocks + b) * group_bytes;
            __m512 d = _mm512_castps128_ps512(group_scales(p));
            dw[2 * g] = _mm512_permutexvar_ps(pair0, d);
            dw[2 * g + 1] = _mm512_permutexvar_ps(pair1, d);
            if (q8) {
                wv[2 * g] = _mm512_loadu_si512(p + 8);
                wv[2 * g + 1] = _mm512_loadu_si512(p + 72);
            } else {
                /* the 64 bytes of rows 0|1 and 2|3: low nibbles give rows 0 and 2, high ones 1 and 3 */
                __m512i v = _mm512_loadu_si512(p + 8);
                wv[2 * g] = _mm512_and_si512(v, low4);
                wv[2 * g + 1] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
            }
        }
        for (int j = 0; j < T; j++) {
            const int64_t tb = (int64_t) (t + j) * blocks + b;
            __m512i x = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) (xb + tb * BLOCK)));
            __m512 dx = _mm512_set1_ps(xs[tb]);
            __m512i off = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *) (offsets + tb * 8)));
            if (q8) off = _mm512_slli_epi32(off, 4); /* 128 x the lane sum: 16 x (8 x the lane sum) */
            /* the products add onto minus the offset: one subtraction per token, not per row pair */
            off = _mm512_sub_epi32(_mm512_setzero_si512(), off);
            for (int k = 0; k < 2 * G; k++) {
                /* unsigned weight (<= 255) x signed quant (|q| <= 127), 4 per lane: no overflow */
                __m512i s = _mm512_dpbusd_epi32(off, wv[k], x);
                acc[k][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw[k], dx), acc[k][j]);
            }
        }
    }
    for (int k = 0; k < 2 * G; k++) {
        /* the rows of register k's two halves (see pair0, pair1) */
        const int g = k / 2, h = k % 2;
        const int lo = 4 * (g0 + g) + (q8 ? 2 * h : h), hi = lo + (q8 ? 1 : 2);
        for (int j = 0; j < T; j++) {
            float *o = out + (int64_t) (t + j) * out_rows;
            if (lo < row_end) o[lo] = sum_lanes(_mm512_castps512_ps256(acc[k][j]));
            if (hi < row_end) o[hi] = sum_lanes(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[k][j]), 1)));
        }
    }
}
#ifndef DECODE_G
#define DECODE_G 2
#endif
#ifndef TILE_G
#define TILE_G 2
#endif
#ifndef TILE_T
#define TILE_T 4
#endif
#else
/*
 * 256 bits: one row per register, a group of 4 rows x T tokens per tile. The products: AVX-VNNI
 * vpdpbusd as above; AVX2 vpmaddubsw (unsigned x signed bytes, pairs added into 16 bits) then
 * vpmaddwd by 1 (pairs into 32 bits). vpmaddubsw saturates, so AVX2 multiplies Q8_0 as |w| x
 * (q with w's sign): at most 2 x 128 x 127 = 32512 per pair, and Q4_0's nibbles at most
 * 2 x 15 x 127; neither reaches 32767.
 */
#define MAX_G 1
#define MAX_T 2
INLINE void tile(int q8, const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *offsets,
                 float *out, int32_t out_rows, int32_t row_end, int g0, int t, const int G, const int T) {
    (void) G;
    const int blocks = cols / BLOCK;
    const int64_t group_bytes = q8 ? Q8_GROUP_BYTES : Q4_GROUP_BYTES;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
#if !defined(SLUICE_AVX_VNNI)
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
#endif
    __m256 acc[GROUP][MAX_T];
    for (int i = 0; i < GROUP; i++)
        for (int j = 0; j < T; j++) acc[i][j] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const uint8_t *p = w + ((int64_t) g0 * blocks + b) * group_bytes;
        __m256i wv[GROUP];
        __m256 dw[GROUP];
        __m256 d = _mm256_castps128_ps256(group_scales(p));
        for (int i = 0; i < GROUP; i++) dw[i] = _mm256_permutevar8x32_ps(d, _mm256_set1_epi32(i));
        if (q8) {
            for (int i = 0; i < GROUP; i++) wv[i] = _mm256_loadu_si256((const __m256i *) (p + 8 + 32 * i));
        } else {
            for (int h = 0; h < 2; h++) {
                __m256i v = _mm256_loadu_si256((const __m256i *) (p + 8 + 32 * h));
                wv[2 * h] = _mm256_and_si256(v, low4);
                wv[2 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            }
        }
#if !defined(SLUICE_AVX_VNNI)
        __m256i aw[GROUP];
        if (q8)
            for (int i = 0; i < GROUP; i++) {
                wv[i] = _mm256_xor_si256(wv[i], bias); /* back to the signed quant */
                aw[i] = _mm256_abs_epi8(wv[i]);        /* -128 gives 0x80: 128 as unsigned */
            }
#endif
        for (int j = 0; j < T; j++) {
            const int64_t tb = (int64_t) (t + j) * blocks + b;
            __m256i x = _mm256_loadu_si256((const __m256i *) (xb + tb * BLOCK));
            __m256 dx = _mm256_set1_ps(xs[tb]);
#if defined(SLUICE_AVX_VNNI)
            __m256i off = _mm256_loadu_si256((const __m256i *) (offsets + tb * 8));
            if (q8) off = _mm256_slli_epi32(off, 4);
            off = _mm256_sub_epi32(_mm256_setzero_si256(), off); /* the products add onto it, as above */
#else
            __m256i off = q8 ? _mm256_setzero_si256() : _mm256_loadu_si256((const __m256i *) (offsets + tb * 8));
#endif
            for (int i = 0; i < GROUP; i++) {
#if defined(SLUICE_AVX_VNNI)
                __m256i s = _mm256_dpbusd_avx_epi32(off, wv[i], x);
#else
                __m256i s = q8 ? _mm256_madd_epi16(_mm256_maddubs_epi16(aw[i], _mm256_sign_epi8(x, wv[i])), ones)
                               : _mm256_madd_epi16(_mm256_maddubs_epi16(wv[i], x), ones);
                s = _mm256_sub_epi32(s, off);
#endif
                acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw[i], dx), acc[i][j]);
            }
        }
    }
    for (int i = 0; i < GROUP; i++) {
        const int r = 4 * g0 + i;
        if (r < row_end)
            for (int j = 0; j < T; j++) out[(int64_t) (t + j) * out_rows + r] = sum_lanes(acc[i][j]);
    }
}
#define DECODE_G 1
#define TILE_G 1
#define TILE_T 2
#endif

/* Bytes of activation quants kept in L2 while a range of rows passes over them. */
#define TOKEN_BLOCK_BYTES (256 * 1024)

INLINE void rows(int q8, const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *offsets,
                 int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    const int g_start = row_start / GROUP;
    const int g_end = (row_end + GROUP - 1) / GROUP;
    if (batch == 1) {
        int g = g_start;
        for (; g + DECODE_G <= g_end; g += DECODE_G)
            tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, 0, DECODE_G, 1);
        for (; g < g_end; g++) tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, 0, 1, 1);
        return;
    }
    /* a tile's weights stay in L1 while a block of tokens passes over them; the block of tokens
       stays in L2 while the rows pass */
    int per_block = TOKEN_BLOCK_BYTES / cols / TILE_T * TILE_T;
    if (per_block < TILE_T) per_block = TILE_T;
    for (int t0 = 0; t0 < batch; t0 += per_block) {
        const int t1 = t0 + per_block < batch ? t0 + per_block : batch;
        int g = g_start;
        for (; g + TILE_G <= g_end; g += TILE_G) {
            int t = t0;
            for (; t + TILE_T <= t1; t += TILE_T)
                tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, t, TILE_G, TILE_T);
            for (; t < t1; t++) tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, t, TILE_G, 1);
        }
        for (; g < g_end; g++) {
            int t = t0;
            for (; t + TILE_T <= t1; t += TILE_T)
                tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, t, 1, TILE_T);
            for (; t < t1; t++) tile(q8, w, cols, xb, xs, offsets, out, out_rows, row_end, g, t, 1, 1);
        }
    }
}

/*
 * out[b * out_rows + r] = W[r] . x[b] for r in [row_start, row_end) and b < batch, W repacked as
 * above (row_start a multiple of 4).
 */
void NAME(sluice_q8_0_r4)(const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *offsets,
                          int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    rows(1, w, cols, xb, xs, offsets, batch, out, out_rows, row_start, row_end);
}

void NAME(sluice_q4_0_r4)(const uint8_t *w, int32_t cols, const int8_t *xb, const float *xs, const int32_t *offsets,
                          int32_t batch, float *out, int32_t out_rows, int32_t row_start, int32_t row_end) {
    rows(0, w, cols, xb, xs, offsets, batch, out, out_rows, row_start, row_end);
}

/*
 * The int16 quants of n elements (n a multiple of 32) as int8 in lane order: per block, byte
 * 4j + m holds element 2j, 2j+1, 2j+16, 2j+17 for m = 0..3. vpacksswb of elements 0..15 and
 * 16..31 puts 0..7 and 16..23 in the low 128 bits (lanes 0..3 need exactly those) and 8..15,
 * 24..31 in the high; one byte shuffle per half then orders them (the quants fit in a byte: no
 * saturation).
 */
void NAME(sluice_pack_activations)(const int16_t *xq, int64_t n, int8_t *out) {
    const __m256i order = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
                                           0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    for (int64_t i = 0; i < n; i += BLOCK) {
        __m256i lo = _mm256_loadu_si256((const __m256i *) (xq + i));
        __m256i hi = _mm256_loadu_si256((const __m256i *) (xq + i + 16));
        _mm256_storeu_si256((__m256i *) (out + i), _mm256_shuffle_epi8(_mm256_packs_epi16(lo, hi), order));
    }
}
