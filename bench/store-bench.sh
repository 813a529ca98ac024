#!/usr/bin/env bash
# Model store benchmark (not in CI): pull throughput from a local S3 server (s3proxy, in memory)
# against the disk's sequential write speed measured in the same run, for a ~1 GiB model
# (synth 1b Q8_0, 1.09 GiB), then `sluice serve` time-to-ready cold (pull from S3) vs warm (cache).
# Usage: bench/store-bench.sh [WORKDIR] [RUNS]   (WORKDIR on the disk to measure; default /tmp/sluice-store-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/sluice-store-bench}"
runs="${2:-3}"
mkdir -p "$work"
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
./mvnw -q -B -o -DskipTests package >&2
./mvnw -q -B -o -pl store test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >&2
model="$work/synth-1b-q8_0.gguf"
[ -f "$model" ] || SLUICE_REBUILD=0 ./sluice synth --shape 1b --type q8_0 --out "$model" >&2
"$JAVA_HOME/bin/java" -Xmx6g -cp "store/target/test-classes:store/target/classes:$(cat "$work/cp.txt")" \
  ai.sluice.store.StoreBench "$model" "$work" "$PWD/sluice" "$runs"
