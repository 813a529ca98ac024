#!/usr/bin/env bash
# Serving throughput of one model at F16, Q8_0 and Q4_0 under the same load, through the real HTTP
# path: synthesizes a 110m-shape F32 model (or takes --model FILE), quantizes it with `sluice quantize`,
# serves each file in turn and runs `sluice bench` against it, then prints one table (medians over
# rounds; each round serves the three types in a rotated order, so a change of machine load falls on
# all of them, and the load average is printed beside each row).
# Usage: bench/compare-quant.sh [--model F32.gguf] [--requests 32] [--concurrency 4] [--input-len 128]
#                               [--output-len 64] [--rounds 1] [--threads N] [--kernels auto|java|native]
set -euo pipefail
cd "$(dirname "$0")/.."
model="" requests=32 concurrency=4 input=128 output=64 rounds=1 threads="" kernels=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --input-len) input="$2"; shift 2 ;;
    --output-len) output="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --kernels) kernels="$2"; shift 2 ;;
    *) echo "compare-quant: unknown option $1" >&2; exit 2 ;;
  esac
done
out=bench/out/quant; mkdir -p "$out"
if [ -z "$model" ]; then
  model="$out/110m-f32.gguf"
  [ -f "$model" ] || ./sluice synth --shape 110m --type f32 --out "$model"
fi
types=(f16 q8_0 q4_0)
for t in "${types[@]}"; do
  [ -f "$out/model-$t.gguf" ] || ./sluice quantize "$model" "$out/model-$t.gguf" --type "$t" >/dev/null
done
rm -rf "$out"/bench-*
port=18571
for r in $(seq 1 "$rounds"); do
  for i in 0 1 2; do
    t="${types[$(( (i + r - 1) % 3 ))]}"
    f="$out/model-$t.gguf"
    ./sluice serve --model "$f" --port $port --served-model-name m --kernels "$kernels" ${threads:+--threads "$threads"} \
        >"$out/serve-$t-$r.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
    cut -d' ' -f1 /proc/loadavg > "$out/bench-$t-$r.load"
    ./sluice bench --url "http://127.0.0.1:$port" --model m --requests "$requests" --concurrency "$concurrency" \
      --input-len "$input" --output-len "$output" --warmup 2 --quiet --out "$out/bench-$t-$r" >/dev/null 2>"$out/bench-$t-$r.err" \
      || { cat "$out/bench-$t-$r.err" >&2; kill -TERM $pid; exit 1; }
    cut -d' ' -f1 /proc/loadavg >> "$out/bench-$t-$r.load"
    kill -TERM $pid; wait $pid 2>/dev/null || true
  done
done
python3 - "$out" "${types[@]}" <<'PY'
import glob, json, os, statistics, sys
out, types = sys.argv[1], sys.argv[2:]
print(f'{"type":<6} {"file MiB":>9} {"output tok/s":>13} {"TTFT p50 ms":>12} {"TPOT p50 ms":>12} {"rounds":>6} {"load avg":>9}')
for t in types:
    runs = [json.load(open(p))["result"] for p in sorted(glob.glob(f"{out}/bench-{t}-*/result.json"))]
    loads = [float(x) for p in glob.glob(f"{out}/bench-{t}-*.load") for x in open(p).read().split()]
    med = lambda f: statistics.median(f(r) for r in runs)
    print(f'{t:<6} {os.path.getsize(f"{out}/model-{t}.gguf") / 2**20:9.1f} {med(lambda r: r["outputThroughput"]):13.1f} '
          f'{med(lambda r: r["ttftMs"]["median"]):12.1f} {med(lambda r: r["tpotMs"]["median"]):12.1f} {len(runs):6d} '
          f'{min(loads):4.0f}-{max(loads):<4.0f}')
PY
