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
      python3 - "$json" "$round" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print("round %s %-18s %-20s prefill %8.1f decode %7.1f tok/s; per CPU-s %8.1f %7.1f; RSS %.0f MiB"
      % (sys.argv[2], r["model"], r["kernels"], r["prefill_tok_s"], r["decode_tok_s"],
         r.get("prefill_tok_per_cpu_s", 0), r.get("decode_tok_per_cpu_s", 0), r.get("rss_mib", 0)))
PY
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
def med(k, side, key):
    return statistics.median(r.get(key, 0) for r in k[side])
for suffix, label in (("_tok_s", "tok/s (wall)"), ("_tok_per_cpu_s", "tok per CPU-second")):
    print(f"{label}: {'model':<18} {'java prefill':>12} {'native prefill':>14} {'ratio':>6} {'java decode':>11} {'native decode':>13} {'ratio':>6}")
    for model, k in by.items():
        jp, np_ = med(k, "java", "prefill" + suffix), med(k, "native", "prefill" + suffix)
        jd, nd = med(k, "java", "decode" + suffix), med(k, "native", "decode" + suffix)
        print(f"{'':<{len(label) + 2}}{model:<18} {jp:12.1f} {np_:14.1f} {np_ / jp:5.2f}x {jd:11.1f} {nd:13.1f} {nd / jd:5.2f}x")
PY
rm -f "$results"
