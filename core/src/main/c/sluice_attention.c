/*
 * The two loops of one query head's attention over an F16 KV cache (core.tensor.HalfAttention
 * holds the algorithm and its reasons; this is the same arithmetic in C, bit for bit): the scores
 * q . k_t, and the weighted sum of the value rows with its accumulator rounded to half precision
 * after every position. The softmax scalars between them (exp, running max and sum) stay in Java,
 * a few per position, so that Math.exp gives them.
 *
 * Compiled once per instruction-set level, as the int8 kernels: the same code, 8-float registers
 * (AVX2 + FMA + F16C), the AVX-512 build with twice the registers and 16-float value columns (a
 * column is its own chain: the width changes no bit). F16C converts halves to floats exactly and
 * floats to halves as HalfRounding rounds them.
 * -ffp-contract=off keeps the compiler from fusing anything of its own.
 *
 * Slots: position t's K and V rows are row slots[t] of the layer's storage (rows of `stride`
 * halves); the head starts `off` halves into the row.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "sluice_level.h"

/* Positions whose dot products run side by side: their lane sums are added as one 8x8 transpose. */
#define POSITIONS 8
/* How many positions ahead a row is fetched: the rows are scattered (paged), so the hardware cannot guess them. */
#define AHEAD 8

/* Asks for the cache lines of halves [0, n) at p. */
INLINE void prefetch_row(const uint16_t *p, int32_t n) {
    for (int32_t i = 0; i < n; i += 32) {
        _mm_prefetch((const char *) (p + i), _MM_HINT_T0);
    }
    _mm_prefetch((const char *) (p + n - 1), _MM_HINT_T0);
}

INLINE __m256 load_halves(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p));
}

INLINE float half_to_float(uint16_t h) {
    return _cvtsh_ss(h);
}

/*
 * x rounded to the nearest half (ties to even, past 65504 infinite), kept as a float: F16C's
 * conversion there and back, which gives HalfRounding's bits for every float.
 */
