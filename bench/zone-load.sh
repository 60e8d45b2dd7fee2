#!/usr/bin/env bash
# zone-load.sh [RECORDS]: time `cairn zone load` of a generated zone (default 1,000,000 records),
# then start `cairn serve` on that store and report the snapshot build time and the heap the
# served zone takes per record (live heap after GC, minus the same server with an empty store).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
records=${1:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-load.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
names=$(( records * 100 / 135 ))   # gen-zone.sh writes ~1.35 records per name
"$bench_root/bench/gen-zone.sh" load.example "$names" "$work/load.zone" "$work/queries"
count=$(grep -vc '^\$' "$work/load.zone")
echo "zone file: $count records, $(du -h "$work/load.zone" | cut -f1)"

start=$(date +%s.%N)
"$bench_root/cairn" zone load --db "$work/db" --origin load.example "$work/load.zone"
end=$(date +%s.%N)
secs=$(python3 -c "print(f'{$end-$start:.1f}')")
echo "load: ${secs}s, $(python3 -c "print(int($count/($end-$start)))") records/s, store $(du -h "$work/db.mv.db" | cut -f1)"

p1=$(free_port); serve_cairn "$work" "$work/db" "$p1"
pid1=$(cairn_jvm "$p1")
build=$(grep -o 'read_and_build_ms=[0-9]*' "$work/serve-$p1.log" | head -1)
used=$(live_heap "$pid1")
p2=$(free_port); serve_cairn "$work" "$work/empty" "$p2"
pid2=$(cairn_jvm "$p2")
base=$(live_heap "$pid2")
echo "snapshot: $build; live heap $((used / 1048576)) MiB vs $((base / 1048576)) MiB empty: $(( (used - base) / count )) bytes/record"
