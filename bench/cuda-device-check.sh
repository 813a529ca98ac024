#!/usr/bin/env bash
# Runs the CUDA device check ON THE GPU MACHINE, from what bench/cuda-device-prep.sh assembled here
# (.cuda-device/: a jlink'd JRE, the jars, the fatbin). Prints the GPU, the fatbin's images as
# cuobjdump lists them, then DeviceCheck's output: every kernel against a CPU reference, the CUDA
# backend's contract against the CPU backend on stories260K, the matrix-vector bandwidth on 1b/8b shapes
# as % of the card's roofline, and single-sequence decode through the backend on synthetic 1b models.
# Writes everything to $OUT (default /tmp/sluice-cuda-out): console.log, device-check.log,
# device-check-timings.tsv, nvidia-smi.txt.
# Exit status: DeviceCheck's (0 all passed, 1 a check failed, 2 no GPU).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cuda-device"
out="${OUT:-/tmp/sluice-cuda-out}"
mkdir -p "$out"
if [ ! -x "$dir/jre/bin/java" ]; then
  echo "cuda-device-check: $dir/jre is missing: run bench/cuda-device-prep.sh first and carry .cuda-device" | tee "$out/console.log"
  exit 3
fi
{
  echo "== machine"
  date -u
  echo "prepared at commit $(cat "$dir/commit" 2>/dev/null || echo '?'); tree at $(git -C "$root" rev-parse HEAD 2>/dev/null || echo '?')"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv 2>&1 || echo "no nvidia-smi"
  command -v nvcc >/dev/null && nvcc --version | tail -2
  echo "== fatbin images (cuobjdump)"
  if command -v cuobjdump >/dev/null; then
    cuobjdump --list-elf "$dir/sluice_kernels.fatbin" 2>&1
    cuobjdump --list-ptx "$dir/sluice_kernels.fatbin" 2>&1
  else
    echo "no cuobjdump"
  fi
} 2>&1 | tee "$out/console.log"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
echo "== device check" | tee -a "$out/console.log"
# DECODE: the synthetic model shape for the whole-backend decode timing (written to /tmp first, ~1-2 GB per
# type for 1b); DECODE= skips it. The log file grows line by line: a run stopped by its time limit keeps it.
decode=()
[ -n "${DECODE-1b}" ] && decode=(--decode "${DECODE-1b}")
"$dir/jre/bin/java" -Xmx24g -cp "$dir/lib/*" ai.sluice.cuda.check.DeviceCheck --out "$out" --models "$dir/models" \
  "${decode[@]}" "$@" 2>&1 | tee -a "$out/console.log"
status=${PIPESTATUS[0]}
echo "cuda-device-check: exit $status; files in $out" | tee -a "$out/console.log"
exit "$status"
