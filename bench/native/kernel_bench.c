/*
 * The native kernels alone, no JVM: the file-layout kernels (sluice_int8.c) against the
 * row-interleaved ones (sluice_interleaved.c) at one level (the flags it is built with), on
 * random Q8_0 and Q4_0 weights of one shape and batch. Prints per type the least thread CPU time
 * of REPS calls each, in ns per block of 32 weights and token, and whether the interleaved kernel
 * gave the bits of a scalar reference of the block-total order and of the file-layout kernel
 * (both must, but for Q4_0 with rows % 8 != 0, which the file layout takes in llama.cpp's vec_dot
 * order). Built and run by bench/native-layouts.sh.
 *
 *   kernel_bench ROWS COLS BATCH [REPS]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
void sluice_q8_0_rows_x(const uint8_t *, int64_t, int32_t, const int16_t *, const float *, const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);
void sluice_q4_0_rows_x(const uint8_t *, int64_t, int32_t, const int16_t *, const float *, const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);
void sluice_q8_0_i16_x(const uint8_t *, int32_t, const int8_t *, const float *, const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);
void sluice_q4_0_i16_x(const uint8_t *, int32_t, const int8_t *, const float *, const int32_t *, int32_t, float *, int32_t, int32_t, int32_t);
void sluice_pack_activations_x(const int16_t *, int64_t, int8_t *);
int64_t sluice_i16_bytes(int32_t, int32_t, int32_t);
void sluice_i16_repack(int32_t, const uint8_t *, int64_t, int32_t, int32_t, uint8_t *);
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
/* IEEE half to float (normal and subnormal numbers; the bench writes no infinities or NaNs) */
static float half(const uint8_t *p) {
  uint16_t h = (uint16_t) (p[0] | p[1] << 8);
  float m = (float) (h & 0x3ff), v = (h >> 10 & 0x1f) ? ldexpf(1024 + m, (h >> 10 & 0x1f) - 25) : ldexpf(m, -24);
  return h & 0x8000 ? -v : v;
}
/* The block-total order, one output at a time (the definition the kernels must meet bit for bit) */
static void reference(int q8, const uint8_t *w, int64_t rb, int rows, int cols, const int16_t *xq, const float *xs, int batch, float *out) {
  int blocks = cols / 32, stride = q8 ? 34 : 18;
  for (int t = 0; t < batch; t++)
    for (int r = 0; r < rows; r++) {
      float acc = 0;
      for (int b = 0; b < blocks; b++) {
        const uint8_t *blk = w + r * rb + (int64_t) b * stride;
        const int16_t *x = xq + (int64_t) t * cols + 32 * b;
        int32_t total = 0;
        for (int k = 0; k < 32; k++) {
          int wk = q8 ? (int8_t) blk[2 + k] : (k < 16 ? blk[2 + k] & 15 : blk[2 + k - 16] >> 4) - 8;
          total += wk * x[k];
        }
        float s = half(blk) * xs[(int64_t) t * blocks + b];
        acc = fmaf((float) total, s, acc);
      }
      out[(int64_t) t * rows + r] = acc;
    }
}
int main(int argc, char **argv) {
  int rows = atoi(argv[1]), cols = atoi(argv[2]), batch = atoi(argv[3]), reps = argc > 4 ? atoi(argv[4]) : 50;
  int blocks = cols / 32;
  for (int q8 = 1; q8 >= 0; q8--) {
    int stride = q8 ? 34 : 18;
    int64_t rb = (int64_t) blocks * stride;
    uint8_t *w = aligned_alloc(64, rb * rows + 64);
    for (int64_t i = 0; i < rb * rows; i++) w[i] = rand();
    for (int r = 0; r < rows; r++) for (int b = 0; b < blocks; b++) { uint16_t h = 0x2000 + (rand() & 0x3ff); memcpy(w + r * rb + b * stride, &h, 2); }
    uint8_t *rp = aligned_alloc(64, (sluice_i16_bytes(q8, rows, cols) + 63) / 64 * 64);
    sluice_i16_repack(q8, w, rb, rows, cols, rp);
    int16_t *xq = malloc(2L * batch * cols); int8_t *xb = malloc((long) batch * cols + 4L * batch * blocks);
    float *xs = malloc(4L * batch * blocks); int32_t *off = malloc(32L * batch * blocks);
    for (long i = 0; i < (long) batch * cols; i++) xq[i] = (rand() % 255) - 127;
    for (long i = 0; i < (long) batch * blocks; i++) xs[i] = ldexpf(1 + (rand() & 1023) / 1024.0f, -(rand() % 8));
    for (long tb = 0; tb < (long) batch * blocks; tb++) for (int j = 0; j < 8; j++) { int16_t *x = xq + tb * 32; off[tb * 8 + j] = 8 * (x[2*j] + x[2*j+1] + x[2*j+16] + x[2*j+17]); }
    sluice_pack_activations_x(xq, (long) batch * cols, xb);
    float *o1 = malloc(4L * batch * rows), *o2 = malloc(4L * batch * rows), *o3 = malloc(4L * batch * rows);
    double best[2] = {1e30, 1e30};
    for (int k = 0; k < reps; k++) {
      double t0 = now();
      (q8 ? sluice_q8_0_rows_x : sluice_q4_0_rows_x)(w, rb, cols, xq, xs, off, batch, o1, rows, 0, rows);
      double t1 = now();
      (q8 ? sluice_q8_0_i16_x : sluice_q4_0_i16_x)(rp, cols, xb, xs, (const int32_t *) (xb + (long) batch * cols), batch, o2, rows, 0, rows);
      double t2 = now();
      if (t1 - t0 < best[0]) best[0] = t1 - t0;
      if (t2 - t1 < best[1]) best[1] = t2 - t1;
    }
    reference(q8, w, rb, rows, cols, xq, xs, batch, o3);
    /* Q4_0 with rows % 8 != 0: the file-layout kernel takes llama.cpp's vec_dot order there (as the
       engine routes such matrices), so only the reference is the interleaved kernel's yardstick */
    int ref = memcmp(o2, o3, 4L * batch * rows) == 0, file = memcmp(o1, o2, 4L * batch * rows) == 0;
    int vec_dot = !q8 && rows % 8 != 0;
    double nb = (double) rows * blocks * batch;
    printf("%s %dx%d batch %d: file %.3f ns/blk, interleaved %.3f ns/blk (%.2fx) %s, %s\n", q8 ? "Q8_0" : "Q4_0", rows, cols, batch,
           best[0] / nb, best[1] / nb, best[0] / best[1], ref ? "reference bits" : "NOT THE REFERENCE",
           vec_dot ? "file layout in vec_dot order" : file ? "file-layout bits" : "NOT THE FILE LAYOUT'S BITS");
    free(w); free(rp); free(xq); free(xb); free(xs); free(off); free(o1); free(o2); free(o3);
  }
}
