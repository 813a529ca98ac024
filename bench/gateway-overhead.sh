#!/usr/bin/env bash
# Latency the gateway adds: one `sluice serve` replica (stories260K) and `sluice gateway` over it, then
# `sluice bench` with max_tokens 1 against the replica directly and through the gateway, alternating
# (direct, gateway, direct, gateway, ...) so both see the same machine load. Prints end-to-end p50/p99
# of each and the difference, and the gateway's own added-latency histogram (x-sluice-gateway-ms).
# Usage: bench/gateway-overhead.sh [--rounds 3] [--requests 300] [--concurrency 1]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 requests=300 concurrency=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "gateway-overhead: unknown option $1" >&2; exit 2 ;;
  esac
done
model="${SLUICE_SHARED:-../shared}/models/stories260K.gguf"
out=bench/out/gateway; mkdir -p "$out"
./sluice --version >/dev/null # build once if the sources changed; never rebuild mid-run
export SLUICE_REBUILD=0
rport=18611 gport=18610
./sluice serve --model "$model" --port $rport >"$out/serve.log" 2>&1 & rpid=$!
./sluice gateway --port $gport --replica http://127.0.0.1:$rport >"$out/gateway.log" 2>&1 & gpid=$!
trap 'kill $rpid $gpid 2>/dev/null || true' EXIT
for url in http://127.0.0.1:$rport/ready http://127.0.0.1:$gport/ready; do
  for _ in $(seq 1 600); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
  curl -sf "$url" >/dev/null || { echo "gateway-overhead: $url never became ready" >&2; exit 1; }
done
run() { # $1 = name, $2 = url
  ./sluice bench --url "$2" --requests "$requests" --concurrency "$concurrency" --input-len 16 --output-len 1 \
    --warmup 30 --quiet --out "$out/$1" >/dev/null
  python3 -c "import json,sys; r=json.load(open('$out/$1/result.json'))['result']; e=r['e2elMs']; print(e['median'], e['p99'])"
}
printf '%-8s %-8s %12s %12s\n' round target "E2E p50 ms" "E2E p99 ms"
for i in $(seq 1 "$rounds"); do
  read -r d50 d99 < <(run "direct-$i" http://127.0.0.1:$rport)
  read -r g50 g99 < <(run "gateway-$i" http://127.0.0.1:$gport)
  printf '%-8s %-8s %12.3f %12.3f\n' "$i" direct "$d50" "$d99" "$i" gateway "$g50" "$g99"
  printf '%-8s %-8s %12.3f %12.3f\n' "$i" added "$(echo "$g50 - $d50" | bc -l)" "$(echo "$g99 - $d99" | bc -l)"
done
# the gateway's own measure of what it added (x-sluice-gateway-ms, also in its access log), over all requests
python3 - "$out/gateway.log" <<'PY'
import json, sys
ms = sorted(json.loads(l)["added_ms"] for l in open(sys.argv[1]) if l.startswith('{"ts"') and '"/v1/completions"' in l)
pct = lambda p: ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))]
print(f"gateway-measured added latency over {len(ms)} requests: p50 {pct(50):.3f} ms, p99 {pct(99):.3f} ms, max {ms[-1]:.3f} ms")
PY
