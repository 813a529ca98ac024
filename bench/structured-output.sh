#!/usr/bin/env bash
# Structured output's cost (not in CI): time per token mask (median, p99; cold and warm caches) and
# decode tok/s of 16 concurrent sequences with and without a nested JSON schema, on a random-weight
# 110m-shape Llama (q8_0) written with the vocabulary size of a real tokenizer: llama-spm (32k) and
# qwen2 (152k) from ../shared/models/tokenizer-tests.
# Usage: bench/structured-output.sh [SECONDS_PER_ROUND] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
rounds="${2:-3}"
work=/tmp/sluice-structured-bench
mkdir -p "$work"
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
./mvnw -q -B -o -pl server -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >&2
cp="server/target/test-classes:server/target/classes:$(cat "$work/cp.txt")"
grep -o 'avx512[a-z_]*' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
for vocab in llama-spm qwen2; do
  "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g -cp "$cp" \
    ai.sluice.server.bench.StructuredOutputBenchmark "../shared/models/tokenizer-tests/ggml-vocab-$vocab.gguf" \
    "$seconds" "$rounds" 2>/dev/null
done
