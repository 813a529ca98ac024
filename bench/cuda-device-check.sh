#!/usr/bin/env bash
# The whole CUDA device run, ON THE GPU MACHINE, in one call, from what bench/cuda-device-prep.sh
# assembled here (.cuda-device/: a jlink'd JRE, the CLI's jars with the cuda module and its fatbin,
# stories260K). Steps, most valuable first; each writes its files to $OUT as it finishes and appends
# its lines to $OUT/summary.txt, so a run stopped by its time limit keeps what it did:
#   1 machine      GPU, driver, nproc, memory, disk; libcublas/libcudart, nvcc (for a later llama.cpp
#                  CUDA build there). Starts writing the synthetic models in the background.
#   2 device check every kernel against a CPU reference, the CUDA backend's contract against the CPU
#                  backend on stories260K (f32/q8_0/q4_0), matrix-vector GB/s as % of the roofline
#   3 bench-engine `sluice bench-engine --backend cuda` on synthetic 1b and 8b shapes at Q8_0 and F16:
#                  prefill tok/s, single-stream decode tok/s and % of the card's datasheet bandwidth
#   4 bench-batch  aggregate decode at 1/8/32/128 sequences (1b Q8_0)
#   5 serve        `sluice serve --backend cuda` (1b Q8_0) driven by `sluice bench`: TTFT, throughput
# Usage: bash bench/cuda-device-check.sh [--quick] [--dry-run]
#   --quick    1b only (no 8b files: the 8b F16 file alone is 16 GB to write), shorter runs
#   --dry-run  no GPU needed: the cuda module's stand-in libcuda (built here with gcc; its kernels do
#              nothing, so every number is meaningless) and the 110m shape: checks this script, the
#              packaging and the CLI's CUDA path end to end. prep runs it.
# Environment: OUT (default /tmp/sluice-cuda-out), MODELS_DIR (default /tmp/sluice-cuda-models),
#   PORT (default 18631, serve's), BUDGET_S (default 500: steps that would not finish by then are skipped, each says so),
#   JAVA (default: .cuda-device/jre.tar.gz unpacked into JRE_DIR, default /tmp/sluice-cuda-jre),
#   CUDA_DEVICE_DIR (default .cuda-device).
# Exit status: 0 every step ran and passed, 1 a step failed, 2 no GPU (one line says why), 3 not prepared.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CUDA_DEVICE_DIR:-$root/.cuda-device}"
out="${OUT:-/tmp/sluice-cuda-out}"
models="${MODELS_DIR:-/tmp/sluice-cuda-models}"
budget="${BUDGET_S:-500}"
# per-step time limits are multiplied by this (the dry run's, on a busy CPU machine, by 6: it checks function, not time)
scale="${TIMEOUT_SCALE:-1}"
quick=0
dry=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --dry-run) dry=1 ;;
    *) echo "usage: bash bench/cuda-device-check.sh [--quick] [--dry-run]" >&2; exit 64 ;;
  esac
done
mkdir -p "$out" "$models"
start=$SECONDS
summary="$out/summary.txt"
: > "$summary"
failed=0
say() { echo "cuda-device-check [$((SECONDS - start))s]: $*" | tee -a "$summary"; }
left() { echo $(( budget - (SECONDS - start) )); }
# fits NEED_S STEP: whether a step that needs NEED_S seconds still fits the budget (else says it is skipped)
fits() { if [ "$(left)" -ge "$1" ]; then return 0; fi; say "SKIPPED $2: needs ~$1 s, $(left) s of BUDGET_S left"; return 1; }

# The JRE: JAVA if set (any JDK 25, flags added below), else prep's jlink'd one, unpacked once into
# JRE_DIR (its launcher carries the JVM flags, prep's --add-options)
jflags=()
if [ -n "${JAVA:-}" ]; then
  java="$JAVA"
  jflags=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC)
else
  jre="${JRE_DIR:-/tmp/sluice-cuda-jre}"
  if [ -f "$dir/jre.tar.gz" ] && { [ ! -f "$jre/.unpacked" ] || [ "$dir/jre.tar.gz" -nt "$jre/.unpacked" ]; }; then
    rm -rf "$jre"; mkdir -p "$jre" && tar xzf "$dir/jre.tar.gz" -C "$jre" && touch "$jre/.unpacked"
  fi
  java="$jre/jre/bin/java"
