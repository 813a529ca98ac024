// Stand-in for CUDA's cuda_fp16.h when sluice_kernels.cu is compiled for the CPU emulator
// (emulated_kernels.cpp defines the half types and conversions before including the kernels).
#pragma once
