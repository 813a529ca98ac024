#!/usr/bin/env bash
# Hybrid pools under a burst: three `sluice serve` processes on stories260K (onprem with --max-num-seqs 2, so its
# capacity is small and known; cloud; and an "external" provider started with --api-key, reached as an
# OpenAI-compatible external pool with its own key and model name) behind one `sluice gateway` with two keys:
#   home  (data class home:  [onprem])                   -> no spill: everything queues at onprem
#   burst (data class burst: [onprem, cloud, external])  -> onprem spills at 2 waiting, cloud at 4
# First measures what onprem sustains (closed loop at its 2 sequences), then sends twice that rate (Poisson) through
# the gateway with each key. Prints p50/p99 TTFT, the share of requests per pool and the cost per 1M tokens of
# the mix, from the gateway's own counters (sluice_gateway_pool_requests_total, _tokens_total, _cost_dollars_total).
# Usage: bench/gateway-pools.sh [--requests 200] [--input-len 32] [--output-len 64]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=200 input=32 output=64
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --input-len) input="$2"; shift 2 ;;
    --output-len) output="$2"; shift 2 ;;
    *) echo "gateway-pools: unknown option $1" >&2; exit 2 ;;
  esac
done
model="${SLUICE_SHARED:-../shared}/models/stories260K.gguf"
out=bench/out/pools; rm -rf "$out"; mkdir -p "$out"
./sluice --version >/dev/null # build once if the sources changed; never rebuild mid-run
export SLUICE_REBUILD=0
oport=18621 cport=18622 eport=18623 gport=18620
printf '%s\n' "sk-bench-external-provider" >"$out/external.key"
home_key=sk-bench-home burst_key=sk-bench-burst
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
./sluice serve --model "$model" --port $oport --max-num-seqs 2 >"$out/onprem.log" 2>&1 & opid=$!
./sluice serve --model "$model" --port $cport >"$out/cloud.log" 2>&1 & cpid=$!
./sluice serve --model "$model" --port $eport --api-key-file "$out/external.key" --served-model-name stories-ext \
  >"$out/external.log" 2>&1 & epid=$!
cat >"$out/gateway.yaml" <<YAML
host: 127.0.0.1
port: $gport
scrape_interval_ms: 200
pools:
  - name: onprem
    labels: [onprem]
    replicas: [http://127.0.0.1:$oport]
    price: {replica_hour: 1.20, output_tokens_per_second: 400}
    spill_at_waiting: 2
    spill_back_at_waiting: 0
  - name: cloud
    labels: [cloud]
    replicas: [http://127.0.0.1:$cport]
    price: {input_per_1m: 0.20, output_per_1m: 0.60}
    spill_at_waiting: 4
    spill_back_at_waiting: 1
  - name: external
    labels: [external]
    external: {api: openai, base_url: 'http://127.0.0.1:$eport/v1', api_key_file: $out/external.key,
               models: {stories260K: stories-ext}}
    price: {input_per_1m: 2.50, output_per_1m: 10.00}
data_classes:
  home: [onprem]
  burst: [onprem, cloud, external]
api_keys:
  - {name: home, sha256: $(sha $home_key), data_class: home}
  - {name: burst, sha256: $(sha $burst_key), data_class: burst}
YAML
./sluice gateway --config "$out/gateway.yaml" >"$out/gateway.log" 2>&1 & gpid=$!
trap 'kill $opid $cpid $epid $gpid 2>/dev/null || true' EXIT
for url in http://127.0.0.1:$oport/ready http://127.0.0.1:$cport/ready http://127.0.0.1:$eport/ready http://127.0.0.1:$gport/ready; do
  for _ in $(seq 1 600); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
  curl -sf "$url" >/dev/null || { echo "gateway-pools: $url never became ready" >&2; exit 1; }
done
sleep 2 # the gateway's first health checks and model lists
field() { python3 -c "import json,sys; r=json.load(open('$1/result.json'))['result']; print($2)"; }
# what onprem sustains: a closed loop at its two sequences, straight to the replica
./sluice bench --url http://127.0.0.1:$oport --requests 60 --concurrency 2 --input-len "$input" --output-len "$output" \
  --warmup 6 --quiet --out "$out/capacity" >/dev/null
sustain=$(field "$out/capacity" "r['requestThroughput']")
rate=$(python3 -c "print(round(2 * $sustain, 2))")
echo "onprem sustains $sustain req/s (input $input, output $output tokens); offered: $rate req/s"
metrics() { curl -s http://127.0.0.1:$gport/metrics; }
sum() { # $1 = metrics file, $2 = regex on the sample line
  python3 - "$1" "$2" <<'PY'
import re, sys
print(sum(float(l.rsplit(' ', 1)[1]) for l in open(sys.argv[1]) if re.match(sys.argv[2], l)))
PY
}
printf '%-6s %10s %10s %10s %8s %8s %10s %14s\n' key "TTFT p50" "TTFT p99" "E2E p99" onprem cloud external '$/1M tokens'
for key in home burst; do
  secret=$home_key; [ $key = burst ] && secret=$burst_key
  metrics >"$out/before-$key.prom"
  ./sluice bench --url http://127.0.0.1:$gport --model stories260K --api-key "$secret" --requests "$requests" \
    --rate "$rate" --input-len "$input" --output-len "$output" --quiet --out "$out/$key" >/dev/null
  metrics >"$out/after-$key.prom"
  share() { echo "$(sum "$out/after-$key.prom" "sluice_gateway_pool_requests_total\{pool=\"$1\"") - $(sum "$out/before-$key.prom" "sluice_gateway_pool_requests_total\{pool=\"$1\"")" | bc -l; }
  on=$(share onprem) cl=$(share cloud) ex=$(share external)
  tokens=$(echo "$(sum "$out/after-$key.prom" "sluice_gateway_tokens_total\{key=\"$key\"") - $(sum "$out/before-$key.prom" "sluice_gateway_tokens_total\{key=\"$key\"")" | bc -l)
  dollars=$(echo "$(sum "$out/after-$key.prom" "sluice_gateway_cost_dollars_total\{key=\"$key\"") - $(sum "$out/before-$key.prom" "sluice_gateway_cost_dollars_total\{key=\"$key\"")" | bc -l)
  total=$(echo "$on + $cl + $ex" | bc -l)
  printf '%-6s %10.1f %10.1f %10.1f %7.0f%% %7.0f%% %9.0f%% %14.4f\n' $key \
    "$(field "$out/$key" "r['ttftMs']['median']")" "$(field "$out/$key" "r['ttftMs']['p99']")" \
    "$(field "$out/$key" "r['e2elMs']['p99']")" \
    "$(echo "100 * $on / $total" | bc -l)" "$(echo "100 * $cl / $total" | bc -l)" "$(echo "100 * $ex / $total" | bc -l)" \
    "$(echo "$dollars / $tokens * 1000000" | bc -l)"
done
echo "(TTFT and E2E in ms; shares of requests answered by each pool; cost at the prices in $out/gateway.yaml)"
