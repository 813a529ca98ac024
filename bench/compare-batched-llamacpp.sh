#!/usr/bin/env bash
# Batched decode: `sluice bench-batch` against llama.cpp's `llama-batched-bench` on the very same GGUF
# file and thread count, engines interleaved (never concurrently): aggregate decode tok/s with N
# sequences decoding together, per N, and the ratio sluice / llama.cpp. Not part of CI.
#
#   bench/compare-batched-llamacpp.sh [MODEL_SPEC...]   MODEL_SPEC = shape:type, e.g. 110m:q8_0 1b:q4_0
#
# Without arguments: 110m q8_0, 110m q4_0 and 1b q4_0 (`sluice synth`, written once into MODELS_DIR);
# llama-batched-bench is built natively once by bench/llamacpp-flags.sh.
#
# Same work for both: N sequences of PROMPT random/unshared prompt tokens each, then OUTPUT tokens each,
# F16 KV (llama.cpp's default; bench-batch gets --kv-type f16). llama.cpp's figure is its S_TG
# (N x OUTPUT / the generation phase's time, all N in lockstep); Sluice's is bench-batch's aggregate
# decode tok/s while all N sequences decode.
#
# Environment: THREADS (default: nproc), CONCURRENCY (1,4,16), PROMPT (128), OUTPUT (64 for 110m, 32 for
# 1b), ROUNDS (1; even rounds run llama.cpp first), MODELS_DIR (bench/out/models), SLUICE_LLAMACPP_DIR /
# SLUICE_LLAMACPP_SRC (see llamacpp-flags.sh). Raw output under bench/out/batched-compare/<time>/.
set -euo pipefail
# shellcheck source=llamacpp-flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/llamacpp-flags.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
threads="${THREADS:-$(nproc)}"
conc="${CONCURRENCY:-1,4,16}"
prompt="${PROMPT:-128}"
rounds="${ROUNDS:-1}"
models_dir="${MODELS_DIR:-$here/out/models}"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(110m:q8_0 110m:q4_0 1b:q4_0)

die() { echo "compare-batched-llamacpp: $*" >&2; exit 1; }
say() { echo "compare-batched-llamacpp: $*" >&2; }
command -v python3 >/dev/null || die "python3 is needed (the table)"

batched_bin="$(llamacpp_bin llama-batched-bench)"
"$root/sluice" --version >/dev/null   # builds the jars now if stale, not inside a timed run

synth_models "$models_dir" "${specs[@]}"

out="$here/out/batched-compare/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
max_n="$(tr ',' '\n' <<< "$conc" | sort -n | tail -1)"

run_llamacpp() { # FILE OUTPUT TAG
  "$batched_bin" -m "$1" -t "$threads" -tb "$threads" -c $(( max_n * (prompt + $2) + 16 )) \
      -npp "$prompt" -ntg "$2" -npl "$conc" --output-format jsonl > "$out/$3.llamacpp.txt" 2> "$out/$3.llamacpp.log" \
    || die "llama-batched-bench failed, see $out/$3.llamacpp.log"
}
run_sluice() { # FILE OUTPUT TAG
  "$root/sluice" bench-batch --model "$1" --threads "$threads" --concurrency "$conc" --prompt "$prompt" \
      --output "$2" --kv-type f16 --json > "$out/$3.sluice.json" 2> "$out/$3.sluice.log" \
    || die "sluice bench-batch failed, see $out/$3.sluice.log"
}

say "$threads threads, N = $conc, prompt $prompt, $rounds round(s); raw output in $out"
for spec in "${specs[@]}"; do
  shape="${spec%%:*}"; type="${spec##*:}"
  f="$models_dir/synth-$shape-$type.gguf"
  output="${OUTPUT:-$([ "$shape" = 1b ] && echo 32 || echo 64)}"
  for r in $(seq 1 "$rounds"); do
    tag="$shape-$type-$r"
    if [ $(( r % 2 )) -eq 1 ]; then order=(sluice llamacpp); else order=(llamacpp sluice); fi
    for engine in "${order[@]}"; do
      say "$shape $type round $r: $engine (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      cut -d' ' -f1 /proc/loadavg >> "$out/$tag.load"
      "run_$engine" "$f" "$output" "$tag"
    done
  done
done

python3 - "$out" "$threads" "$prompt" "${specs[@]}" <<'PY'
import glob, json, os, statistics, sys
out, threads, prompt, specs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def f(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"
rows = [["model", "N", "decode tok/s sluice", "llama.cpp", "ratio", "output", "load avg"]]
for spec in specs:
    shape, typ = spec.split(":")
    sl, ll, loads, output = {}, {}, [], "?"
    for path in sorted(glob.glob(f"{out}/{shape}-{typ}-*.sluice.json")):
        j = json.load(open(path))
        output = str(j["output"])
        for run in j["runs"]:
            if run["decode_tok_s"] != "NaN":  # NaN: the sequences never all decoded at once (too short)
                sl.setdefault(run["concurrency"], []).append(float(run["decode_tok_s"]))
        text = open(path.replace(".sluice.json", ".llamacpp.txt")).read() + open(path.replace(".sluice.json", ".llamacpp.log")).read()
        for line in text.splitlines():
            if line.startswith("{") and "speed_tg" in line:
                e = json.loads(line)
                ll.setdefault(e["pl"], []).append(e["speed_tg"])
        loads += [float(x) for x in open(path.replace(".sluice.json", ".load")).read().split()]
    for n in sorted(sl):
        if n not in ll:
            continue
        s, l = statistics.median(sl[n]), statistics.median(ll[n])
        rows.append([f"{shape} {typ}", str(n), f(s), f(l), f"{s / l:.2f}x", output,
                     f"{min(loads):.0f}-{max(loads):.0f}" if loads else "-"])
print(f"aggregate decode tok/s, {threads} threads, prompt {prompt} per sequence, F16 KV, medians over rounds; "
      "ratio = sluice / llama.cpp (target >= 0.9x)")
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print("| " + " | ".join(x.ljust(w) for x, w in zip(rows[0], widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows[1:]:
    print("| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |")
PY
