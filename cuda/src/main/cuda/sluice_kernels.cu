// Sluice's CUDA kernels: one translation unit, compiled by build.sh into one fatbin (sm_80, sm_90 and
// compute_90 PTX) that the Java side loads with cuModuleLoadData and launches through cuLaunchKernel.
//
// Conventions (the Java side, ai.sluice.cuda.CudaKernels, validates every argument before a launch):
//  - Activations are float32, row-major: row r of a [rows x cols] matrix at r * cols.
//  - Weights are [rows x cols] with cols contiguous. F16 rows are GGUF's bytes as they are. Q8_0 and
//    Q4_0 are repacked once at load (sluice_repack_*) from GGUF's interleaved 34/18-byte blocks into
//    two planes, so that every 16-byte load is aligned: quants [rows][cols] (Q8_0, int8) or
//    [rows][cols/2] (Q4_0, each block's 16 bytes kept as GGUF orders them: byte j holds element j in
//    its low nibble and j+16 in its high nibble), then the scales [rows][cols/32] as f16.
//  - Matrix-vector products quantize x first (sluice_quantize_q8): per block of 32, d = max|x|/127
//    rounded to f16 and q = rint(x * 127/max|x|), as core's Int8Activations (and llama.cpp) do, and
//    multiply int8 by int8 with dp4a; the block sums are exact integers.
//  - Everything is 32-bit indexable per row; whole tensors may exceed 2^31 elements, so offsets that
//    span rows are size_t.
#include <cuda_fp16.h>
#include <stdint.h>

#define WARP 32
#define QBLOCK 32

// --------------------------------------------------------------------------------------------------
// small helpers

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ int dot_s8x16(uint4 a, uint4 b, int acc) {
    acc = __dp4a((int) a.x, (int) b.x, acc);
    acc = __dp4a((int) a.y, (int) b.y, acc);
    acc = __dp4a((int) a.z, (int) b.z, acc);
    acc = __dp4a((int) a.w, (int) b.w, acc);
    return acc;
}

// --------------------------------------------------------------------------------------------------
// element-wise and row kernels

// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w; the sum of squares in double, as core's ForwardPass.
// One block per row. In place (out == x) is allowed: each element is read before it is written.
extern "C" __global__ void sluice_rms_norm(float* out, const float* x, const float* w, int dim, float eps) {
    const float* xr = x + (size_t) blockIdx.x * dim;
    float* outr = out + (size_t) blockIdx.x * dim;
    double ss = 0;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        float v = xr[i];
        ss += (double) (v * v);
    }
    __shared__ double partial[32];
    ss = warp_sum_d(ss);
    int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    if (lane == 0) partial[warp] = ss;
    __syncthreads();
    if (warp == 0) {
        double t = lane < (int) (blockDim.x / WARP) ? partial[lane] : 0.0;
        t = warp_sum_d(t);
        if (lane == 0) partial[0] = t;
    }
    __syncthreads();
    float mean = (float) (partial[0] / dim);
    float scale = 1.0f / sqrtf(mean + eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) outr[i] = xr[i] * scale * w[i];
}

// Rotary embedding of `heads` heads of width headDim in each row, row r at positions[r]. Pair i of
// ropeDims/2 turns by theta = position * invFreq[i] (computed in double, like core's Rope); NORMAL
// pairs are (2i, 2i+1), NEOX pairs (i, i + ropeDims/2). Elements past ropeDims stay.
// Grid: rows; threads over (head, pair).
extern "C" __global__ void sluice_rope(float* x, const int* positions, const double* invFreq, int heads,
                                       int headDim, int ropeDims, int neox) {
    int half = ropeDims / 2;
    float* row = x + (size_t) blockIdx.x * heads * headDim;
    double pos = (double) positions[blockIdx.x];
    for (int t = threadIdx.x; t < heads * half; t += blockDim.x) {
        int h = t / half, i = t % half;
        double s, c;
        sincos(pos * invFreq[i], &s, &c);
        float cs = (float) c, sn = (float) s;
        int a = neox ? i : 2 * i;
        int b = neox ? i + half : 2 * i + 1;
        float* base = row + h * headDim;
        float x0 = base[a], x1 = base[b];
        base[a] = x0 * cs - x1 * sn;
        base[b] = x0 * sn + x1 * cs;
    }
}

