#!/usr/bin/env bash
# Prepares what the GPU machine needs for bench/cuda-device-check.sh, HERE (where the JDK, Maven,
# nvcc and gcc are): builds the CLI with the cuda module (nvcc makes the fatbin; no GPU needed), then
# assembles .cuda-device/ (gitignored; the device tool carries it: carry [".cuda-device"], at most
# 64 MiB), with
#   lib/     the CLI's jars (sluice-cuda's holds the fatbin), only those the device run loads
#   jre.tar.gz  a jlink'd JDK 25 runtime (packed; the device script unpacks it into /tmp) with only
#            the JDK modules the device run loads; its launcher carries the JVM flags (--add-options)
#   sluice_kernels.fatbin   the same fatbin, loose, for cuobjdump on the device machine
#   models/  stories260K.gguf and its derived q8_0/q4_0 files from ../shared (the backend contract)
# Which jars and modules the run loads is measured, not guessed: the device script runs here first as a
# dry run (the cuda module's stand-in libcuda, built with gcc; the 110m shape) on the full JDK and
# every jar with -Xlog:class+load; what no class came from is left out; then the dry run runs again
# on the trimmed folder and must pass, so a missing jar or module shows here, not on the device.
# The GPU machine has no JDK, no Maven and no network. Then, there: bash bench/cuda-device-check.sh
# Takes 3-5 minutes on 2 busy cores. SKIP_DRY_RUN=1 skips the checking dry run (not the measuring one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/.cuda-device"
limit_mib=64
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
jdk=""
for c in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  if [ -x "$c/bin/jlink" ] && [ "$(java_major "$c/bin/java")" = 25 ]; then jdk="$c"; break; fi
done
[ -n "$jdk" ] || { echo "cuda-device-prep: no JDK 25 with jlink found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$jdk"
command -v gcc >/dev/null || { echo "cuda-device-prep: gcc is needed for the dry run's stand-in libcuda" >&2; exit 1; }

./mvnw -B -o -q -pl cli -am package -DskipTests
fatbin=cuda/target/classes/ai/sluice/cuda/sluice_kernels.fatbin
[ -f "$fatbin" ] || { echo "cuda-device-prep: $fatbin was not built (is nvcc installed?)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/lib" "$out/models"
cp cli/target/sluice.jar cli/target/lib/*.jar "$out/lib/"
cp "$fatbin" "$out/"
shared="${SLUICE_SHARED:-$root/../shared}"
for m in "$shared/models/stories260K.gguf" "$shared/models/derived/stories260K-q8_0.gguf" \
         "$shared/models/derived/stories260K-q4_0.gguf"; do
  if [ -f "$m" ]; then cp "$m" "$out/models/"; else echo "cuda-device-prep: $m missing: its contract check will be skipped" >&2; fi
done
git -C "$root" rev-parse HEAD > "$out/commit"

# ---- which jars and JDK modules the run loads: the dry run on the full JDK, every class load logged
work="$(mktemp -d /tmp/cuda-device-prep.XXXXXX)"
trap '[ $? = 0 ] && rm -rf "$work" || echo "cuda-device-prep: kept $work" >&2' EXIT
echo "cuda-device-prep: dry run on the full JDK to see which jars and modules load (log: $work/dry-run-1/summary.txt)" >&2
mkdir -p "$work/trace"
JAVA="$jdk/bin/java" JAVA_OPTS="-Xshare:off -Xlog:class+load=info:file=$work/trace/%p.log" OUT="$work/dry-run-1" \
  MODELS_DIR="$work/models" BUDGET_S=3600 bash bench/cuda-device-check.sh --dry-run >/dev/null \
  || { cat "$work/dry-run-1/summary.txt" >&2; echo "cuda-device-prep: the dry run failed (above)" >&2; exit 1; }
cat "$work"/trace/*.log > "$work/classes.log"
grep -o 'source: file:[^ ]*\.jar' "$work/classes.log" | sed 's|.*/||' | sort -u > "$work/jars-used.txt"
kept=0
for j in "$out"/lib/*.jar; do
  if grep -qxF "$(basename "$j")" "$work/jars-used.txt"; then kept=$((kept + 1)); else rm "$j"; fi
done
[ -f "$out/lib/sluice.jar" ] && [ -n "$(ls "$out"/lib/sluice-cuda-*.jar 2>/dev/null)" ] \
  || { echo "cuda-device-prep: the class-load trace did not name sluice.jar and sluice-cuda (see $work/classes.log)" >&2; trap - EXIT; exit 1; }
# JDK modules classes came from, and the ones the CPU backend's memory query and the kernels need
# (loaded reflectively or only on some machines)
# less the ones whose classes are only probed for: jdk.localedata (11 MB: CLDR locales beyond English)
# and the security providers the JDK lists at start-up (no TLS on the device run); the second dry run
# checks the run does without them. java.desktop stays (19 MB): jinjava (chat templates) needs java.beans.
not_needed='^(jdk.localedata|jdk.crypto.cryptoki|java.smartcardio|java.security.jgss|java.security.sasl|java.xml.crypto|jdk.security.jgss)$'
modules="$( { grep -o 'source: jrt:/[a-z.]*' "$work/classes.log" | sed 's|source: jrt:/||' | grep -Ev "$not_needed";
             printf '%s\n' java.base java.management jdk.management jdk.incubator.vector java.desktop; } | sort -u | paste -sd, -)"
echo "cuda-device-prep: $kept jars loaded of $(ls cli/target/lib/*.jar | wc -l) + sluice.jar; JDK modules: $modules" >&2

"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --add-options="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC" \
  --output "$out/jre" 2>&1 | { grep -v 'Using incubator modules' >&2 || true; }

# The JRE goes packed (gzip: 66 MB of files, ~42 MB packed; with the jars that keeps the folder under the
# limit); the device script unpacks it into /tmp.
tar czf "$out/jre.tar.gz" -C "$out" jre
rm -rf "$out/jre"

# ---- the dry run again, on exactly what will be carried
if [ "${SKIP_DRY_RUN:-0}" != 1 ]; then
  echo "cuda-device-prep: dry run on the trimmed .cuda-device (log: $work/dry-run-2/summary.txt)" >&2
  OUT="$work/dry-run-2" MODELS_DIR="$work/models" JRE_DIR="$work/jre" BUDGET_S=3600 bash bench/cuda-device-check.sh --dry-run >/dev/null \
    || { cat "$work/dry-run-2/summary.txt" >&2; echo "cuda-device-prep: the dry run on the trimmed folder failed (above)" >&2; exit 1; }
  cp "$work/dry-run-2/summary.txt" "$out/dry-run-summary.txt"
fi

mib=$(( $(du -sk "$out" | cut -f1) / 1024 ))
echo "cuda-device-prep: ${mib} MiB in $out (jre.tar.gz $(du -sh "$out/jre.tar.gz" | cut -f1), jars $(du -ch "$out"/lib/*.jar | tail -1 | cut -f1)); commit $(cat "$out/commit")"
if [ "$mib" -ge "$limit_mib" ]; then
  echo "cuda-device-prep: over the device tool's ${limit_mib} MiB carry limit" >&2
  exit 1
fi
echo "cuda-device-prep: next, the device tool: run(command=\"bash bench/cuda-device-check.sh\", carry=[\".cuda-device\"], timeout_s=560)"
