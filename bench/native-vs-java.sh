#!/usr/bin/env bash
# JMH: the native int8 kernels against the Java (Vector API) ones on one pinned core. Per shape,
# type and batch one JMH run measures both, back to back; ROUNDS rounds (default 3), the order
# flipping each time, so a busy machine's drift hits both alike. Prints per case the medians over
# every measured iteration of every round, the ratio, and ns per block (of 32 weights, per token).
#
#   bench/native-vs-java.sh [CPU] [LEVEL]    CPU to pin (default 0); LEVEL caps the native level
#                                            (SLUICE_NATIVE_LEVEL: avx2, avx-vnni, avx512-vnni)
# CPU_TIME=1: instead of JMH, KernelCpuTime (core tests, jmh package): the same cases, calls
# alternating java/native one by one, each timed in thread CPU time (a busy machine's waits for the
# core do not count), medians of 31 calls. CPU_TIME=attention: AttentionCpuTime, the same for attention
# over an F16 KV cache (Java loops vs native ones, a 16-sequence decode step of a 110m-like model),
# one process per path, ROUNDS rounds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cpu="${1:-0}"
export SLUICE_NATIVE_LEVEL="${2:-}"
rounds="${ROUNDS:-3}"
out="${OUT:-bench/out/native-vs-java}"
rm -rf "$out"
mkdir -p "$out"
rm -rf core/target/test-classes core/target/generated-test-sources
./mvnw -q -B -Pjmh -pl core -am -DskipTests test-compile >&2
./mvnw -q -B -pl core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >&2
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cp="core/target/test-classes:core/target/classes:$(cat core/target/jmh.classpath)"
if [ "${CPU_TIME:-0}" = 1 ]; then
  exec taskset -c "$cpu" "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
    ai.sluice.core.tensor.jmh.KernelCpuTime 2> >(grep -v '^WARNING: Using incubator' >&2)
fi
if [ "${CPU_TIME:-0}" = attention ]; then # one process per path and round, the order flipped each round
  for round in $(seq "$rounds"); do
    order="java native"; [ $((round % 2)) = 0 ] && order="native java"
    for path in $order; do
      taskset -c "$cpu" "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
        ai.sluice.core.tensor.jmh.AttentionCpuTime "$path" 2> >(grep -v '^WARNING: Using incubator\|INFO\|CpuBackend' >&2)
    done
  done
  exit 0
fi
echo "CPU flags: $(grep -o 'avx512[a-z_]*\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' '); load: $(cut -d' ' -f1-3 /proc/loadavg)"
flip=0
for round in $(seq "$rounds"); do
  for shape in 2048x2048 5632x2048; do
    for type in Q8_0 Q4_0; do
      for batch in 1 32; do
        order=java,native; [ $flip = 1 ] && order=native,java; flip=$((1 - flip))
        taskset -c "$cpu" "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
          org.openjdk.jmh.Main MatmulBenchmark -p shape="$shape" -p type="$type" -p batch="$batch" -p threads=1 \
          -p kernels="$order" -f 1 -wi 3 -i 5 -w 1 -r 1 -rf json -rff "$out/$shape-$type-$batch-$round.json" >/dev/null 2>&1
      done
    done
    flip=$((1 - flip))
  done
done
python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
samples = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    for r in json.load(open(f)):
        p = r["params"]
        key = (p["shape"], p["type"], int(p["batch"]))
        samples.setdefault(key, {}).setdefault(p["kernels"], []).extend(v for it in r["primaryMetric"]["rawData"] for v in it)
print(f"{'shape':<10} {'type':<5} {'batch':>5} {'java us':>10} {'native us':>10} {'ratio':>7} {'java ns/blk':>12} {'native ns/blk':>13} {'n':>3}")
for (shape, typ, batch), k in sorted(samples.items(), key=lambda e: (e[0][0], e[0][1], e[0][2])):
    rows, cols = map(int, shape.split("x"))
    blocks = rows * cols / 32 * batch
    j, n = statistics.median(k["java"]), statistics.median(k["native"])
    print(f"{shape:<10} {typ:<5} {batch:>5} {j:10.1f} {n:10.1f} {j / n:6.2f}x {j * 1e3 / blocks:12.3f} {n * 1e3 / blocks:13.3f} {len(k['native']):>3}")
PY