// out[i] = silu(gate[i]) * up[i] = gate / (1 + exp(-gate)) * up. out may alias gate.
extern "C" __global__ void sluice_swiglu(float* out, const float* gate, const float* up, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

// x[i] += y[i] (the residual connection).
extern "C" __global__ void sluice_add(float* x, const float* y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        x[i] += y[i];
    }
}

// x[r][i] += bias[i] for rows x width (projection biases).
extern "C" __global__ void sluice_add_rows(float* x, const float* bias, int width, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        x[i] += bias[i % width];
    }
}

// out[r] = row tokens[r] of a weight in the kernels' own (prepared) layout: F32/F16 rows, or the
// Q8_0/Q4_0 quant and scale planes (see the top). Grid: rows.
extern "C" __global__ void sluice_embed_prepared(float* out, const unsigned char* wq, const __half* wd,
                                                 const int* tokens, int cols, int ggmlType) {
    size_t row = (size_t) tokens[blockIdx.x];
    float* o = out + (size_t) blockIdx.x * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        size_t at = row * cols + i;
        float v;
        if (ggmlType == 0) {
            v = ((const float*) wq)[at];
        } else if (ggmlType == 1) {
            v = __half2float(((const __half*) wq)[at]);
        } else if (ggmlType == 8) {
            v = (float) ((const signed char*) wq)[at] * __half2float(wd[at / QBLOCK]);
        } else {  // Q4_0: byte j of a block holds elements j (low nibble) and j + 16 (high)
            int j = i % QBLOCK;
            unsigned char b = wq[(at / QBLOCK) * 16 + (j & 15)];
            int q = j < 16 ? (b & 0x0F) : (b >> 4);
            v = (float) (q - 8) * __half2float(wd[at / QBLOCK]);
        }
        o[i] = v;
    }
}

// out[r] = dequantized row tokens[r] of a table in GGUF's own layout. ggmlType: 0 F32, 1 F16, 2 Q4_0,
// 8 Q8_0 (GGUF's numbers). rowBytes is the table's row stride. Grid: rows.
extern "C" __global__ void sluice_embed_rows(float* out, const unsigned char* table, const int* tokens, int cols,
                                             long long rowBytes, int ggmlType) {
    const unsigned char* row = table + (size_t) tokens[blockIdx.x] * rowBytes;
    float* o = out + (size_t) blockIdx.x * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        float v;
        if (ggmlType == 0) {
            v = ((const float*) row)[i];
        } else if (ggmlType == 1) {
            v = __half2float(((const __half*) row)[i]);
        } else if (ggmlType == 8) {
            const unsigned char* blk = row + (i / QBLOCK) * 34;
            float d = __half2float(*(const __half*) blk);   // 2-byte aligned: 34-byte blocks
            v = (float) (signed char) blk[2 + i % QBLOCK] * d;
        } else {  // Q4_0
            const unsigned char* blk = row + (i / QBLOCK) * 18;
            float d = __half2float(*(const __half*) blk);
            int j = i % QBLOCK;
            int q = j < 16 ? (blk[2 + j] & 0x0F) : (blk[2 + j - 16] >> 4);
            v = (float) (q - 8) * d;
        }
        o[i] = v;
    }
}

// --------------------------------------------------------------------------------------------------
// weight repacking (once per weight, at load): GGUF blocks -> quant plane + scale plane

extern "C" __global__ void sluice_repack_q8_0(unsigned char* quants, __half* scales, const unsigned char* raw,
                                              long long blocks) {
    for (long long b = blockIdx.x * (long long) blockDim.x + threadIdx.x; b < blocks;
         b += (long long) gridDim.x * blockDim.x) {
        const unsigned char* src = raw + b * 34;
        scales[b] = __ushort_as_half((unsigned short) (src[0] | (src[1] << 8)));
        for (int j = 0; j < 32; j++) quants[b * 32 + j] = src[2 + j];
    }
}

extern "C" __global__ void sluice_repack_q4_0(unsigned char* quants, __half* scales, const unsigned char* raw,
                                              long long blocks) {
    for (long long b = blockIdx.x * (long long) blockDim.x + threadIdx.x; b < blocks;
         b += (long long) gridDim.x * blockDim.x) {
        const unsigned char* src = raw + b * 18;
        scales[b] = __ushort_as_half((unsigned short) (src[0] | (src[1] << 8)));
        for (int j = 0; j < 16; j++) quants[b * 16 + j] = src[2 + j];
    }
}

