#!/usr/bin/env bash
# jmh.sh [JMH ARGS]: JMH microbenchmarks of hot code (bench/jmh, not part of the root reactor).
# Installs the project's modules to the local repository, builds bench/jmh/target/benchmarks.jar and
# runs it with the given JMH arguments (default: a short run of every benchmark), bounded in time.
#   bench/jmh.sh                                   # all benchmarks, short settings
#   bench/jmh.sh ZoneSnapshotBench.lookup -f 2     # a regex selects benchmarks
#   bench/jmh.sh -l                                # list them
# JMH_TIMEOUT (seconds, default 1800) bounds the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 3 -i 5 -w 1s -r 1s
fi

echo "== installing the project's modules (mvn install -DskipTests)" >&2
(cd "$root" && { mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests; })
echo "== building bench/jmh" >&2
(cd "$root/bench/jmh" && { mvn -q -B -o package || mvn -q -B package; })

exec timeout --foreground -k 10 "${JMH_TIMEOUT:-1800}" java -jar "$root/bench/jmh/target/benchmarks.jar" "$@"
