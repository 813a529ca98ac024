#!/usr/bin/env bash
# Builds libsluice.so (the native int8 kernels) into OUT/ai/sluice/core/nativelib/linux-x86_64/,
# where the jar carries it. Run by core's pom (exec-maven-plugin, phase process-classes).
#
# The kernel file is compiled once per instruction-set level, never with -march=native (a library
# built on an AVX-512 machine would die on an AVX2 one); sluice_dispatch.c, compiled for plain
# x86-64, picks a level at load time. No C compiler, or not x86-64 Linux: a message and exit 0,
# and Sluice runs its Java kernels (the portable path).
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUTPUT_DIR}/ai/sluice/core/nativelib/linux-x86_64"
cc="${CC:-gcc}"
if [ "${SLUICE_NATIVE_BUILD:-1}" = 0 ]; then
  echo "sluice native: SLUICE_NATIVE_BUILD=0, not built; the Java kernels will run"; exit 0
fi
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "sluice native: no C compiler ($cc), not built; the Java kernels will run"; exit 0
fi
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "sluice native: $(uname -s)-$(uname -m) has no native kernels yet, not built; the Java kernels will run"; exit 0
fi
lib="$out/libsluice.so"
if [ -f "$lib" ] && [ -z "$(find "$src" -newer "$lib" -type f -print -quit)" ]; then
  exit 0 # up to date
fi
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
common=(-O3 -std=c11 -fPIC -fvisibility=hidden -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror)
base=(-mavx2 -mfma -mf16c)
for k in int8 interleaved attention; do
  "$cc" "${common[@]}" "${base[@]}" -DSLUICE_SUFFIX=_avx2 -c "$src/sluice_$k.c" -o "$tmp/${k}_avx2.o"
  "$cc" "${common[@]}" "${base[@]}" -mavxvnni -DSLUICE_AVX_VNNI -DSLUICE_SUFFIX=_avxvnni \
    -c "$src/sluice_$k.c" -o "$tmp/${k}_avxvnni.o"
  "$cc" "${common[@]}" "${base[@]}" -mavx512f -mavx512bw -mavx512vl -mavx512vnni -DSLUICE_AVX512_VNNI \
    -DSLUICE_SUFFIX=_avx512vnni -c "$src/sluice_$k.c" -o "$tmp/${k}_avx512vnni.o"
done
"$cc" "${common[@]}" -c "$src/sluice_dispatch.c" -o "$tmp/dispatch.o"
"$cc" "${common[@]}" -c "$src/sluice_interleave.c" -o "$tmp/interleave.o"
"$cc" -shared -Wl,-z,noexecstack -o "$tmp/libsluice.so" "$tmp"/*.o
mv "$tmp/libsluice.so" "$lib"
echo "sluice native: built $lib (levels avx2, avx-vnni, avx512-vnni)"
