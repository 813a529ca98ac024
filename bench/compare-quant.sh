#!/usr/bin/env bash
# Serving throughput of one model at F16, Q8_0 and Q4_0 under the same load, through the real HTTP
# path: synthesizes a 110m-shape F32 model (or takes --model FILE), quantizes it with `sluice quantize`,
# serves each file in turn and runs `sluice bench` against it, then prints one table.
# Usage: bench/compare-quant.sh [--model F32.gguf] [--requests 32] [--concurrency 4] [--input-len 128] [--output-len 64]
set -euo pipefail
cd "$(dirname "$0")/.."
model="" requests=32 concurrency=4 input=128 output=64
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --input-len) input="$2"; shift 2 ;;
    --output-len) output="$2"; shift 2 ;;
    *) echo "compare-quant: unknown option $1" >&2; exit 2 ;;
  esac
done
out=bench/out/quant; mkdir -p "$out"
if [ -z "$model" ]; then
  model="$out/110m-f32.gguf"
  [ -f "$model" ] || ./sluice synth --shape 110m --type f32 --out "$model"
fi
port=18571
printf '%-6s %12s %14s %12s %12s\n' type "file MiB" "output tok/s" "TTFT p50 ms" "TPOT p50 ms"
for t in f16 q8_0 q4_0; do
  f="$out/model-$t.gguf"
  [ -f "$f" ] || ./sluice quantize "$model" "$f" --type "$t" >/dev/null
  ./sluice serve --model "$f" --port $port --served-model-name m >"$out/serve-$t.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
  ./sluice bench --url "http://127.0.0.1:$port" --model m --requests "$requests" --concurrency "$concurrency" \
    --input-len "$input" --output-len "$output" --warmup 2 --quiet --out "$out/bench-$t" >/dev/null 2>"$out/bench-$t.err" \
    || { cat "$out/bench-$t.err" >&2; kill -TERM $pid; exit 1; }
  kill -TERM $pid; wait $pid 2>/dev/null || true
  python3 - "$out/bench-$t/result.json" "$f" "$t" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))["result"]
print(f'{sys.argv[3]:<6} {os.path.getsize(sys.argv[2]) / 2**20:12.1f} {r["outputThroughput"]:14.1f} '
      f'{r["ttftMs"]["median"]:12.1f} {r["tpotMs"]["median"]:12.1f}')
PY
done
