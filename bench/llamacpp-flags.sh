# Sourced by the llama.cpp comparison scripts: the CMake flags that build llama.cpp for this CPU.
# -DGGML_NATIVE=ON (-march=native) also compiles in AMX where the CPU lists it, and a VM that does not
# grant AMX tile state kills llama.cpp's Q8_0/Q4_0 products with SIGILL (tileloadd; seen on the 2-vCPU
# Intel Xeon dev VMs): there every other ISA level the CPU lists is named one by one, without AMX.
llamacpp_isa_flags() {
  if ! grep -q amx_int8 /proc/cpuinfo 2>/dev/null; then
    echo "-DGGML_NATIVE=ON"
    return
  fi
  local out="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
  local cpu pair
  cpu=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx512f:AVX512 avx512vbmi:AVX512_VBMI \
              avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16 avx_vnni:AVX_VNNI; do
    case "$cpu" in *" ${pair%%:*} "*) out="$out -DGGML_${pair##*:}=ON" ;; esac
  done
  echo "$out"
}
