#!/usr/bin/env bash
# query-perf.sh: dnsperf against Cairn and NSD on loopback, same zone, same query mix, same run.
# Prints queries/s per transport and the ratio Cairn/NSD. Needs: nsd, dnsperf, dig (Debian packages
# nsd, dnsperf, bind9-dnsutils). Usage: bench/query-perf.sh [SECONDS] [CLIENTS] [NAMES]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-10} clients=${2:-10} names=${3:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT

"$bench_root/bench/gen-zone.sh" bench.example "$names" "$work/bench.zone" "$work/queries"
"$bench_root/cairn" zone load --db "$work/db" --origin bench.example "$work/bench.zone" >/dev/null

nsd_port=$(free_port) cairn_port=$(free_port)
start_nsd "$work" "$nsd_port" bench.example bench.zone
"$bench_root/cairn" serve --db "$work/db" --listen "127.0.0.1:$cairn_port" >"$work/cairn.log" 2>&1 &
echo $! >"$work/cairn.pidfile"
wait_for_dns "$nsd_port" bench.example
wait_for_dns "$cairn_port" bench.example

run() { # run NAME PORT MODE
  dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries" -l "$seconds" -c "$clients" -t 2 -m "$3" \
    >"$work/$1-$3.log" 2>&1 || true
  qps "$work/$1-$3.log"
}

# JIT warm-up for Cairn, and the same untimed run for NSD so both see equal treatment.
dnsperf -s 127.0.0.1 -p "$cairn_port" -d "$work/queries" -l 5 -c "$clients" >/dev/null 2>&1 || true
dnsperf -s 127.0.0.1 -p "$nsd_port" -d "$work/queries" -l 5 -c "$clients" >/dev/null 2>&1 || true

printf '%-6s %12s %12s %8s\n' mode cairn_qps nsd_qps ratio
for mode in udp tcp; do
  c=$(run cairn "$cairn_port" "$mode")
  n=$(run nsd "$nsd_port" "$mode")
  printf '%-6s %12.0f %12.0f %8s\n' "$mode" "${c:-0}" "${n:-0}" "$(ratio "${c:-0}" "${n:-0}")"
done
echo "logs: $work"
