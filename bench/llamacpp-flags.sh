# Sourced by every llama.cpp comparison script: the one place that installs and builds llama.cpp.
#
#   source bench/llamacpp-flags.sh
#   server="$(llamacpp_bin llama-server)"     # the binary's path; built natively first if missing
#
# llamacpp_bin TARGET builds TARGET (llama-bench, llama-batched-bench, llama-server, llama-embedding,
# ...) once, natively for this CPU, from the llama.cpp source that node-llama-cpp ships as a git bundle
# (installed from npm), and prints the binary's path. Only the missing target is compiled; ggml and
# libllama are shared by all of them (the first target takes ~10 min on 2 cores, each further tool
# 1-5 min). Messages go to stderr, the path alone to stdout.
#
# Environment: SLUICE_LLAMACPP_DIR (default bench/out/llamacpp): holds node_modules, src/ and build/;
# SLUICE_LLAMACPP_SRC: a llama.cpp source tree to build from instead of unpacking one into DIR/src
# (it is only read: the build goes to DIR/build); NODE_LLAMA_CPP_VERSION (3.22.1: llama.cpp 0.5.0,
# the release of ../shared/oracle); JOBS (2: build parallelism).

# The CMake flags that build llama.cpp for this CPU. -DGGML_NATIVE=ON (-march=native) also compiles in
# AMX where the CPU lists it, and a VM that does not grant AMX tile state kills llama.cpp's Q8_0/Q4_0
# products with SIGILL (tileloadd; seen on the 2-vCPU Intel Xeon dev VMs): there every other ISA level
# the CPU lists is named one by one, without AMX.
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

# The folder that holds llama.cpp's install and build (SLUICE_LLAMACPP_DIR, else bench/out/llamacpp).
llamacpp_dir() {
  local bench_dir
  bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  echo "${SLUICE_LLAMACPP_DIR:-$bench_dir/out/llamacpp}"
}

llamacpp_die() { echo "${0##*/}: $*" >&2; exit 1; }

# llama.cpp's source tree: SLUICE_LLAMACPP_SRC, else DIR/src, unpacked from node-llama-cpp's bundle.
llamacpp_source() {
  local dir="$1" version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
  if [ -n "${SLUICE_LLAMACPP_SRC:-}" ]; then
    [ -f "$SLUICE_LLAMACPP_SRC/CMakeLists.txt" ] || llamacpp_die "SLUICE_LLAMACPP_SRC=$SLUICE_LLAMACPP_SRC is not a llama.cpp source tree"
    echo "$SLUICE_LLAMACPP_SRC"
    return
  fi
  if [ ! -d "$dir/src" ]; then
    command -v npm >/dev/null || llamacpp_die "npm is needed (node-llama-cpp ships llama.cpp's source)"
    command -v git >/dev/null || llamacpp_die "git is needed to unpack llama.cpp's source bundle"
    mkdir -p "$dir"
    if [ ! -d "$dir/node_modules/node-llama-cpp" ]; then
      echo "${0##*/}: installing node-llama-cpp@$version into $dir" >&2
      [ -f "$dir/package.json" ] || echo '{"private": true, "type": "module"}' > "$dir/package.json"
      (cd "$dir" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --loglevel=error \
          "node-llama-cpp@$version" >&2) || llamacpp_die "npm install node-llama-cpp@$version failed"
    fi
    git clone -q "$dir/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$dir/src" 2>/dev/null \
      || llamacpp_die "could not unpack $dir/node_modules/node-llama-cpp/llama/gitRelease.bundle"
  fi
  echo "$dir/src"
}

# llamacpp_bin TARGET: the path of llama.cpp's TARGET binary, built first if it is not there.
llamacpp_bin() {
  local target="$1" dir src bin jobs="${JOBS:-2}"
  dir="$(llamacpp_dir)"
  bin="$dir/build/bin/$target"
  if [ ! -x "$bin" ]; then
    command -v cmake >/dev/null || llamacpp_die "cmake and a C++ compiler are needed to build llama.cpp"
    src="$(llamacpp_source "$dir")" || exit 1
    mkdir -p "$dir/build"
    echo "${0##*/}: building llama.cpp's $target natively (-j$jobs; log in $dir/build-$target.log)" >&2
    # one configuration for every tool (examples and server on), so adding a target never rebuilds
    # what another one already compiled
    # shellcheck disable=SC2046  # the flags are separate words on purpose
    nice -n 10 cmake -S "$src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release $(llamacpp_isa_flags) \
        -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_SERVER=ON \
        > "$dir/cmake.log" 2>&1 || llamacpp_die "cmake configure failed, see $dir/cmake.log"
    nice -n 10 cmake --build "$dir/build" --target "$target" -j"$jobs" > "$dir/build-$target.log" 2>&1 \
        || llamacpp_die "building llama.cpp's $target failed, see $dir/build-$target.log"
    [ -x "$bin" ] || llamacpp_die "the build did not produce $bin"
  fi
  echo "$bin"
}

# synth_models DIR SPEC...: writes the random-weight files both engines load, DIR/synth-SHAPE-TYPE.gguf
# for each SPEC = shape:type, with `sluice synth` (once: an existing file is kept).
synth_models() {
  local dir="$1" spec f root
  shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$dir"
  for spec in "$@"; do
    f="$dir/synth-${spec%%:*}-${spec##*:}.gguf"
    [ -f "$f" ] || "$root/sluice" synth --shape "${spec%%:*}" --type "${spec##*:}" --out "$f" >&2
  done
}
