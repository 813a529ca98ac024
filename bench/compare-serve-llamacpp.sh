#!/usr/bin/env bash
# Served end to end: `sluice serve` against llama.cpp's `llama-server` on the very same GGUF file, thread
# count and prompts, one server after the other (never both at once), each driven over HTTP by
# `sluice bench` (closed loop) at each concurrency. Prints output tok/s and TTFT p50/p99 per server and the
# ratios (sluice / llama-server). Not part of CI.
#
#   bench/compare-serve-llamacpp.sh [MODEL_SPEC...]     MODEL_SPEC = shape:type, e.g. 110m:q8_0 1b:q4_0
#
# Without arguments: 110m q8_0, 110m q4_0 and 1b q4_0 (random weights from `sluice synth`, written once
# into MODELS_DIR). llama-server is built natively once by bench/llamacpp-flags.sh.
#
# Same work for both: one prompts file per concurrency (WARMUP + requests lines of PROMPT_WORDS words,
# about 84 tokens at the default 64 words), the same for both servers and distinct between the lines,
# so no prefix cache helps either; greedy, `ignore_eos` and max_tokens = OUTPUT (the request `sluice
# bench` sends), so both generate the same lengths: the table prints the prompt and output tokens per
# request each server reported, check they match. Same limits: llama-server gets `-np` = the largest
# concurrency slots of CTX tokens each (`-c` = slots x CTX, F16 KV, its default), Sluice `--max-num-seqs`
# the same and `--max-model-len CTX` (F16 KV, its default for serve).
#
# Environment: THREADS (default: nproc), CONCURRENCY ("1 8"), OUTPUT (tokens per request; 128 for 110m,
# 64 for 1b), WAVES (measured requests = WAVES x max(concurrency, 2); 4 for 110m, 2 for 1b), WARMUP (2
# requests, not measured), PROMPT_WORDS (64), CTX (1024), ROUNDS (1; each round starts both servers
# afresh, and even rounds start llama-server first), MODELS_DIR (bench/out/models), PORT (18620),
# SLUICE_LLAMACPP_DIR / SLUICE_LLAMACPP_SRC (see llamacpp-flags.sh). Every bench's result.json, report
# and both servers' logs are kept under bench/out/serve-compare/<time>/.
set -euo pipefail
# shellcheck source=llamacpp-flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/llamacpp-flags.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
threads="${THREADS:-$(nproc)}"
read -r -a concurrencies <<< "${CONCURRENCY:-1 8}"
warmup="${WARMUP:-2}"
words="${PROMPT_WORDS:-64}"
ctx="${CTX:-1024}"
rounds="${ROUNDS:-1}"
models_dir="${MODELS_DIR:-$here/out/models}"
port="${PORT:-18620}"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(110m:q8_0 110m:q4_0 1b:q4_0)

die() { echo "compare-serve-llamacpp: $*" >&2; exit 1; }
say() { echo "compare-serve-llamacpp: $*" >&2; }
command -v python3 >/dev/null || die "python3 is needed (prompts and the table)"
command -v curl >/dev/null || die "curl is needed (readiness checks)"

slots=1
for c in "${concurrencies[@]}"; do [ "$c" -gt "$slots" ] && slots="$c"; done

server_bin="$(llamacpp_bin llama-server)"
"$root/sluice" --version >/dev/null   # builds the jars now if stale, not inside a timed run

synth_models "$models_dir" "${specs[@]}"

out="$here/out/serve-compare/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

# One prompts file per concurrency: WARMUP + measured lines, different words on every line (seeded).
requests_for() { local c="$1" waves="$2"; echo $(( waves * (c > 2 ? c : 2) )); }
write_prompts() { # FILE LINES SEED
  python3 - "$1" "$2" "$3" "$words" <<'PY'
import json, random, sys
path, lines, seed, words = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
vocab = ("the a little girl boy dog cat bird tree house garden river sun moon day night friend mother "
         "father played ran jumped saw found made wanted liked went came looked happy big small red blue "
         "green old new and but so then when with under over into near far very always never together "
         "ball box cake book door road hill park sea ship star rain snow wind song game toy flower apple").split()
rng = random.Random(seed)
with open(path, "w") as f:
    for i in range(lines):
        text = f"Story {seed}-{i}: " + " ".join(rng.choice(vocab) for _ in range(words))
        f.write(json.dumps({"prompt": text}) + "\n")
PY
}

wait_ready() { # URL PID LOG
  local i
  for i in $(seq 1 1800); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { tail -20 "$3" >&2; die "the server exited before it was ready (log: $3)"; }
    sleep 0.5
  done
  die "not ready after 15 minutes: $1 (log: $3)"
}

stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