fi
if [ ! -x "$java" ] || [ ! -d "$dir/lib" ]; then
  say "$dir is not prepared ($java missing): run bash bench/cuda-device-prep.sh here first, then carry .cuda-device"
  exit 3
fi
# shellcheck disable=SC2206
jflags+=(${JAVA_OPTS:-})
sluice=("$java" "${jflags[@]}" -Xmx16g -cp "$dir/lib/*" ai.sluice.cli.Main)
# num FILE KEY: the first number after "KEY": in a one-line JSON file, rounded to 0.1 (or "?")
num() { grep -o "\"$2\":[-0-9.eE]*" "$1" 2>/dev/null | head -1 | cut -d: -f2 | awk '{ if ($1 == "") print "?"; else printf "%.1f", $1 }'; }

limit() { echo $(( $1 * scale )); }
# why RC: a step's exit status in words
why() { case "$1" in 124) echo "timed out" ;; 0) echo "ok" ;; *) echo "exit $1" ;; esac; }
if [ "$dry" = 1 ]; then
  [ -n "${TIMEOUT_SCALE:-}" ] || scale=6
  gcc -shared -fPIC -O1 -o "$out/libcuda-stand-in.so" "$root/cuda/src/test/c/stand_in_libcuda.c" \
    || { say "dry run: gcc could not build the stand-in libcuda"; exit 1; }
  export SLUICE_LIBCUDA="$out/libcuda-stand-in.so"
  specs=(110m:q8_0 110m:f16)
  say "DRY RUN on the stand-in libcuda (no GPU work happens: every number below is meaningless)"
elif [ "$quick" = 1 ]; then
  specs=(1b:q8_0 1b:f16)
else
  specs=(1b:q8_0 1b:f16 8b:q8_0 8b:f16)
fi
batch_spec="${specs[0]}"
serve_spec="${specs[0]}"

# ---- 1 machine ----------------------------------------------------------------------------------------
{
  echo "== date"; date -u
  echo "== prepared at commit $(cat "$dir/commit" 2>/dev/null || echo '?'); tree at $(git -C "$root" rev-parse HEAD 2>/dev/null || echo '?')"
  echo "== nvidia-smi"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit --format=csv 2>&1 || echo "no nvidia-smi"
  echo "== driver"; cat /proc/driver/nvidia/version 2>/dev/null || echo "no /proc/driver/nvidia/version"
  echo "== libcuda"; ls -l /usr/lib/x86_64-linux-gnu/libcuda.so* /usr/lib64/libcuda.so* 2>/dev/null || echo "no libcuda.so in the usual places"
  echo "== CUDA toolkit libraries (cuBLAS, runtime)"
  ls -d /usr/local/cuda* 2>/dev/null || echo "no /usr/local/cuda*"
  ls /usr/local/cuda*/lib64 2>/dev/null | grep -E 'cublas|cudart' || echo "no libcublas/libcudart under /usr/local/cuda*/lib64"
  ldconfig -p 2>/dev/null | grep -E 'cublas|cudart' || echo "none in ldconfig's cache"
  echo "== nvcc"; if command -v nvcc >/dev/null; then nvcc --version; elif [ -x /usr/local/cuda/bin/nvcc ]; then /usr/local/cuda/bin/nvcc --version; else echo "no nvcc"; fi
  echo "== build tools"; for t in gcc g++ cmake make ninja git curl python3; do printf '%s: %s\n' "$t" "$(command -v "$t" || echo missing)"; done
  echo "== cpu"; echo "nproc $(nproc)"; grep -m1 'model name' /proc/cpuinfo
  echo "== memory"; free -g 2>/dev/null || head -3 /proc/meminfo
  echo "== disk ($models)"; df -h "$models" 2>&1 | tail -1
  echo "== fatbin images"
  if command -v cuobjdump >/dev/null; then cuobjdump --list-elf "$dir/sluice_kernels.fatbin" 2>&1; cuobjdump --list-ptx "$dir/sluice_kernels.fatbin" 2>&1; else echo "no cuobjdump"; fi
} > "$out/01-machine.txt" 2>&1
nvidia-smi > "$out/01-nvidia-smi.txt" 2>&1 || true
say "1 machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi'); nproc $(nproc); nvcc $(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || echo none); cublas $(ls /usr/local/cuda*/lib64 2>/dev/null | grep -c cublas) files ($out/01-machine.txt)"

