#!/usr/bin/env bash
# bench-engine (single sequence prefill and decode) with --kernels java and native on the same
# files, interleaved: ROUNDS rounds (default 3), the order flipping each round, one line per run,
# then per model and kernels the median over rounds of each run's median, and native/java.
#
#   bench/native-vs-java-engine.sh MODEL.gguf...    (e.g. from ./sluice synth --shape 110m --type q8_0)
# Env: ROUNDS, THREADS (default 1), CPUS (taskset list, default 0; empty: no pinning),
#      PROMPT (128), DECODE (64), RUNS per process (3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"; threads="${THREADS:-1}"; cpus="${CPUS-0}"
pin=(); [ -n "$cpus" ] && pin=(taskset -c "$cpus")
results="$(mktemp)"
echo "CPU flags: $(grep -o 'avx512[a-z_]*\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' '); load: $(cut -d' ' -f1-3 /proc/loadavg)"
flip=0
for round in $(seq "$rounds"); do
  for model in "$@"; do
    order="java native"; [ $flip = 1 ] && order="native java"
    for k in $order; do
      json="$("${pin[@]}" "$root/sluice" bench-engine --model "$model" --threads "$threads" --kernels "$k" \
        --prompt "${PROMPT:-128}" --decode "${DECODE:-64}" --runs "${RUNS:-3}" --bandwidth-mib 0 --json 2>/dev/null)"
      echo "$json" >> "$results"
      python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(f"round {sys.argv[2]} {r[\"model\"]:<18} {r[\"kernels\"]:<20} prefill {r[\"prefill_tok_s\"]:8.1f} decode {r[\"decode_tok_s\"]:7.1f} tok/s")' "$json" "$round"
    done
  done
  flip=$((1 - flip))
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in runs:
    k = "native" if r["kernels"].startswith("native") else "java"
    by.setdefault(r["model"], {}).setdefault(k, []).append(r)
print(f"{'model':<18} {'java prefill':>12} {'native prefill':>14} {'ratio':>6} {'java decode':>11} {'native decode':>13} {'ratio':>6}")
for model, k in by.items():
    jp = statistics.median(r["prefill_tok_s"] for r in k["java"]); np_ = statistics.median(r["prefill_tok_s"] for r in k["native"])
    jd = statistics.median(r["decode_tok_s"] for r in k["java"]); nd = statistics.median(r["decode_tok_s"] for r in k["native"])
    print(f"{model:<18} {jp:12.1f} {np_:14.1f} {np_ / jp:5.2f}x {jd:11.1f} {nd:13.1f} {nd / jd:5.2f}x")
PY
rm -f "$results"