// --------------------------------------------------------------------------------------------------
// activation quantization for the int8 matrix-vector products: one warp per block of 32

extern "C" __global__ void sluice_quantize_q8(signed char* quants, float* scales, const float* x, long long blocks) {
    long long warps = (long long) gridDim.x * (blockDim.x / WARP);
    int lane = threadIdx.x % WARP;
    for (long long b = blockIdx.x * (long long) (blockDim.x / WARP) + threadIdx.x / WARP; b < blocks; b += warps) {
        float v = x[b * QBLOCK + lane];
        float amax = warp_max(fabsf(v));
        float inverse = amax != 0.0f ? __fdiv_rn(127.0f, amax) : 0.0f;
        quants[b * QBLOCK + lane] = (signed char) __float2int_rn(__fmul_rn(v, inverse));
        if (lane == 0) scales[b] = __half2float(__float2half_rn(__fdiv_rn(amax, 127.0f)));
    }
}

// --------------------------------------------------------------------------------------------------
// matrix-vector products (decode): out[r] = W[r] . x, one warp per row. Each lane loads 16 bytes of
// the row at a time, the warp's loads side by side (512 contiguous bytes), UNROLL loads in flight
// before the first use. Grid: (ceil(rows / warps per block), gridDim.y), output y at out + y * rows:
//  - batched = 0: y picks one of gridDim.y same-shaped matrices stored one after the other, all times the
//    same x (the bandwidth benchmark's rotating copies in one launch; gate and up of a layer);
//  - batched = 1: y picks entry y of a batch of x (rows of cols), all times the one matrix. Each output
//    is computed the same way whatever the batch (batch invariant); the weights are read once per
//    entry, from L2 when the batch is small.

#define MV_UNROLL 4

// acc + the 8 halves of wv times x0, x1, one FMA each in element order (the same order in the
// unrolled loop and its tail).
__device__ __forceinline__ float dot_f16x8(uint4 wv, float4 x0, float4 x1, float acc) {
    const __half2* h = (const __half2*) &wv;
    float2 f0 = __half22float2(h[0]), f1 = __half22float2(h[1]);
    float2 f2 = __half22float2(h[2]), f3 = __half22float2(h[3]);
    acc = fmaf(f0.x, x0.x, acc); acc = fmaf(f0.y, x0.y, acc);
    acc = fmaf(f1.x, x0.z, acc); acc = fmaf(f1.y, x0.w, acc);
    acc = fmaf(f2.x, x1.x, acc); acc = fmaf(f2.y, x1.y, acc);
    acc = fmaf(f3.x, x1.z, acc); acc = fmaf(f3.y, x1.w, acc);
    return acc;
}

