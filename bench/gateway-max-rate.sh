#!/usr/bin/env bash
# The highest request rate through the gateway with max_tokens 1, against calling the replica directly: one
# `sluice serve` replica (stories260K), `sluice gateway` over it twice (the default, which asks a Sluice
# replica's streams for token ids to resume them by the wire, and one with `resume: false`, which relays
# bytes untouched), then `sluice bench` open loop (Poisson arrivals) at rates stepping up. At each rate the
# targets run one after the other, in an order that alternates from rate to rate, so they see the same
# machine load. A target breaks at a rate when a request fails, when it completes under 90% of the offered
# rate, or when its E2E p99 passes --p99-ms. Prints one row per rate and target, then the highest rate each
# target held. The bench client, the gateways and the replica share the machine's cores: see the load average.
# Usage: bench/gateway-max-rate.sh [--rates 100,200,...] [--seconds 4] [--p99-ms 250]
set -euo pipefail
cd "$(dirname "$0")/.."
rates=100,200,300,400,600,800,1000,1300,1600,2000 seconds=4 p99max=250
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --p99-ms) p99max="$2"; shift 2 ;;
    *) echo "gateway-max-rate: unknown option $1" >&2; exit 2 ;;
  esac
done
model="${SLUICE_SHARED:-../shared}/models/stories260K.gguf"
out=bench/out/gateway-max-rate; rm -rf "$out"; mkdir -p "$out"
./sluice --version >/dev/null # build once if the sources changed; never rebuild mid-run
export SLUICE_REBUILD=0
rport=18621 gport=18620 pport=18622
./sluice serve --model "$model" --port $rport --max-num-seqs 64 >"$out/serve.log" 2>&1 & rpid=$!
./sluice gateway --port $gport --replica http://127.0.0.1:$rport >"$out/gateway.log" 2>&1 & gpid=$!
printf 'port: %s\nreplicas: [http://127.0.0.1:%s]\nresume: false\n' $pport $rport >"$out/plain.yaml"
./sluice gateway --config "$out/plain.yaml" >"$out/gateway-plain.log" 2>&1 & ppid=$!
trap 'kill $rpid $gpid $ppid 2>/dev/null || true' EXIT
for url in http://127.0.0.1:$rport/ready http://127.0.0.1:$gport/ready http://127.0.0.1:$pport/ready; do
  for _ in $(seq 1 600); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
  curl -sf "$url" >/dev/null || { echo "gateway-max-rate: $url never became ready" >&2; exit 1; }
done
sleep 2 # a scrape or two, so the default gateway knows its replica speaks the resume wire
url_of() { case "$1" in direct) echo http://127.0.0.1:$rport ;; gateway) echo http://127.0.0.1:$gport ;;
  gateway-plain) echo http://127.0.0.1:$pport ;; esac; }
run() { # $1 = target, $2 = rate; prints: throughput p50 p99 failed
  local n; n=$(python3 -c "print(max(200, min(8000, int($2 * $seconds))))")
  ./sluice bench --url "$(url_of "$1")" --rate "$2" --requests "$n" --input-len 16 --output-len 1 --warmup 20 \
    --quiet --out "$out/$1-$2" >/dev/null 2>"$out/$1-$2.err" || true
  python3 - "$out/$1-$2/result.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["result"]
    e = r["e2elMs"] or {}
    print(f'{r["requestThroughput"]:.1f} {e.get("median") or 0:.2f} {e.get("p99") or 0:.2f} {r["failed"]}')
except Exception:
    print("0 0 0 -1")
PY
}
targets=(direct gateway gateway-plain)
declare -A best broken
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); CPU: $(nproc) cores"
printf '%-14s %8s %12s %10s %10s %7s %s\n' target rate "done req/s" "p50 ms" "p99 ms" failed verdict
i=0
for rate in ${rates//,/ }; do
  order=("${targets[@]}"); if [ $((i % 2)) -eq 1 ]; then order=(gateway-plain gateway direct); fi
  i=$((i + 1))
  for t in "${order[@]}"; do
    [ "${broken[$t]:-0}" -ge 2 ] && continue # broke twice in a row: done with this target
    read -r thr p50 p99 failed < <(run "$t" "$rate")
    verdict=ok
    if [ "$failed" != 0 ] || python3 -c "import sys; sys.exit(0 if $thr < 0.9 * $rate or $p99 > $p99max else 1)"; then
      verdict=BROKE; broken[$t]=$(( ${broken[$t]:-0} + 1 ))
    else
      broken[$t]=0; best[$t]=$rate
    fi
    printf '%-14s %8s %12s %10s %10s %7s %s\n' "$t" "$rate" "$thr" "$p50" "$p99" "$failed" "$verdict"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${targets[@]}"; do echo "highest rate held: $t ${best[$t]:-none} req/s"; done
