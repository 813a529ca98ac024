/*
 * A stand-in for libcuda.so.1 on machines without a GPU: the driver calls Sluice binds, with the C
 * signatures of cuda.h, behaving just enough like the driver to check the Java bindings end to end
 * (symbol names, argument and out-parameter types, error codes and names). "Device memory" is host
 * memory from malloc, so copies and memsets really move bytes. cuLaunchKernel records its arguments
 * (stand_in_last_launch) instead of running anything. Used by CudaDriverStandInTest only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;

static const char* name_of(int code) {
    switch (code) {
        case 0: return "CUDA_SUCCESS";
        case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
        case 500: return "CUDA_ERROR_NOT_FOUND";
        default: return 0;
    }
}

CUresult cuGetErrorName(int code, const char** s) {
    *s = name_of(code);
    return *s ? 0 : 1;
}

CUresult cuGetErrorString(int code, const char** s) {
    *s = code == 2 ? "out of memory" : code == 500 ? "named symbol not found" : 0;
    return *s ? 0 : 1;
}

CUresult cuInit(unsigned int flags) { return flags == 0 ? 0 : 1; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return 0; }
CUresult cuDeviceGet(int* d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
CUresult cuDeviceGetName(char* name, int len, int dev) {
    (void) dev;
    strncpy(name, "Stand-in H100 80GB HBM3", (size_t) len);
    return 0;
}
/* each attribute reads as its own number, so the test sees which one was asked for */
CUresult cuDeviceGetAttribute(int* v, int attribute, int dev) { (void) dev; *v = attribute; return 0; }
CUresult cuDeviceTotalMem_v2(size_t* bytes, int dev) { (void) dev; *bytes = (size_t) 80 << 30; return 0; }
CUresult cuDevicePrimaryCtxRetain(void** ctx, int dev) { (void) dev; *ctx = (void*) 0x1000; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { (void) dev; return 0; }
CUresult cuCtxSetCurrent(void* ctx) { return ctx == (void*) 0x1000 ? 0 : 201; }
CUresult cuCtxSynchronize(void) { return 0; }

CUresult cuModuleLoadData(void** module, const void* image) {
    uint32_t magic;
    memcpy(&magic, image, 4);
    if (magic != 0xBA55ED50u) return 200; /* CUDA_ERROR_INVALID_IMAGE: no name here, Java's table names it */
    *module = (void*) 0x2000;
    return 0;
}
CUresult cuModuleUnload(void* module) { return module == (void*) 0x2000 ? 0 : 400; }
/* functions: handle 0x3000 + 16 * i for the i-th name asked for */
static char names[64][64];
static int named;

CUresult cuModuleGetFunction(void** f, void* module, const char* name) {
    (void) module;
    if (strncmp(name, "sluice_", 7) != 0 || strcmp(name, "sluice_no_such_kernel") == 0) return 500;
    int i = 0;
    while (i < named && strcmp(names[i], name) != 0) i++;
    if (i == named) {
        if (named == 64 || strlen(name) >= 64) return 1;
        strcpy(names[named++], name);
    }
    *f = (void*) (uintptr_t) (0x3000 + 16 * i);
    return 0;
}
CUresult cuFuncSetAttribute(void* f, int attribute, int value) { (void) f; (void) attribute; (void) value; return 0; }

CUresult cuMemAlloc_v2(uint64_t* p, size_t bytes) {
    if (bytes > ((size_t) 1 << 36)) return 2;
    *p = (uint64_t) (uintptr_t) malloc(bytes);
    return *p ? 0 : 2;
}
CUresult cuMemFree_v2(uint64_t p) { free((void*) (uintptr_t) p); return 0; }
CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total) { *free_bytes = (size_t) 79 << 30; *total = (size_t) 80 << 30; return 0; }
CUresult cuMemsetD8_v2(uint64_t p, unsigned char v, size_t n) { memset((void*) (uintptr_t) p, v, n); return 0; }
CUresult cuMemsetD32_v2(uint64_t p, unsigned int v, size_t n) {
    unsigned int* w = (unsigned int*) (uintptr_t) p;
    for (size_t i = 0; i < n; i++) w[i] = v;
    return 0;
}
CUresult cuMemcpyHtoD_v2(uint64_t dst, const void* src, size_t n) { memcpy((void*) (uintptr_t) dst, src, n); return 0; }
CUresult cuMemcpyDtoH_v2(void* dst, uint64_t src, size_t n) { memcpy(dst, (const void*) (uintptr_t) src, n); return 0; }
CUresult cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t n) {
    memmove((void*) (uintptr_t) dst, (const void*) (uintptr_t) src, n);
    return 0;
}

CUresult cuStreamCreate(void** s, unsigned int flags) { (void) flags; *s = (void*) 0x4000; return 0; }
CUresult cuStreamSynchronize(void* s) { (void) s; return 0; }
CUresult cuStreamDestroy_v2(void* s) { return s == (void*) 0x4000 ? 0 : 400; }
static uintptr_t events = 0x5000;
CUresult cuEventCreate(void** e, unsigned int flags) { (void) flags; *e = (void*) events++; return 0; }
CUresult cuEventRecord(void* e, void* s) { (void) e; (void) s; return 0; }
CUresult cuEventSynchronize(void* e) { (void) e; return 0; }
CUresult cuEventElapsedTime_v2(float* ms, void* a, void* b) { *ms = (float) ((uintptr_t) b - (uintptr_t) a) * 0.5f; return 0; }
CUresult cuEventDestroy_v2(void* e) { (void) e; return 0; }

/* the last launch: function, grid x/y/z, block x/y/z, shared bytes, stream, then up to 5 arguments as 8-byte
   words. The real driver knows each kernel's parameters from the image; the stand-in reads 5 for
   sluice_rms_norm and 3 (every kernel has at least 3) for the others. */
static uint64_t last[14];
static const char* last_name = "";

/* src/test/cpp/emulated_kernels.cpp, when linked in, runs the kernels on the CPU */
extern int stand_in_emulate(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                            unsigned bz, void** params) __attribute__((weak));

CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void* stream, void** params, void** extra) {
    if (extra != 0) return 1;
    last[0] = (uintptr_t) f;
    last[1] = gx; last[2] = gy; last[3] = gz; last[4] = bx; last[5] = by; last[6] = bz;
    last[7] = shared;
    last[8] = (uintptr_t) stream;
    int index = (int) (((uintptr_t) f - 0x3000) / 16);
    if ((uintptr_t) f < 0x3000 || index >= named) return 400;
    last_name = names[index];
    int count = strcmp(last_name, "sluice_rms_norm") == 0 ? 5 : 3;
    memset(last + 9, 0, 5 * sizeof(uint64_t));
    for (int i = 0; i < count; i++) {
        uint64_t v = 0;
        memcpy(&v, params[i], 8);
        last[9 + i] = v;
    }
    return stand_in_emulate ? stand_in_emulate(last_name, gx, gy, gz, bx, by, bz, params) : 0;
}

void stand_in_last_launch(uint64_t* out) { memcpy(out, last, sizeof last); }
const char* stand_in_last_kernel(void) { return last_name; }
