#!/usr/bin/env bash
# Sluice vs llama.cpp on the very same GGUF files and thread count, prefill and decode, one table.
#
#   bench/compare-llamacpp.sh [MODEL_SPEC...]        MODEL_SPEC = shape:type, e.g. 110m:q8_0 1b:q4_0
#
# Without arguments: 110m f32/q8_0/q4_0 and 1b q8_0/q4_0. Not part of CI.
#
# What it does, caching each step under bench/out (ignored by git):
#  1. builds llama.cpp's llama-bench natively for this CPU once (bench/llamacpp-flags.sh: from the
#     source node-llama-cpp ships; ~10 min on 2 cores). The npm prebuilt binaries are generic builds;
#     a native build is the fair opponent.
#  2. writes the random-weight models with `sluice synth` into bench/out/models.
#  3. per model, ROUNDS times, runs llama-bench and then `sluice bench-engine` (interleaved, never
#     concurrently, so both see the same machine load; both prefill from an empty context and decode
#     after PROMPT tokens of context) and prints per model the medians over rounds
#     of each engine's median tok/s, their ratio, and decode as % of the measured read-bandwidth roofline.
#
# Both engines keep K/V in F16 (llama-bench's default `-ctk/-ctv f16`; Sluice gets `--kv-type KV_TYPE`).
#
# Environment: THREADS (default: nproc), PROMPT (128), DECODE (128), KV_TYPE (f16), RUNS (5: timed runs per engine
# and round), ROUNDS (1), NODE_LLAMA_CPP_VERSION (3.22.1), SLUICE_LLAMACPP_DIR (bench/out/llamacpp),
# JOBS (2: build parallelism), SLUICE_LLAMACPP_SRC (see llamacpp-flags.sh). Raw JSON of every run
# is kept in bench/out/compare/.
set -euo pipefail
# shellcheck source=llamacpp-flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/llamacpp-flags.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
threads="${THREADS:-$(nproc)}"
prompt="${PROMPT:-128}"
kv_type="${KV_TYPE:-f16}"
decode="${DECODE:-128}"
runs="${RUNS:-5}"
rounds="${ROUNDS:-1}"
models_dir="$here/out/models"
results="$here/out/compare"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(110m:f32 110m:q8_0 110m:q4_0 1b:q8_0 1b:q4_0)

die() { echo "compare-llamacpp: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is needed (it prints the table)"

# 1. llama.cpp's llama-bench, built natively once (bench/llamacpp-flags.sh)
bench_bin="$(llamacpp_bin llama-bench)"

# 2. the models
mkdir -p "$results"
synth_models "$models_dir" "${specs[@]}"

# 3. interleaved runs
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$results/$stamp"
mkdir -p "$out"
echo "compare-llamacpp: $threads threads, prompt $prompt, decode $decode, $runs runs x $rounds rounds; raw JSON in $out" >&2
for spec in "${specs[@]}"; do
  shape="${spec%%:*}"; type="${spec##*:}"
  f="$models_dir/synth-$shape-$type.gguf"
  for r in $(seq 1 "$rounds"); do
    echo "compare-llamacpp: $shape $type round $r: llama.cpp" >&2
    # prefill from an empty context, then decode after a prompt's worth of context (-d), as
    # bench-engine decodes right after its prompt: tg at depth 0 would give llama.cpp shorter
    # attention (110m q8_0: 172 tok/s at depth 0, 152 at depth 128)
    { "$bench_bin" -m "$f" -t "$threads" -p "$prompt" -n 0 -r "$runs" -o json \
        > "$out/$shape-$type-$r.llamacpp-pp.json" \
      && "$bench_bin" -m "$f" -t "$threads" -p 0 -n "$decode" -d "$prompt" -r "$runs" -o json \
        > "$out/$shape-$type-$r.llamacpp-tg.json"; } 2> "$out/$shape-$type-$r.llamacpp.log" \
        || die "llama-bench failed on $f, see $out/$shape-$type-$r.llamacpp.log"
    echo "compare-llamacpp: $shape $type round $r: sluice" >&2
    "$root/sluice" bench-engine --model "$f" --threads "$threads" --prompt "$prompt" --decode "$decode" \
        --kv-type "$kv_type" --runs "$runs" --json > "$out/$shape-$type-$r.sluice.json" \
        || die "sluice bench-engine failed on $f"
  done
done

# The table: node is there anyway (npm needs it) and parses JSON without extra tools.
node - "$out" "$threads" "${specs[@]}" <<'JS'
const fs = require("fs");
const [outDir, threads, ...specs] = process.argv.slice(2);
const median = xs => { const v = [...xs].sort((a, b) => a - b); const m = v.length >> 1;
                       return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
const f1 = x => x >= 100 ? x.toFixed(0) : x.toFixed(1);
const rows = [["model", "type", "prefill sluice", "prefill llama.cpp", "ratio", "decode sluice",
               "decode llama.cpp", "ratio", "sluice % roofline", "llama.cpp % roofline"]];
let rss = [];
for (const spec of specs) {
  const [shape, type] = spec.split(":");
  const rounds = fs.readdirSync(outDir).filter(n => n.startsWith(`${shape}-${type}-`) && n.endsWith(".sluice.json"));
  const sp = [], sd = [], lp = [], ld = [], pct = [], lpct = [];
  for (const name of rounds) {
    const s = JSON.parse(fs.readFileSync(`${outDir}/${name}`, "utf8"));
    const read = suffix => JSON.parse(fs.readFileSync(`${outDir}/${name.replace(".sluice.json", suffix)}`, "utf8"));
    // llama-bench: the prompt test (n_gen 0) and, from the second run, generation at depth = prompt
    const lpp = read(".llamacpp-pp.json").find(e => e.n_gen === 0);
    const ltg = read(".llamacpp-tg.json").find(e => e.n_prompt === 0);
    sp.push(s.prefill_tok_s); sd.push(s.decode_tok_s);
    lp.push(median(lpp.samples_ts)); ld.push(median(ltg.samples_ts));
    if (s.bandwidth_gb_s) {
      pct.push(s.decode_pct_of_roofline);
      lpct.push(100 * median(ltg.samples_ts) * s.weight_bytes_per_token / (s.bandwidth_gb_s * 1e9));
    }
    if (s.rss_mib) rss.push(`${shape} ${type}: RSS ${s.rss_mib.toFixed(0)} MiB, weights ${(s.weight_file_mib ?? 0).toFixed(0)} MiB + KV ${(s.kv_mib ?? 0).toFixed(0)} MiB`);
  }
  const P = median(sp), LP = median(lp), D = median(sd), LD = median(ld);
  rows.push([shape, type, f1(P), f1(LP), (P / LP).toFixed(2) + "x", f1(D), f1(LD), (D / LD).toFixed(2) + "x",
             pct.length ? median(pct).toFixed(0) + "%" : "-", lpct.length ? median(lpct).toFixed(0) + "%" : "-"]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
console.log(`tok/s, ${threads} threads, medians; ratio = sluice / llama.cpp`);
console.log("| " + rows[0].map((x, c) => x.padEnd(widths[c])).join(" | ") + " |");
console.log("|" + widths.map(w => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows.slice(1)) console.log("| " + r.map((x, c) => x.padEnd(widths[c])).join(" | ") + " |");
for (const line of rss) console.log(line);
JS