// F16 weights, float x: 16 bytes = 8 weights, against two float4 of x.
extern "C" __global__ void sluice_matvec_f16(float* out, const __half* w, const float* x, int rows, int cols,
                                             int batched) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int lane = threadIdx.x % WARP;
    if (row >= rows) return;
    if (batched) x += (size_t) blockIdx.y * cols;
    else w += (size_t) blockIdx.y * rows * cols;
    out += (size_t) blockIdx.y * rows;
    const uint4* wr = (const uint4*) (w + (size_t) row * cols);
    const float4* xv = (const float4*) x;
    int chunks = cols / 8;
    float acc = 0.0f;
    int c = lane;
    for (; c + (MV_UNROLL - 1) * WARP < chunks; c += MV_UNROLL * WARP) {
        uint4 wv[MV_UNROLL];
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) wv[u] = __ldg(wr + c + u * WARP);
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) {
            int k = c + u * WARP;
            float4 x0 = __ldg(xv + 2 * k), x1 = __ldg(xv + 2 * k + 1);
            acc = dot_f16x8(wv[u], x0, x1, acc);
        }
    }
    for (; c < chunks; c += WARP) {
        uint4 wv = __ldg(wr + c);
        float4 x0 = __ldg(xv + 2 * c), x1 = __ldg(xv + 2 * c + 1);
        acc = dot_f16x8(wv, x0, x1, acc);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

// Q8_0 weights (repacked), x quantized: a 16-byte chunk is half a block; 4 dp4a against the same 16
// bytes of x's quants, then the exact integer sum times both scales.
extern "C" __global__ void sluice_matvec_q8_0(float* out, const signed char* wq, const __half* wd,
                                              const signed char* xq, const float* xd, int rows, int cols,
                                              int batched) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int lane = threadIdx.x % WARP;
    if (row >= rows) return;
    if (batched) {
        xq += (size_t) blockIdx.y * cols;
        xd += (size_t) blockIdx.y * (cols / QBLOCK);
    } else {
        wq += (size_t) blockIdx.y * rows * cols;
        wd += (size_t) blockIdx.y * rows * (cols / QBLOCK);
    }
    out += (size_t) blockIdx.y * rows;
    const uint4* wr = (const uint4*) (wq + (size_t) row * cols);
    const __half* dr = wd + (size_t) row * (cols / QBLOCK);
    const uint4* xv = (const uint4*) xq;
    int chunks = cols / 16;
    float acc = 0.0f;
    int c = lane;
    for (; c + (MV_UNROLL - 1) * WARP < chunks; c += MV_UNROLL * WARP) {
        uint4 wv[MV_UNROLL];
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) wv[u] = __ldg(wr + c + u * WARP);
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) {
            int k = c + u * WARP;
            int s = dot_s8x16(wv[u], __ldg(xv + k), 0);
            acc = fmaf((float) s, __half2float(dr[k / 2]) * __ldg(xd + k / 2), acc);
        }
    }
    for (; c < chunks; c += WARP) {
        int s = dot_s8x16(__ldg(wr + c), __ldg(xv + c), 0);
        acc = fmaf((float) s, __half2float(dr[c / 2]) * __ldg(xd + c / 2), acc);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

// Q4_0 weights (repacked), x quantized: a 16-byte chunk is a whole block. Low nibbles are elements
// 0..15, high nibbles 16..31, both as 0..15 (code + 8): sum((q - 8) * x) = sum(q * x) - 8 * sum(x).
__device__ __forceinline__ int dot_q4_block(uint4 w, uint4 xlo, uint4 xhi) {
    const int lo = 0x0F0F0F0F;
    int s = 0;
    s = __dp4a((int) (w.x & lo), (int) xlo.x, s);
    s = __dp4a((int) (w.y & lo), (int) xlo.y, s);
    s = __dp4a((int) (w.z & lo), (int) xlo.z, s);
    s = __dp4a((int) (w.w & lo), (int) xlo.w, s);
    s = __dp4a((int) ((w.x >> 4) & lo), (int) xhi.x, s);
    s = __dp4a((int) ((w.y >> 4) & lo), (int) xhi.y, s);
    s = __dp4a((int) ((w.z >> 4) & lo), (int) xhi.z, s);
    s = __dp4a((int) ((w.w >> 4) & lo), (int) xhi.w, s);
    int sx = 0;
    const int ones = 0x01010101;
    sx = __dp4a(ones, (int) xlo.x, sx); sx = __dp4a(ones, (int) xlo.y, sx);
    sx = __dp4a(ones, (int) xlo.z, sx); sx = __dp4a(ones, (int) xlo.w, sx);
    sx = __dp4a(ones, (int) xhi.x, sx); sx = __dp4a(ones, (int) xhi.y, sx);
    sx = __dp4a(ones, (int) xhi.z, sx); sx = __dp4a(ones, (int) xhi.w, sx);
    return s - 8 * sx;
}

extern "C" __global__ void sluice_matvec_q4_0(float* out, const unsigned char* wq, const __half* wd,
                                              const signed char* xq, const float* xd, int rows, int cols,
                                              int batched) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    int lane = threadIdx.x % WARP;
    if (row >= rows) return;
    if (batched) {
        xq += (size_t) blockIdx.y * cols;
        xd += (size_t) blockIdx.y * (cols / QBLOCK);
    } else {
        wq += (size_t) blockIdx.y * rows * (cols / 2);
        wd += (size_t) blockIdx.y * rows * (cols / QBLOCK);
    }
    out += (size_t) blockIdx.y * rows;
    const uint4* wr = (const uint4*) (wq + (size_t) row * (cols / 2));
    const __half* dr = wd + (size_t) row * (cols / QBLOCK);
    const uint4* xv = (const uint4*) xq;
    int chunks = cols / QBLOCK;
    float acc = 0.0f;
    int c = lane;
    for (; c + (MV_UNROLL - 1) * WARP < chunks; c += MV_UNROLL * WARP) {
        uint4 wv[MV_UNROLL];
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) wv[u] = __ldg(wr + c + u * WARP);
#pragma unroll
        for (int u = 0; u < MV_UNROLL; u++) {
            int k = c + u * WARP;
            int s = dot_q4_block(wv[u], __ldg(xv + 2 * k), __ldg(xv + 2 * k + 1));
            acc = fmaf((float) s, __half2float(dr[k]) * __ldg(xd + k), acc);
        }
    }
    for (; c < chunks; c += WARP) {
        int s = dot_q4_block(__ldg(wr + c), __ldg(xv + 2 * c), __ldg(xv + 2 * c + 1));
        acc = fmaf((float) s, __half2float(dr[c]) * __ldg(xd + c), acc);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

// --------------------------------------------------------------------------------------------------
// tiled matrix-matrix product (prefill, batched decode): out[b][r] = W[r] . x[b] for b < batch, in
// float32 with the weights dequantized into shared memory. Tiles of 64 weight rows x 64 batch rows,
// k-steps of 32 (one quant block); 256 threads, each 4 x 4 outputs. Grid: (ceil(rows/64), ceil(batch/64)).
// ggmlType: 0 F32 and 1 F16 (rows as GGUF has them, any length), 8 Q8_0 and 2 Q4_0 (repacked planes,
// see the top). Each output sums its products in k order whatever the batch: batch invariant.

#define MM_T 64
#define MM_K 32

extern "C" __global__ void __launch_bounds__(256) sluice_matmul(float* out, const unsigned char* wq,
                                                                const __half* wd, const float* x, int rows,
                                                                int cols, int batch, int ggmlType) {
    __shared__ float ws[MM_K][MM_T + 4];
    __shared__ float xs[MM_K][MM_T + 4];
    int t = threadIdx.x;
    int r0 = blockIdx.x * MM_T, b0 = blockIdx.y * MM_T;
    int tr = t / 16, tb = t % 16;  // this thread's 4 x 4 outputs: rows r0 + tr*4.., entries b0 + tb*4..
    float acc[4][4] = {};
    int lr = t / 4, part = t % 4;  // loader: one tile row, a quarter of its 32 k-columns
    int blocksPerRow = cols / QBLOCK;
    bool aligned = cols % MM_K == 0;  // quantized types always are; F32/F16 rows may not be (an FFN of 172)
    for (int k0 = 0; k0 < cols; k0 += MM_K) {
        // weights: 8 consecutive k of row r0 + lr
        float wv[8];
        int r = r0 + lr;
        if (r < rows) {
            if (ggmlType <= 1 && !aligned) {  // F32/F16 rows whose length is no multiple of 32: element by element
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    int k = k0 + part * 8 + j;
                    size_t at = (size_t) r * cols + k;
                    wv[j] = k >= cols ? 0.0f
                            : ggmlType == 0 ? ((const float*) wq)[at] : __half2float(((const __half*) wq)[at]);
                }
            } else if (ggmlType == 0) {
                const float4* p = (const float4*) ((const float*) wq + (size_t) r * cols + k0 + part * 8);
                float4 a = p[0], c = p[1];
                wv[0] = a.x; wv[1] = a.y; wv[2] = a.z; wv[3] = a.w;
                wv[4] = c.x; wv[5] = c.y; wv[6] = c.z; wv[7] = c.w;
            } else if (ggmlType == 1) {
                uint4 raw = *(const uint4*) ((const __half*) wq + (size_t) r * cols + k0 + part * 8);
                const __half2* h = (const __half2*) &raw;
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    float2 f = __half22float2(h[j]);
                    wv[2 * j] = f.x; wv[2 * j + 1] = f.y;
                }
            } else if (ggmlType == 8) {
                float d = __half2float(wd[(size_t) r * blocksPerRow + k0 / QBLOCK]);
                uint2 raw = *(const uint2*) (wq + (size_t) r * cols + k0 + part * 8);
                const signed char* q = (const signed char*) &raw;
#pragma unroll
                for (int j = 0; j < 8; j++) wv[j] = (float) q[j] * d;
            } else {  // Q4_0: k0..k0+31 is one block; part p covers elements 8p..8p+7
                float d = __half2float(wd[(size_t) r * blocksPerRow + k0 / QBLOCK]);
                const unsigned char* blk = wq + (size_t) r * (cols / 2) + k0 / 2;
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    int e = part * 8 + j;
                    int q = e < 16 ? (blk[e] & 0x0F) : (blk[e - 16] >> 4);
                    wv[j] = (float) (q - 8) * d;
                }
            }
        } else {
#pragma unroll
            for (int j = 0; j < 8; j++) wv[j] = 0.0f;
        }
