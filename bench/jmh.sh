#!/usr/bin/env bash
# Runs the JMH kernel benchmarks of core (profile jmh: compiles them with JMH's annotation processor).
#
#   bench/jmh.sh [JMH ARGS...]     e.g. bench/jmh.sh -p type=Q8_0 -p batch=1 -f 1 -wi 2 -i 3
#
# Not part of CI; `./mvnw verify` compiles the benchmark sources but generates and runs nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# a normal build compiles the same test sources without the processor and leaves no BenchmarkList:
# start the test classes afresh so the jmh profile's compile really runs
rm -rf core/target/test-classes core/target/generated-test-sources
./mvnw -q -B -Pjmh -pl core -am -DskipTests test-compile >&2
./mvnw -q -B -pl core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >&2
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "core/target/test-classes:core/target/classes:$(cat core/target/jmh.classpath)" \
  org.openjdk.jmh.Main "$@"
