// sluice_kernels.cu compiled for the CPU and run by an emulator, so that the whole device check (every
// kernel against its Java reference, the CUDA backend against the CPU backend) can run on a machine
// without a GPU. Linked into the stand-in libcuda (stand_in_libcuda.c calls stand_in_emulate from its
// cuLaunchKernel when this file is linked in). Test code only: slow, and it proves the kernels' index
// math, reductions and roundings, not their speed or anything about the real hardware (memory model,
// warp scheduling, the real expf's last bit).
//
// Emulation: blocks run one after another; the threads of a block are fibers (ucontext) on one OS
// thread, switched at __syncthreads and at every warp shuffle (a shuffle is: write your value, wait for
// your warp, read your partner's, wait again). __shared__ arrays become statics, which is right because
// only one block runs at a time.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <ucontext.h>
#include <utility>
#include <vector>

// ---- the CUDA dialect, for the CPU ----
struct dim3 { unsigned x = 1, y = 1, z = 1; };
struct float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
typedef _Float16 __half;
struct alignas(4) __half2 { _Float16 x, y; };

namespace emu {
struct Fiber {
    ucontext_t ctx;
    dim3 tid;
    bool done = false;
    int waiting = 0;  // 0 running, 1 at the block barrier, 2 at its warp's barrier
};
inline std::vector<Fiber> fibers;
inline std::vector<char*> stacks;
inline int current = -1;
inline ucontext_t scheduler;
inline dim3 block, bdim, gdim;
inline std::vector<uint64_t> exchange;  // one 64-bit slot per thread, for shuffles
inline std::function<void()> body;

inline void wait(int kind) {
    fibers[current].waiting = kind;
    swapcontext(&fibers[current].ctx, &scheduler);
}
inline int lane() { return (int) (fibers[current].tid.x % 32); }
}  // namespace emu

#define threadIdx (emu::fibers[emu::current].tid)
#define blockIdx (emu::block)
#define blockDim (emu::bdim)
#define gridDim (emu::gdim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

inline void __syncthreads() { emu::wait(1); }

template <typename T> T __shfl_xor_sync(unsigned, T v, int offset) {
    static_assert(sizeof(T) <= 8, "64-bit values at most");
    int me = (int) threadIdx.x;
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    emu::exchange[me] = bits;
    emu::wait(2);
    int partner = (me & ~31) | ((me & 31) ^ offset);
    T out;
    uint64_t theirs = emu::exchange[partner];
    std::memcpy(&out, &theirs, sizeof(T));
    emu::wait(2);
    return out;
}

template <typename T> inline T __ldg(const T* p) { return *p; }
inline int __dp4a(int a, int b, int c) {
    for (int i = 0; i < 4; i++) c += (int) (int8_t) (a >> (8 * i)) * (int) (int8_t) (b >> (8 * i));
    return c;
}
inline float __half2float(__half h) { return (float) h; }
inline __half __float2half_rn(float f) { return (__half) f; }
inline float2 __half22float2(__half2 h) { return float2{(float) h.x, (float) h.y}; }
inline __half __ushort_as_half(unsigned short u) { __half h; std::memcpy(&h, &u, 2); return h; }
inline int __float2int_rn(float f) { return (int) std::nearbyint(f); }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fmul_rn(float a, float b) { return a * b; }


#include "../../main/cuda/sluice_kernels.cu"

// ---- launching ----
namespace emu {
constexpr size_t STACK = 256 * 1024;

static void trampoline() {
    body();
    fibers[current].done = true;
    swapcontext(&fibers[current].ctx, &scheduler);
}

static int run_grid(dim3 grid, dim3 threads) {
    int n = (int) (threads.x * threads.y * threads.z);
    if (threads.y != 1 || threads.z != 1 || grid.z != 1) return 1;
    gdim = grid;
    bdim = threads;
    while ((int) stacks.size() < n) stacks.push_back((char*) std::malloc(STACK));
    exchange.assign(n, 0);
    ucontext_t blank;
    getcontext(&blank);
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            block = dim3{bx, by, 1};
            fibers.assign(n, Fiber{});
            for (int t = 0; t < n; t++) {
                fibers[t].tid = dim3{(unsigned) t, 0, 0};
                fibers[t].ctx = blank;  // a copy of one getcontext: a system call per fiber would dominate
                fibers[t].ctx.uc_stack.ss_sp = stacks[t];
                fibers[t].ctx.uc_stack.ss_size = STACK;
                fibers[t].ctx.uc_link = nullptr;
                makecontext(&fibers[t].ctx, trampoline, 0);
            }
            for (;;) {
                bool ran = false;
                for (int t = 0; t < n; t++) {
                    if (!fibers[t].done && fibers[t].waiting == 0) {
                        current = t;
                        swapcontext(&scheduler, &fibers[t].ctx);
                        ran = true;
                    }
                }
                bool all_done = true, released = false;
                bool block_ready = true;
                for (int t = 0; t < n; t++) {
                    if (!fibers[t].done) {
                        all_done = false;
                        if (fibers[t].waiting != 1) block_ready = false;
                    }
                }
                if (all_done) break;
                if (block_ready) {
                    for (int t = 0; t < n; t++) fibers[t].waiting = 0;
                    released = true;
                }
                for (int w = 0; w * 32 < n; w++) {
                    bool ready = true, any = false;
                    for (int t = w * 32; t < n && t < w * 32 + 32; t++) {
                        if (!fibers[t].done) {
                            any = true;
                            if (fibers[t].waiting != 2) ready = false;
                        }
                    }
                    if (any && ready) {
                        for (int t = w * 32; t < n && t < w * 32 + 32; t++) fibers[t].waiting = 0;
                        released = true;
                    }
                }
                if (!ran && !released) {
                    std::fprintf(stderr, "emulator: deadlock (threads waiting at different barriers)\n");
                    return 999;
                }
            }
        }
    }
    return 0;
}

template <typename... A, size_t... I>
static std::function<void()> bind_args(void (*f)(A...), void** params, std::index_sequence<I...>) {
    auto args = std::make_tuple(*static_cast<std::remove_cv_t<A>*>(params[I])...);
    return [f, args]() { std::apply(f, args); };
}

template <typename... A> static std::function<void()> bind_args(void (*f)(A...), void** params) {
    return bind_args(f, params, std::index_sequence_for<A...>{});
}

using Binder = std::function<std::function<void()>(void**)>;
#define KERNEL(name) {#name, [](void** p) { return bind_args(name, p); }}
static const std::map<std::string, Binder> kernels = {
    KERNEL(sluice_rms_norm), KERNEL(sluice_rope), KERNEL(sluice_swiglu), KERNEL(sluice_add),
    KERNEL(sluice_add_rows), KERNEL(sluice_embed_prepared), KERNEL(sluice_embed_rows),
    KERNEL(sluice_repack_q8_0), KERNEL(sluice_repack_q4_0), KERNEL(sluice_quantize_q8),
    KERNEL(sluice_matvec_f16), KERNEL(sluice_matvec_q8_0), KERNEL(sluice_matvec_q4_0), KERNEL(sluice_matmul),
    KERNEL(sluice_kv_write), KERNEL(sluice_attention), KERNEL(sluice_fill_bytes), KERNEL(sluice_fill_f16),
};
}  // namespace emu

extern "C" int stand_in_emulate(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                unsigned bz, void** params) {
    auto k = emu::kernels.find(name);
    if (k == emu::kernels.end()) return 500;
    emu::body = k->second(params);
    return emu::run_grid(dim3{gx, gy, gz}, dim3{bx, by, bz});
}
