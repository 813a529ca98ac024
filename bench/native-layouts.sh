#!/usr/bin/env bash
# The native int8 kernels alone (no JVM): the file-layout kernels against the row-interleaved ones, per
# shape and batch, least CPU time of REPS calls on one pinned vCPU, ns per block of 32 weights and
# token. Needs gcc and a CPU that runs LEVEL. Not part of CI.
#
#   bench/native-layouts.sh [CPU]          CPU to pin (default 0); REPS (default 60);
#                                          LEVEL: avx512-vnni (default), avx-vnni or avx2;
#                                          SHAPES: "ROWS COLS BATCH,..." (default: a list)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/core/src/main/c"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags=(-O3 -std=c11 -ffp-contract=off -mavx2 -mfma -mf16c -DSLUICE_SUFFIX=_x)
case "${LEVEL:-avx512-vnni}" in
  avx512-vnni) flags+=(-mavx512f -mavx512bw -mavx512vl -mavx512vnni -DSLUICE_AVX512_VNNI) ;;
  avx-vnni) flags+=(-mavxvnni -DSLUICE_AVX_VNNI) ;;
  avx2) ;;
  *) echo "native-layouts: LEVEL is avx512-vnni, avx-vnni or avx2, not ${LEVEL}" >&2; exit 1 ;;
esac
gcc "${flags[@]}" -c "$src/sluice_int8.c" -o "$out/int8.o"
gcc "${flags[@]}" -c "$src/sluice_interleaved.c" -o "$out/interleaved.o"
gcc -O2 -c "$src/sluice_interleave.c" -o "$out/interleave.o"
gcc -O2 "$root/bench/native/kernel_bench.c" "$out"/*.o -lm -o "$out/kernel_bench"
echo "level ${LEVEL:-avx512-vnni}; CPU flags: $(grep -o 'avx512[a-z_]*\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' '); load: $(cut -d' ' -f1-3 /proc/loadavg)"
shapes=("100 96 5" "768 768 1" "2048 2048 1" "5632 2048 1" "2048 2048 4" "2048 2048 16" "2048 2048 64" "5632 2048 16")
[ -n "${SHAPES:-}" ] && IFS=, read -r -a shapes <<<"$SHAPES" # e.g. SHAPES="2048 2048 1,2048 2048 16"
for shape in "${shapes[@]}"; do
  # shellcheck disable=SC2086
  taskset -c "${1:-0}" "$out/kernel_bench" $shape "${REPS:-60}"
done