run_server() { # NAME SPEC ROUND
  local name="$1" shape="${2%%:*}" type="${2##*:}" r="$3" f pid log url c output waves n tag
  f="$models_dir/synth-$shape-$type.gguf"
  output="${OUTPUT:-$([ "$shape" = 1b ] && echo 64 || echo 128)}"
  waves="${WAVES:-$([ "$shape" = 1b ] && echo 2 || echo 4)}"
  log="$out/$shape-$type-$r-$name.server.log"
  url="http://127.0.0.1:$port"
  say "$shape $type round $r: $name (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  case "$name" in
    sluice)
      "$root/sluice" serve --model "$f" --port "$port" --threads "$threads" --served-model-name m \
          --max-num-seqs "$slots" --max-model-len "$ctx" > "$log" 2>&1 &
      pid=$!; wait_ready "$url/ready" "$pid" "$log" ;;
    llama-server)
      "$server_bin" -m "$f" --host 127.0.0.1 --port "$port" -t "$threads" -tb "$threads" -np "$slots" \
          -c $(( slots * ctx )) --alias m --metrics --no-webui > "$log" 2>&1 &
      pid=$!; wait_ready "$url/health" "$pid" "$log" ;;
  esac
  for c in "${concurrencies[@]}"; do
    n="$(requests_for "$c" "$waves")"
    tag="$shape-$type-$r-$name-c$c"
    [ -f "$out/prompts-$shape-c$c.jsonl" ] || write_prompts "$out/prompts-$shape-c$c.jsonl" $(( warmup + n )) "$c"
    printf '%s' "$(cut -d' ' -f1 /proc/loadavg)" > "$out/$tag.load"
    "$root/sluice" bench --url "$url" --model m --concurrency "$c" --requests "$n" --warmup "$warmup" \
        --dataset "$out/prompts-$shape-c$c.jsonl" --output-len "$output" --quiet --out "$out/$tag" \
        > "$out/$tag.txt" 2> "$out/$tag.err" \
      || { cat "$out/$tag.err" >&2; stop "$pid"; die "sluice bench failed against $name ($tag)"; }
    printf ' %s' "$(cut -d' ' -f1 /proc/loadavg)" >> "$out/$tag.load"
  done
  stop "$pid"
}

say "$threads threads, concurrency ${concurrencies[*]}, $slots slots of $ctx tokens, $rounds round(s); results in $out"
for spec in "${specs[@]}"; do
  for r in $(seq 1 "$rounds"); do
    if [ $(( r % 2 )) -eq 1 ]; then order=(sluice llama-server); else order=(llama-server sluice); fi
    for name in "${order[@]}"; do run_server "$name" "$spec" "$r"; done
  done
done

python3 - "$out" "$threads" "${specs[@]}" <<'PY'
import glob, json, os, statistics, sys
out, threads, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(tag):
    runs = []
    for path in sorted(glob.glob(f"{out}/{tag}/result.json")):
        r = json.load(open(path))["result"]
        per = [q for q in r["perRequest"] if q["error"] is None]
        loads = open(path.replace("/result.json", ".load")).read().split()
        runs.append(dict(tok_s=r["outputThroughput"], p50=r["ttftMs"]["median"], p99=r["ttftMs"]["p99"],
                         failed=r["failed"], prompt=statistics.mean(q["promptTokens"] for q in per),
                         output=statistics.mean(q["outputTokens"] for q in per), load=loads))
    return runs
def med(runs, key):
    return statistics.median(x[key] for x in runs)
def f(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"
rows = [["model", "conc", "out tok/s sluice", "llama-server", "ratio", "TTFT p50 ms sluice", "llama-server", "ratio",
         "TTFT p99 ms sluice", "llama-server", "tokens in/out sluice", "llama-server", "load avg"]]
for spec in specs:
    shape, typ = spec.split(":")
    concs = sorted({int(p.rsplit("-c", 1)[1]) for p in glob.glob(f"{out}/{shape}-{typ}-*-sluice-c*") if os.path.isdir(p)})
    for c in concs:
        s = [x for t in sorted(glob.glob(f"{out}/{shape}-{typ}-*-sluice-c{c}")) for x in load(os.path.basename(t))]
        l = [x for t in sorted(glob.glob(f"{out}/{shape}-{typ}-*-llama-server-c{c}")) for x in load(os.path.basename(t))]
        if not s or not l:
            continue
        loads = [float(v) for x in s + l for v in x["load"]]
        failed = sum(x["failed"] for x in s + l)
        rows.append([f"{shape} {typ}", str(c), f(med(s, "tok_s")), f(med(l, "tok_s")), f"{med(s, 'tok_s') / med(l, 'tok_s'):.2f}x",
                     f(med(s, "p50")), f(med(l, "p50")), f"{med(s, 'p50') / med(l, 'p50'):.2f}x",
                     f(med(s, "p99")), f(med(l, "p99")),
                     f"{med(s, 'prompt'):.0f}/{med(s, 'output'):.0f}", f"{med(l, 'prompt'):.0f}/{med(l, 'output'):.0f}",
                     f"{min(loads):.0f}-{max(loads):.0f}" + (f", {failed} FAILED" if failed else "")])
print(f"closed loop, {threads} threads, medians over rounds; ratio = sluice / llama-server "
      "(targets: output tok/s >= 0.9x, TTFT p50 <= 1.1x); tokens = prompt/output tokens per request as each server reported")
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print("| " + " | ".join(x.ljust(w) for x, w in zip(rows[0], widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows[1:]:
    print("| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |")
PY