# The synthetic models, written in the background in the order the benchmarks read them (1b first);
# each file appears under its final name only when complete.
synth_log="$out/01-synth.log"
(
  # the synth in the background and waited for, so that a TERM (the script ending early) stops it too
  child=""
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 143' TERM
  for spec in "${specs[@]}"; do
    f="$models/synth-${spec%%:*}-${spec##*:}.gguf"
    [ -s "$f" ] && continue
    t0=$SECONDS
    "${sluice[@]}" synth --shape "${spec%%:*}" --type "${spec##*:}" --out "$f.part" >> "$synth_log" 2>&1 &
    child=$!
    if wait "$child"; then
      mv "$f.part" "$f"; echo "synth $spec: $((SECONDS - t0)) s" >> "$synth_log"
    else
      echo "synth $spec: FAILED" >> "$synth_log"; rm -f "$f.part"
    fi
    child=""
  done
) &
synth_pid=$!
spid=""
# whatever way the script ends (its limit, an error), no server or synth stays behind
cleanup() { [ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null; kill "$synth_pid" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 143' TERM INT
# wait_model SPEC: waits for the file (at most until the budget ends); prints its path
wait_model() {
  local f="$models/synth-${1%%:*}-${1##*:}.gguf"
  while [ ! -s "$f" ] && kill -0 "$synth_pid" 2>/dev/null && [ "$(left)" -gt 0 ]; do sleep 1; done
  [ -s "$f" ] && echo "$f"
}

# ---- 2 device check -----------------------------------------------------------------------------------
say "2 device check: kernels vs CPU, contract on stories260K, matvec bandwidth ($out/02-device-check.log)"
dc_args=(--out "$out/02-device-check" --models "$dir/models")
# --quick: the largest shape (14336x4096) left out of the kernel checks and timings; bench-engine reads it
dc_args+=(--quick)
mkdir -p "$out/02-device-check"
timeout "$(limit "${DEVICE_CHECK_S:-150}")" "$java" "${jflags[@]}" -Xmx24g -cp "$dir/lib/*" ai.sluice.cuda.check.DeviceCheck "${dc_args[@]}" \
  > "$out/02-device-check.log" 2>&1
dc=$?
stop_synth() { kill "$synth_pid" 2>/dev/null; wait "$synth_pid" 2>/dev/null; }
if [ "$dc" = 2 ]; then
  say "no GPU: $(grep -m1 'device check:' "$out/02-device-check.log" || tail -1 "$out/02-device-check.log")"
  stop_synth
  exit 2
fi
if [ "$dry" = 1 ] && [ "$dc" = 1 ] && grep -q '== summary' "$out/02-device-check.log"; then
  say "2 device check: exit 1, as expected on the stand-in (its kernels do nothing)"
elif [ "$dc" != 0 ]; then
  failed=1
fi
say "2 device check: exit $dc$([ "$dc" = 124 ] && echo ' (timed out)'); $(grep -m1 '== summary' "$out/02-device-check.log")"
# the failed checks and the timing table (the summary's tail)
sed -n '/== summary/,$p' "$out/02-device-check.log" | tail -n +2 | head -60 >> "$summary"

# ---- 3 bench-engine -----------------------------------------------------------------------------------
runs=3; decode=128; prompt=512
[ "$quick" = 1 ] && { runs=2; decode=64; prompt=256; }
[ "$dry" = 1 ] && { runs=1; decode=8; prompt=16; }
for spec in "${specs[@]}"; do
  need=45; [ "${spec%%:*}" = 8b ] && need=90
  fits "$need" "3 bench-engine $spec" || continue
  f="$(wait_model "$spec")" || { say "3 bench-engine $spec: no model file ($(tail -1 "$synth_log" 2>/dev/null))"; failed=1; continue; }
  j="$out/03-bench-engine-${spec/:/-}.json"
  if timeout "$(limit "$need")" "${sluice[@]}" bench-engine --backend cuda --model "$f" --prompt "$prompt" --decode "$decode" \
      --runs "$runs" --json > "$j" 2> "$j.err"; then
    say "3 bench-engine $spec: $(grep -o '"backend":"[^"]*"' "$j" | cut -d'"' -f4): prefill $(num "$j" prefill_tok_s) tok/s ($prompt tokens), decode $(num "$j" decode_tok_s) tok/s = $(num "$j" decode_pct_of_roofline)% of $(num "$j" bandwidth_gb_s) GB/s ($(num "$j" weight_bytes_per_token) bytes/token)"
  else
    rc=$?; failed=1; say "3 bench-engine $spec: FAILED ($(why $rc)): $(grep -v 'Using incubator' "$j.err" | tail -2 | tr '\n' ' ')"
  fi
done

# ---- 4 bench-batch ------------------------------------------------------------------------------------
conc=1,8,32,128; bprompt=64; boutput=64
[ "$quick" = 1 ] && conc=1,8,32
[ "$dry" = 1 ] && { conc=1,8; bprompt=8; boutput=8; }
if fits 120 "4 bench-batch $batch_spec"; then
  f="$(wait_model "$batch_spec")"
  j="$out/04-bench-batch-${batch_spec/:/-}.json"
  if [ -n "$f" ] && timeout "$(limit 120)" "${sluice[@]}" bench-batch --backend cuda --model "$f" --concurrency "$conc" \
      --prompt "$bprompt" --output "$boutput" --json > "$j" 2> "$j.err"; then
    say "4 bench-batch $batch_spec (prompt $bprompt, output $boutput): aggregate decode tok/s by concurrency: $(grep -o '"concurrency":[0-9]*,"decode_tok_s":[^,]*' "$j" | sed -E 's/"concurrency":([0-9]+),"decode_tok_s":"?([^",]*)"?/\1: \2/' | awk -F': ' '{ printf "%s%s: %s", sep, $1, ($2 ~ /^[0-9.]+$/ ? sprintf("%.0f", $2) : $2); sep = ", " }')"
  else
    rc=$?; failed=1; say "4 bench-batch $batch_spec: FAILED ($(why $rc)): $(grep -v 'Using incubator' "$j.err" 2>/dev/null | tail -2 | tr '\n' ' ')"
  fi
fi

# ---- 5 serve + bench ----------------------------------------------------------------------------------
# ready PORT PID: polls /ready over bash's /dev/tcp (the machine may lack curl); in a subshell, since a
# failed `exec` redirection ends a non-interactive shell
ready() {
  local i status
  for i in $(seq 1 $((360 * scale))); do
    kill -0 "$2" 2>/dev/null && [ "$(left)" -gt 30 ] || return 1
    status="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 \
                && IFS= read -r line <&3 && echo "$line") 2>/dev/null)"
    case "$status" in *" 200"*) return 0 ;; esac
    sleep 0.5
  done
  return 1
}
if fits 150 "5 serve + bench $serve_spec"; then
  f="$(wait_model "$serve_spec")"
  port="${PORT:-18631}"
  sdir="$out/05-serve"; mkdir -p "$sdir"
  "${sluice[@]}" serve --backend cuda --model "$f" --port "$port" --served-model-name m --max-num-seqs 64 \
    --max-model-len 1024 > "$sdir/server.log" 2>&1 &
  spid=$!
  if [ -n "$f" ] && ready "$port" "$spid"; then
    say "5 serve: ready after $((SECONDS - start)) s of the run ($(grep -m1 'backend' "$sdir/server.log"))"
    n1=16; n2=256; ilen=128; olen=64
    [ "$quick" = 1 ] && { n1=8; n2=96; }
    [ "$dry" = 1 ] && { n1=2; n2=8; ilen=16; olen=8; }
    for c in 1 32; do
      n=$([ "$c" = 1 ] && echo "$n1" || echo "$n2")
      if timeout "$(limit 100)" "${sluice[@]}" bench --url "http://127.0.0.1:$port" --model m --concurrency "$c" --requests "$n" \
          --warmup 2 --input-len "$ilen" --output-len "$olen" --quiet --out "$sdir/c$c" > "$sdir/c$c.txt" 2> "$sdir/c$c.err"; then
        say "5 bench concurrency $c, $n requests of $ilen in / $olen out: $(grep -E '^(Successful|Failed requests|Output token|latency|TTFT|TPOT)' "$sdir/c$c.txt" | tr -s ' ' | tr '\n' ';')"
      else
        rc=$?; failed=1; say "5 bench concurrency $c: FAILED ($(why $rc)): $(grep -v 'Using incubator' "$sdir/c$c.err" | tail -2 | tr '\n' ' ')"
      fi
    done
  else
    failed=1; say "5 serve: not ready: $(grep -v 'Using incubator' "$sdir/server.log" | tail -3 | tr '\n' ' ')"
  fi
  kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=""
fi

stop_synth
say "synth: $(grep -E '^synth ' "$synth_log" 2>/dev/null | tr '\n' ';')"
say "done in $((SECONDS - start)) s, exit $failed; files in $out"
exit "$failed"
