#!/usr/bin/env bash
# JMH: the native int8 kernels against the Java (Vector API) ones, one pinned core, the two always
# measured back to back (one JMH run per shape, type and batch, the order alternating between runs),
# so that a busy machine's drift hits both alike. Prints one line per case: medians and the ratio.
#
#   bench/native-vs-java.sh [CPU] [LEVEL]    CPU to pin (default 0); LEVEL caps the native level
#                                            (SLUICE_NATIVE_LEVEL: avx2, avx-vnni, avx512-vnni)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cpu="${1:-0}"
export SLUICE_NATIVE_LEVEL="${2:-}"
out="${OUT:-bench/out/native-vs-java}"
mkdir -p "$out"
rm -rf core/target/test-classes core/target/generated-test-sources
./mvnw -q -B -Pjmh -pl core -am -DskipTests test-compile >&2
./mvnw -q -B -pl core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >&2
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cp="core/target/test-classes:core/target/classes:$(cat core/target/jmh.classpath)"
grep -o 'avx512[a-z_]*\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ' >&2; echo >&2
printf '%-10s %-5s %-5s %12s %12s %8s %12s %12s\n' shape type batch java_us native_us ratio java_ns/blk native_ns/blk
flip=0
for shape in 2048x2048 5632x2048; do
  for type in Q8_0 Q4_0; do
    for batch in 1 32; do
      order=java,native; [ $flip = 1 ] && order=native,java; flip=$((1 - flip))
      json="$out/$shape-$type-$batch.json"
      taskset -c "$cpu" "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
        org.openjdk.jmh.Main MatmulBenchmark -p shape="$shape" -p type="$type" -p batch="$batch" -p threads=1 \
        -p kernels="$order" -f 1 -wi 3 -i 7 -w 1 -r 1 -rf json -rff "$json" >/dev/null 2>&1
      python3 - "$json" "$shape" "$type" "$batch" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))
med = {r["params"]["kernels"]: statistics.median(v for it in r["primaryMetric"]["rawData"] for v in it) for r in runs}
rows, cols = map(int, sys.argv[2].split("x"))
blocks = rows * cols / 32 * int(sys.argv[4])
j, n = med["java"], med["native"]
print(f"{sys.argv[2]:<10} {sys.argv[3]:<5} {sys.argv[4]:<5} {j:12.1f} {n:12.1f} {j / n:7.2f}x {j * 1e3 / blocks:12.3f} {n * 1e3 / blocks:12.3f}")
PY
    done
  done
done
