#!/usr/bin/env bash
# Builds sluice_kernels.fatbin (the CUDA kernels, sluice_kernels.cu) into OUT/ai/sluice/cuda/, where the
# jar carries it. Run by cuda's pom (exec-maven-plugin, phase process-classes); needs nvcc, never a GPU.
#
# One fatbin, loaded at run time by the driver API (cuModuleLoadData): machine code for sm_80 (A100)
# and sm_90 (H100/H200), plus compute_90 PTX that a newer GPU's driver compiles at load. No nvcc: a
# message and exit 0; the cuda module then has no kernels and says so when asked for them.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUTPUT_DIR}/ai/sluice/cuda"
nvcc="${NVCC:-nvcc}"
if [ "${SLUICE_CUDA_BUILD:-1}" = 0 ]; then
  echo "sluice cuda: SLUICE_CUDA_BUILD=0, kernels not built"; exit 0
fi
if ! command -v "$nvcc" >/dev/null 2>&1; then
  for c in /usr/local/cuda/bin/nvcc /usr/local/bin/nvcc; do
    [ -x "$c" ] && { nvcc="$c"; break; }
  done
fi
if ! command -v "$nvcc" >/dev/null 2>&1; then
  echo "sluice cuda: no nvcc ($nvcc), kernels not built; the CUDA backend will be unavailable"; exit 0
fi
fatbin="$out/sluice_kernels.fatbin"
if [ -f "$fatbin" ] && [ -z "$(find "$src" -newer "$fatbin" -type f -print -quit)" ]; then
  exit 0 # up to date
fi
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# -O3 for the host half is moot (no host code); the device code is optimised by ptxas at -O3 by default.
"$nvcc" -fatbin -O3 -std=c++17 -Werror all-warnings \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -o "$tmp/sluice_kernels.fatbin" "$src/sluice_kernels.cu"
mv "$tmp/sluice_kernels.fatbin" "$fatbin"
echo "sluice cuda: built $fatbin (sm_80, sm_90, compute_90 PTX; $("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/nvcc \1/p'))"
