#!/usr/bin/env bash
# Sluice's /v1/embeddings against llama.cpp's llama-embedding on the same files and inputs: cosine per
# input (not in CI). Files: stories260K (mean and last pooling) and two synthetic BERT encoders written by
# `sluice synth` with the real bge vocabulary (bert-tiny, CLS; bge-small, mean).
#
#   bench/compare-embeddings.sh
#
# llama.cpp is built once, natively, as bench/compare-llamacpp.sh builds it (node-llama-cpp's source
# bundle from npm; SLUICE_LLAMACPP_DIR, default bench/out/llamacpp), here with the llama-embedding target.
set -euo pipefail
# shellcheck source=llamacpp-flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/llamacpp-flags.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dir="${SLUICE_LLAMACPP_DIR:-$here/out/llamacpp}"
version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
shared="${SLUICE_SHARED:-$root/../shared}"
work="$here/out/embeddings"
die() { echo "compare-embeddings: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is needed"
bin="$dir/build/bin/llama-embedding"
if [ ! -x "$bin" ]; then
  command -v npm >/dev/null && command -v cmake >/dev/null || die "npm and cmake are needed to build llama.cpp"
  mkdir -p "$dir"
  if [ ! -d "$dir/node_modules/node-llama-cpp" ]; then
    [ -f "$dir/package.json" ] || echo '{"private": true, "type": "module"}' > "$dir/package.json"
    (cd "$dir" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --loglevel=error \
        "node-llama-cpp@$version" >&2)
  fi
  [ -d "$dir/src" ] || git clone -q "$dir/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$dir/src" 2>/dev/null
  echo "compare-embeddings: building llama-embedding natively (log in $dir/build.log)" >&2
  nice -n 10 cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release $(llamacpp_isa_flags) -DLLAMA_CURL=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_SERVER=OFF > "$dir/cmake.log" 2>&1 \
      || die "cmake configure failed, see $dir/cmake.log"
  nice -n 10 cmake --build "$dir/build" --target llama-embedding -j2 > "$dir/build.log" 2>&1 \
      || die "llama.cpp build failed, see $dir/build.log"
fi
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