INLINE __m256 round_half(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

INLINE float round_half_scalar(float x) {
    return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* q . k over columns [from, n) in column order, each product exact in float, added in float. */
INLINE float dot_tail(const float *q, const uint16_t *k, int32_t from, int32_t n, float sum) {
    for (int32_t i = from; i < n; i++) {
        float p = q[i] * half_to_float(k[i]);
        sum += p;
    }
    return sum;
}

/*
 * Lane j of each of the 8 registers, for j = 0..7: t[j] = (r[0][j], ..., r[7][j]), so that adding
 * the t[j] in order adds each position's lanes in lane order.
 */
INLINE void transpose8(const __m256 r[8], __m256 t[8]) {
    __m256 a0 = _mm256_unpacklo_ps(r[0], r[1]), a1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 a2 = _mm256_unpacklo_ps(r[2], r[3]), a3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 a4 = _mm256_unpacklo_ps(r[4], r[5]), a5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 a6 = _mm256_unpacklo_ps(r[6], r[7]), a7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 b0 = _mm256_shuffle_ps(a0, a2, _MM_SHUFFLE(1, 0, 1, 0)), b1 = _mm256_shuffle_ps(a0, a2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 b2 = _mm256_shuffle_ps(a1, a3, _MM_SHUFFLE(1, 0, 1, 0)), b3 = _mm256_shuffle_ps(a1, a3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 b4 = _mm256_shuffle_ps(a4, a6, _MM_SHUFFLE(1, 0, 1, 0)), b5 = _mm256_shuffle_ps(a4, a6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 b6 = _mm256_shuffle_ps(a5, a7, _MM_SHUFFLE(1, 0, 1, 0)), b7 = _mm256_shuffle_ps(a5, a7, _MM_SHUFFLE(3, 2, 3, 2));
    t[0] = _mm256_permute2f128_ps(b0, b4, 0x20), t[4] = _mm256_permute2f128_ps(b0, b4, 0x31);
    t[1] = _mm256_permute2f128_ps(b1, b5, 0x20), t[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
    t[2] = _mm256_permute2f128_ps(b2, b6, 0x20), t[6] = _mm256_permute2f128_ps(b2, b6, 0x31);
    t[3] = _mm256_permute2f128_ps(b3, b7, 0x20), t[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
}

/* q . K_t over the whole vectors of `lanes` floats, its lanes added in lane order (one position). */
INLINE float lane_dot(const float *q, const uint16_t *k, int32_t whole, int32_t lanes) {
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int32_t i = 0; i < whole; i += lanes) {
        for (int h = 0; h < lanes / 8; h++) {
            acc[h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8 * h), load_halves(k + i + 8 * h), acc[h]);
        }
    }
    float lane[16];
    _mm256_storeu_ps(lane, acc[0]);
    _mm256_storeu_ps(lane + 8, acc[1]);
    float sum = lane[0];
    for (int j = 1; j < lanes; j++) {
        sum += lane[j];
    }
    return sum;
}

/*
 * scores[t] = (q . K_t) * scale for t < len. lanes = 0: the products summed in double in column
 * order (HalfAttention below 32 columns, or where Java has no half vectors). lanes = 8 or 16 (the
 * Java Vector API's preferred width): lane j is one float FMA chain over columns j, j + lanes, ...
 * up to the last whole vector, the lanes then added in lane order, then the tail columns one by one.
 * Eight positions run side by side: their chains overlap, and one transpose lines their lanes up
 * so that eight vector adds do the lane sums of all eight.
 */
void NAME(sluice_half_scores)(const uint16_t *keys, int64_t stride, const int32_t *slots, int32_t len, int64_t off,
                              const float *q, int32_t n, float scale, int32_t lanes, float *scores) {
    if (lanes == 0) {
        for (int32_t t = 0; t < len; t++) {
            const uint16_t *k = keys + (int64_t) slots[t] * stride + off;
            double sum = 0;
            for (int32_t i = 0; i < n; i++) {
                float p = q[i] * half_to_float(k[i]);
                sum += p;
            }
            scores[t] = (float) sum * scale;
        }
        return;
    }
    int32_t whole = n / lanes * lanes;
    int32_t halves = lanes / 8; /* 8-float registers per vector of the Java width */
    int32_t t = 0;
    for (; t + POSITIONS <= len; t += POSITIONS) {
        const uint16_t *k[POSITIONS];
        __m256 acc[2][POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            k[p] = keys + (int64_t) slots[t + p] * stride + off;
            acc[0][p] = _mm256_setzero_ps();
            acc[1][p] = _mm256_setzero_ps();
            if (t + p + AHEAD < len) prefetch_row(keys + (int64_t) slots[t + p + AHEAD] * stride + off, n);
        }
        for (int32_t i = 0; i < whole; i += lanes) {
            for (int h = 0; h < halves; h++) {
                __m256 qv = _mm256_loadu_ps(q + i + 8 * h);
                for (int p = 0; p < POSITIONS; p++) {
                    acc[h][p] = _mm256_fmadd_ps(qv, load_halves(k[p] + i + 8 * h), acc[h][p]);
                }
            }
        }
        __m256 lane[8];
        transpose8(acc[0], lane);
        __m256 sum = lane[0];
        for (int j = 1; j < 8; j++) {
            sum = _mm256_add_ps(sum, lane[j]);
        }
        if (halves == 2) {
            transpose8(acc[1], lane);
            for (int j = 0; j < 8; j++) {
                sum = _mm256_add_ps(sum, lane[j]);
            }
        }
        if (whole == n) {
            _mm256_storeu_ps(scores + t, _mm256_mul_ps(sum, _mm256_set1_ps(scale)));
        } else {
            float s[POSITIONS];
            _mm256_storeu_ps(s, sum);
            for (int p = 0; p < POSITIONS; p++) {
                scores[t + p] = dot_tail(q, k[p], whole, n, s[p]) * scale;
            }
        }
    }
    for (; t < len; t++) {
        const uint16_t *k = keys + (int64_t) slots[t] * stride + off;
        scores[t] = dot_tail(q, k, whole, n, lane_dot(q, k, whole, lanes)) * scale;
    }
}

/* The value columns' vector: 16 floats where the level has AVX-512, else 8. */
#ifdef SLUICE_AVX512_VNNI
#define W 16
typedef __m512 vec;
INLINE vec vec_zero(void) { return _mm512_setzero_ps(); }
INLINE vec vec_set1(float x) { return _mm512_set1_ps(x); }
INLINE vec vec_halves(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p)); }
INLINE vec vec_mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
INLINE vec vec_fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
INLINE vec vec_round_half(vec x) {
    return _mm512_cvtph_ps(_mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
INLINE void vec_store(float *p, vec x) { _mm512_storeu_ps(p, x); }
#else
#define W 8
typedef __m256 vec;
INLINE vec vec_zero(void) { return _mm256_setzero_ps(); }
INLINE vec vec_set1(float x) { return _mm256_set1_ps(x); }
INLINE vec vec_halves(const uint16_t *p) { return load_halves(p); }
INLINE vec vec_mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
INLINE vec vec_fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
INLINE vec vec_round_half(vec x) { return round_half(x); }
INLINE void vec_store(float *p, vec x) { _mm256_storeu_ps(p, x); }
#endif

/* Registers of value columns per pass over the positions. */
#define MAX_REGS 4

/*
 * Columns [from, from + W * regs) of the accumulator over every position, kept in `regs` registers
 * (a constant at each call: always inlined, the loops over r unroll):
 * per position, acc = f16(acc * rescale[t]) where rescale[t] != 1, then acc = f16(fma(v_t, weight[t], acc)).
 * Each column is its own chain, so which columns share a pass changes no bit.
 */
INLINE void value_columns(int regs, const uint16_t *values, int64_t stride, const int32_t *slots, int32_t len,
                          int64_t from, const float *rescale, const float *weight, float *out) {
    vec acc[MAX_REGS];
    for (int r = 0; r < regs; r++) acc[r] = vec_zero();
    for (int32_t t = 0; t < len; t++) {
        if (rescale[t] != 1.0f) {
            vec ms = vec_set1(rescale[t]);
            for (int r = 0; r < regs; r++) acc[r] = vec_round_half(vec_mul(acc[r], ms));
        }
        const uint16_t *v = values + (int64_t) slots[t] * stride + from;
        if (t + AHEAD < len) prefetch_row(values + (int64_t) slots[t + AHEAD] * stride + from, W * regs);
        vec w = vec_set1(weight[t]);
        for (int r = 0; r < regs; r++) acc[r] = vec_round_half(vec_fma(vec_halves(v + W * r), w, acc[r]));
    }
    for (int r = 0; r < regs; r++) vec_store(out + W * r, acc[r]);
}

/*
 * out[i] for i < n: the weighted sum of the value rows, out[i] = f16(fma(V_t[off + i], weight[t],
 * f16(out[i] * rescale[t]))) position by position from 0, the rescale only where it is not 1.
 */
void NAME(sluice_half_values)(const uint16_t *values, int64_t stride, const int32_t *slots, int32_t len, int64_t off,
                              const float *rescale, const float *weight, float *out, int32_t n) {
    int32_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
        value_columns(MAX_REGS, values, stride, slots, len, off + i, rescale, weight, out + i);
    }
    for (; i + W <= n; i += W) {
        value_columns(1, values, stride, slots, len, off + i, rescale, weight, out + i);
    }
    for (; i < n; i++) {
        float acc = 0.0f;
        for (int32_t t = 0; t < len; t++) {
            if (rescale[t] != 1.0f) {
                acc = round_half_scalar(acc * rescale[t]);
            }
            acc = round_half_scalar(fmaf(half_to_float(values[(int64_t) slots[t] * stride + off + i]), weight[t], acc));
        }
        out[i] = acc;
    }
}
