#!/usr/bin/env bash
# Sluice's /v1/embeddings against llama.cpp's llama-embedding on the same files and inputs: cosine per
# input (not in CI). Files: stories260K (mean and last pooling) and two synthetic BERT encoders written by
# `sluice synth` with the real bge vocabulary (bert-tiny, CLS; bge-small, mean).
#
#   bench/compare-embeddings.sh
#
# llama-embedding can exit 0 with its JSON cut off (its logger thread is not joined at exit):
# embeddings_cosine.py checks the JSON and reruns it, failing loudly after 8 cut-off runs.
#
# llama.cpp's llama-embedding is built once, natively, by bench/llamacpp-flags.sh (node-llama-cpp's
# source bundle from npm; SLUICE_LLAMACPP_DIR, default bench/out/llamacpp).
set -euo pipefail
# shellcheck source=llamacpp-flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/llamacpp-flags.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
shared="${SLUICE_SHARED:-$root/../shared}"
work="$here/out/embeddings"
die() { echo "compare-embeddings: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is needed"
bin="$(llamacpp_bin llama-embedding)"
mkdir -p "$work"
vocab="$shared/models/tokenizer-tests/ggml-vocab-bert-bge.gguf"
[ -f "$work/bert-tiny.gguf" ] || "$root/sluice" synth --shape bert-tiny --type f32 --vocab "$vocab" --out "$work/bert-tiny.gguf" >&2
[ -f "$work/bge-small-mean.gguf" ] || "$root/sluice" synth --shape bge-small --type f32 --vocab "$vocab" \
    --pooling mean --out "$work/bge-small-mean.gguf" >&2
port=18101
for run in "$shared/models/stories260K.gguf mean" "$shared/models/stories260K.gguf last" \
           "$work/bert-tiny.gguf cls" "$work/bge-small-mean.gguf mean"; do
  set -- $run
  LLAMA_EMBEDDING="$bin" SLUICE="$root/sluice" python3 "$here/embeddings_cosine.py" "$1" "$2" "$port"
  port=$((port + 1))
done