#pragma unroll
        for (int j = 0; j < 8; j++) ws[part * 8 + j][lr] = wv[j];
        // activations: 8 consecutive k of entry b0 + lr
        int b = b0 + lr;
        if (b < batch && !aligned) {
#pragma unroll
            for (int j = 0; j < 8; j++) {
                int k = k0 + part * 8 + j;
                xs[part * 8 + j][lr] = k < cols ? x[(size_t) b * cols + k] : 0.0f;
            }
        } else if (b < batch) {
            const float4* xp = (const float4*) (x + (size_t) b * cols + k0 + part * 8);
            float4 a = xp[0], c = xp[1];
            xs[part * 8 + 0][lr] = a.x; xs[part * 8 + 1][lr] = a.y;
            xs[part * 8 + 2][lr] = a.z; xs[part * 8 + 3][lr] = a.w;
            xs[part * 8 + 4][lr] = c.x; xs[part * 8 + 5][lr] = c.y;
            xs[part * 8 + 6][lr] = c.z; xs[part * 8 + 7][lr] = c.w;
        } else {
#pragma unroll
            for (int j = 0; j < 8; j++) xs[part * 8 + j][lr] = 0.0f;
        }
        __syncthreads();
#pragma unroll 8
        for (int k = 0; k < MM_K; k++) {
            float a[4], c[4];
#pragma unroll
            for (int i = 0; i < 4; i++) { a[i] = ws[k][tr * 4 + i]; c[i] = xs[k][tb * 4 + i]; }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], c[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int b = b0 + tb * 4 + j;
        if (b >= batch) continue;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int r = r0 + tr * 4 + i;
            if (r < rows) out[(size_t) b * rows + r] = acc[i][j];
        }
    }
}

