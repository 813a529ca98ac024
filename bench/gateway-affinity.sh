#!/usr/bin/env bash
# Does prefix affinity make replicas' prefix caches hit? Three `sluice serve` replicas (stories260K) and
# two gateways over them: one with prefix affinity (the default), one without (affinity_prefix_chars: 0,
# least-outstanding only). A shared-prefix workload (30 long "system" prefixes of ~200 tokens in random
# order, each followed by a short distinct question) goes through each gateway with `sluice bench`, each
# with its own prefixes so the runs do not warm each other's caches. Each replica's KV pool holds about a
# third of the prefixes (--kv-cache-memory 4000000, ~3,100 tokens): with affinity each replica sees its
# third, without it every replica sees all of them and evicts. Prints the replicas' prefix-cache hit rate during each run
# (delta of vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total summed over the replicas).
# Usage: bench/gateway-affinity.sh [--requests 160] [--concurrency 4]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=160 concurrency=4
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "gateway-affinity: unknown option $1" >&2; exit 2 ;;
  esac
done
model="${SLUICE_SHARED:-../shared}/models/stories260K.gguf"
out=bench/out/affinity; mkdir -p "$out"
./sluice --version >/dev/null # build once if the sources changed; never rebuild mid-run
export SLUICE_REBUILD=0
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for p in 18621 18622 18623; do
  ./sluice serve --model "$model" --port $p --no-warmup --kv-cache-memory 4000000 >"$out/serve-$p.log" 2>&1 & pids+=($!)
done
printf 'replicas: [http://127.0.0.1:18621, http://127.0.0.1:18622, http://127.0.0.1:18623]\n' >"$out/affinity.yaml"
printf 'replicas: [http://127.0.0.1:18621, http://127.0.0.1:18622, http://127.0.0.1:18623]\naffinity_prefix_chars: 0\n' >"$out/plain.yaml"
./sluice gateway --port 18620 --config "$out/affinity.yaml" >"$out/gateway-affinity.log" 2>&1 & pids+=($!)
./sluice gateway --port 18619 --config "$out/plain.yaml" >"$out/gateway-plain.log" 2>&1 & pids+=($!)
for p in 18621 18622 18623 18620 18619; do
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$p/ready" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$p/ready" >/dev/null || { echo "gateway-affinity: port $p never became ready" >&2; exit 1; }
done
sleep 2 # the gateways' first health checks and /v1/models
python3 - "$out" <<'PY'
import json, random, sys
words = "once upon a time there was a little girl named lily she loved to play in the park with her dog max one day the sun was shining and the birds sang happy songs in the big green tree".split()
for name, seed in (("affinity", 1), ("plain", 2)):
    rnd = random.Random(seed)
    prefixes = [" ".join(rnd.choice(words) for _ in range(120)) for _ in range(30)]
    with open(f"{sys.argv[1]}/{name}.jsonl", "w") as f:
        for i in range(400):
            f.write(json.dumps({"prompt": rnd.choice(prefixes) + f" question {i}: what happened next?"}) + "\n")
PY
hits() {
  python3 - <<'PY'
import re, urllib.request
h = q = 0.0
for p in (18621, 18622, 18623):
    t = urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics").read().decode()
    h += sum(float(m) for m in re.findall(r'^vllm:prefix_cache_hits_total\{[^}]*\} (\S+)$', t, re.M))
    q += sum(float(m) for m in re.findall(r'^vllm:prefix_cache_queries_total\{[^}]*\} (\S+)$', t, re.M))
print(h, q)
PY
}
printf '%-10s %10s %12s %10s %14s\n' gateway "hit rate" "hit tokens" "queried" "E2E p50 ms"
for name in affinity plain; do
  port=18620; [ $name = plain ] && port=18619
  read -r h0 q0 < <(hits)
  ./sluice bench --url http://127.0.0.1:$port --dataset "$out/$name.jsonl" --requests "$requests" \
    --concurrency "$concurrency" --output-len 4 --quiet --out "$out/bench-$name" >/dev/null
  read -r h1 q1 < <(hits)
  e2e=$(python3 -c "import json; print(json.load(open('$out/bench-$name/result.json'))['result']['e2elMs']['median'])")
  python3 -c "h=$h1-$h0; q=$q1-$q0; print(f'%-10s %9.1f%% %12d %10d %14.1f' % ('$name', 100*h/max(q,1), h, q, $e2e))"
done
