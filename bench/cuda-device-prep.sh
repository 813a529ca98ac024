#!/usr/bin/env bash
# Prepares what the GPU machine needs to run the CUDA device check, HERE (where the JDK and Maven
# are): builds core and cuda (nvcc makes the fatbin; no GPU needed), then assembles .cuda-device/
# (gitignored) with
#   jre/     a jlink'd JDK 25 runtime with only the modules the check uses; its launcher carries the
#            JVM flags (--add-options), so `jre/bin/java` needs none
#   lib/     sluice-core and sluice-cuda jars (the fatbin is inside sluice-cuda's)
#   sluice_kernels.fatbin   the same fatbin, loose, for cuobjdump on the device machine
#   models/  stories260K.gguf and its derived q8_0/q4_0 files from ../shared (for the backend contract)
# The GPU machine has no JDK and no network; the `device` tool carries this folder (carry:
# [".cuda-device"], well under its 64 MiB). Then, there: bash bench/cuda-device-check.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/.cuda-device"
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
jdk=""
for c in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -x "$c/bin/jlink" ] && [ "$(java_major "$c/bin/java")" = 25 ]; then jdk="$c"; break; fi
done
[ -n "$jdk" ] || { echo "cuda-device-prep: no JDK 25 with jlink found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$jdk"

./mvnw -B -o -q -pl cuda -am package -DskipTests
fatbin=cuda/target/classes/ai/sluice/cuda/sluice_kernels.fatbin
[ -f "$fatbin" ] || { echo "cuda-device-prep: $fatbin was not built (is nvcc installed?)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/lib"
cp core/target/sluice-core-*.jar cuda/target/sluice-cuda-*.jar "$out/lib/"
rm -f "$out"/lib/*-tests.jar "$out"/lib/*-sources.jar
cp "$fatbin" "$out/"
# stories260K and its q8_0/q4_0 derivatives (1.8 MB; test data, never committed): the device check runs the
# CUDA backend's contract against the CPU backend on them (the device machine has no ../shared)
shared="${SLUICE_SHARED:-$root/../shared}"
mkdir -p "$out/models"
for m in "$shared/models/stories260K.gguf" "$shared/models/derived/stories260K-q8_0.gguf" \
         "$shared/models/derived/stories260K-q4_0.gguf"; do
  if [ -f "$m" ]; then cp "$m" "$out/models/"; else echo "cuda-device-prep: $m missing: its contract check will be skipped" >&2; fi
done
# Modules: java.base, jdk.incubator.vector for core's kernels and row codecs (the check's CPU reference
# and the CPU backend of the contract check), java.management + jdk.management for CpuBackend's memory
# query. jdeps on the two jars:
#   jdeps --print-module-deps --ignore-missing-deps --multi-release 25 .cuda-device/lib/*.jar
modules=java.base,java.management,jdk.management,jdk.incubator.vector
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --add-options="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC" \
  --output "$out/jre" 2>&1 | { grep -v 'Using incubator modules' >&2 || true; }
git -C "$root" rev-parse HEAD > "$out/commit"
"$out/jre/bin/java" -Xshare:auto -cp "$out/lib/*" ai.sluice.cuda.check.DeviceCheck --quick >/dev/null 2>&1 \
  && echo "cuda-device-prep: warning: the check passed here, which has no GPU?" >&2 || true
echo "cuda-device-prep: $(du -sh "$out" | cut -f1) in $out (jre $(du -sh "$out/jre" | cut -f1), jars $(du -ch "$out"/lib/*.jar | tail -1 | cut -f1)); commit $(cat "$out/commit")"
echo "cuda-device-prep: next, on the GPU machine: bash bench/cuda-device-check.sh   (device tool: carry [\".cuda-device\"])"