// --------------------------------------------------------------------------------------------------
// KV cache: one layer's K and V storage, slots x keyDim and slots x valueDim, F32 (kvF16 = 0) or F16.

// Writes entry e's K and V rows to slot slots[e]. Grid: entries.
extern "C" __global__ void sluice_kv_write(void* keys, void* values, const float* k, const float* v,
                                           const int* slots, int keyDim, int valueDim, int kvF16) {
    size_t slot = (size_t) slots[blockIdx.x];
    const float* kr = k + (size_t) blockIdx.x * keyDim;
    const float* vr = v + (size_t) blockIdx.x * valueDim;
    for (int i = threadIdx.x; i < keyDim; i += blockDim.x) {
        if (kvF16) ((__half*) keys)[slot * keyDim + i] = __float2half_rn(kr[i]);
        else ((float*) keys)[slot * keyDim + i] = kr[i];
    }
    for (int i = threadIdx.x; i < valueDim; i += blockDim.x) {
        if (kvF16) ((__half*) values)[slot * valueDim + i] = __float2half_rn(vr[i]);
        else ((float*) values)[slot * valueDim + i] = vr[i];
    }
}

__device__ __forceinline__ float kv_load(const void* base, size_t index, int kvF16) {
    return kvF16 ? __half2float(((const __half*) base)[index]) : ((const float*) base)[index];
}

// Causal attention of every (entry, head) over positions 0..positions[e] of the entry's own sequence:
// position p lives in slot blockTables[tableStart[e] + p / blockSize] * blockSize + p % blockSize
// (the engine's paged cache; blockSize 1 makes the table a plain slot list). Each of the 4 warps
// walks every 4th position with an online softmax (running max, running sum, running output); the
// warps' partial results are merged at the end. Head widths up to 256 (8 elements per lane).
// out[e][h * valueHeadDim ..]; q[e][h * headDim ..]. Grid: (heads, entries), 128 threads.
#define ATT_WARPS 4
#define ATT_PER_LANE 8

