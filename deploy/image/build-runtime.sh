#!/usr/bin/env bash
# Builds what the image holds besides the application jars, under OUT (default deploy/target):
#   OUT/image-root/opt/sluice/jre   a jlink'd Java runtime with only the modules Sluice uses; its launcher
#                                   carries the JVM options (--add-options), so `java` needs no flags
#   OUT/image-root/lib..., /etc     the glibc files that runtime links and the dynamic loader, copied from
#                                   this machine (the image starts FROM scratch: registry base images are
#                                   not reachable where Sluice is built), plus passwd/group for the non-root user
# Jib adds OUT/image-root as an extra directory; the Dockerfile copies the same tree.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../target}"
root="$out/image-root"

# The runtime's modules: what jdeps reports for the cli's class path (jdeps --print-module-deps), minus
# jdk.attach/jdk.jdi (a debugger agent in a test-only corner of a dependency), plus jdk.incubator.vector
# (the kernels), jdk.crypto.ec (TLS to S3 and HTTP model sources) and jdk.zipfs (jar file systems).
# java.desktop stays: Jinjava's expression language reads beans through java.beans. For the model store's
# S3 client (AWS SDK + Apache HttpClient 5, per jdeps on their jars): java.security.jgss and jdk.net;
# jdk.naming.dns for DNS lookups through JNDI (replica discovery). Re-run jdeps when dependencies change:
#   jdeps --print-module-deps --ignore-missing-deps --multi-release 25 cli/target/sluice.jar cli/target/lib/*.jar
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.incubator.vector,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
# Options every JVM in the image starts with. Heap follows the container's memory limit; -Xmn64m as
# ./sluice sets it (the JIT's first passes over the kernels would otherwise grow the young generation
# for good); no hsperfdata file, so a read-only root with no /tmp mount still starts.
options="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmn64m -XX:MaxRAMPercentage=75 -XX:-UsePerfData"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
find_jdk() {
  local c
  for c in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$c/bin/jlink" ] || continue
    [ "$(java_major "$c/bin/java")" = 25 ] && { echo "$c"; return 0; }
  done
  return 1
}
jdk="$(find_jdk)" || { echo "build-runtime: no JDK 25 with jlink found (set JAVA_HOME)" >&2; exit 1; }

rm -rf "$root"
# Jib reads the module's class output, which a module without sources never creates
mkdir -p "$out/classes"
mkdir -p "$root/opt/sluice" "$root/tmp" "$root/models" "$root/var/cache/sluice"
chmod 1777 "$root/tmp"
# No --compress: Jib gzips the layer anyway, and an uncompressed modules file starts faster.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --add-options="$options" --output "$root/opt/sluice/jre" 2>&1 | { grep -v 'Using incubator modules' >&2 || true; }

# The shared libraries the runtime needs from the system. The GUI halves of java.desktop (X11, ALSA,
# splash screen) are never loaded by a headless server, so their libraries are left out.
libs="$(find "$root/opt/sluice/jre" -type f \( -name '*.so' -o -path '*/bin/*' \) \
          ! -name 'libawt_xawt.so' ! -name 'libjawt.so' ! -name 'libjsound.so' ! -name 'libsplashscreen.so' -print0 \
        | xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' \
        | grep -v "^$root" | sort -u)"
for lib in $libs; do
  real="$(readlink -f "$lib")"
  mkdir -p "$root$(dirname "$lib")"
  cp "$real" "$root$lib"
done
# the loader path the binaries name (PT_INTERP) is /lib64/...; Debian keeps the file under /lib/x86_64-linux-gnu
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$root/lib64/ld-linux-x86-64.so.2" ]; then
  mkdir -p "$root/lib64"; cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
fi
cp -r "$here/rootfs/." "$root/"
# Scanners (Trivy, Grype) find OS packages through os-release and dpkg records: the same per-package
# status files distroless images carry, for the packages the copied libraries belong to.
if [ -r /etc/os-release ] && command -v dpkg-query >/dev/null 2>&1; then
  cp "$(readlink -f /etc/os-release)" "$root/etc/os-release"
  mkdir -p "$root/var/lib/dpkg/status.d"
  for lib in $libs; do
    { dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | head -1 | cut -d: -f1
  done | sort -u | while read -r pkg; do
    dpkg-query -s "$pkg" | grep -v '^Conffiles:' > "$root/var/lib/dpkg/status.d/$pkg"
  done
fi
# What went in, for the SBOM's readers and the README: the glibc package and version these files came from.
{
  echo "jdk $("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  echo "modules $modules"
  for lib in $libs; do
    pkg="$({ dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | head -1 | cut -d: -f1 || true)"
    ver="$( [ -n "$pkg" ] && dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown)"
    echo "lib $lib ${pkg:-unknown} $ver"
  done
} > "$root/opt/sluice/runtime.txt"
echo "build-runtime: $(du -sh "$root" | cut -f1) in $root ($(echo "$libs" | wc -w) system libraries)" >&2