extern "C" __global__ void __launch_bounds__(ATT_WARPS * WARP) sluice_attention(
        float* out, const float* q, const void* keys, const void* values, const int* positions,
        const int* blockTables, const int* tableStart, int blockSize, int heads, int kvHeads, int headDim,
        int valueHeadDim, float scale, int kvF16) {
    int h = blockIdx.x, e = blockIdx.y;
    int warp = threadIdx.x / WARP, lane = threadIdx.x % WARP;
    int kvHead = h / (heads / kvHeads);
    int keyDim = kvHeads * headDim, valueDim = kvHeads * valueHeadDim;
    const float* qh = q + (size_t) e * heads * headDim + (size_t) h * headDim;
    float qr[ATT_PER_LANE];
#pragma unroll
    for (int j = 0; j < ATT_PER_LANE; j++) {
        int i = lane + j * WARP;
        qr[j] = i < headDim ? qh[i] : 0.0f;
    }
    const int* table = blockTables + tableStart[e];
    int len = positions[e] + 1;
    float m = -INFINITY, l = 0.0f;
    float o[ATT_PER_LANE];
#pragma unroll
    for (int j = 0; j < ATT_PER_LANE; j++) o[j] = 0.0f;
    for (int p = warp; p < len; p += ATT_WARPS) {
        size_t slot = (size_t) table[p / blockSize] * blockSize + p % blockSize;
        size_t kb = slot * keyDim + (size_t) kvHead * headDim;
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < ATT_PER_LANE; j++) {
            int i = lane + j * WARP;
            if (i < headDim) s = fmaf(qr[j], kv_load(keys, kb + i, kvF16), s);
        }
        s = warp_sum(s) * scale;
        float mNew = fmaxf(m, s);
        float correction = expf(m - mNew);  // exp(-inf) = 0 on the first position
        float pw = expf(s - mNew);
        l = l * correction + pw;
        size_t vb = slot * valueDim + (size_t) kvHead * valueHeadDim;
#pragma unroll
        for (int j = 0; j < ATT_PER_LANE; j++) {
            int i = lane + j * WARP;
            float v = i < valueHeadDim ? kv_load(values, vb + i, kvF16) : 0.0f;
            o[j] = fmaf(pw, v, o[j] * correction);
        }
        m = mNew;
    }
    __shared__ float sm[ATT_WARPS], sl[ATT_WARPS];
    __shared__ float so[ATT_WARPS][ATT_PER_LANE * WARP];
    if (lane == 0) { sm[warp] = m; sl[warp] = l; }
#pragma unroll
    for (int j = 0; j < ATT_PER_LANE; j++) so[warp][lane + j * WARP] = o[j];
    __syncthreads();
    if (warp == 0) {
        float mAll = -INFINITY;
        for (int w = 0; w < ATT_WARPS; w++) mAll = fmaxf(mAll, sm[w]);
        float lAll = 0.0f;
        float f[ATT_WARPS];
        for (int w = 0; w < ATT_WARPS; w++) {
            f[w] = sm[w] == -INFINITY ? 0.0f : expf(sm[w] - mAll);  // a warp with no positions adds nothing
            lAll += sl[w] * f[w];
        }
        float inv = 1.0f / lAll;
        float* oh = out + (size_t) e * heads * valueHeadDim + (size_t) h * valueHeadDim;
#pragma unroll
        for (int j = 0; j < ATT_PER_LANE; j++) {
            int i = lane + j * WARP;
            if (i < valueHeadDim) {
                float v = 0.0f;
                for (int w = 0; w < ATT_WARPS; w++) v = fmaf(so[w][i], f[w], v);
                oh[i] = v * inv;
            }
        }
    }
}

// --------------------------------------------------------------------------------------------------
// device-side random fill, for the benchmark's large weight sets (generating gigabytes on the host and
// copying them over would cost more device time than the measurement). splitmix64 of (seed, index).

__device__ __forceinline__ unsigned long long splitmix64(unsigned long long z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// n bytes of noise (quants); n a multiple of 8, dst 8-byte aligned.
extern "C" __global__ void sluice_fill_bytes(unsigned long long* dst, long long words, unsigned long long seed) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < words;
         i += (long long) gridDim.x * blockDim.x) {
        dst[i] = splitmix64(seed * 0x100000001B3ull + (unsigned long long) i);
    }
}

// n halves uniform in [-scale, scale) (F16 weights, quant scales).
extern "C" __global__ void sluice_fill_f16(__half* dst, long long n, unsigned long long seed, float scale) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        unsigned long long r = splitmix64(seed * 0x100000001B3ull + (unsigned long long) i);
        float u = (float) (r >> 40) * (1.0f / 16777216.0f);  // [0, 1)
        dst[i] = __float2half_rn((2.0f * u - 1.0f) * scale);
    }
}
