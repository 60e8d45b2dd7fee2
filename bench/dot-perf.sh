#!/usr/bin/env bash
# dot-perf.sh [SECONDS] [CLIENTS]: dnsperf -m dot against Cairn and BIND 9 (listen-on tls) on
# loopback, same zone and query mix: long-lived connections, then 100, 10 and 1 queries per
# connection (handshake-bound). Prints queries/s and the ratio Cairn/BIND per row.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-10} clients=${2:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-dot.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
"$bench_root/bench/gen-zone.sh" bench.example 100000 "$work/bench.zone" "$work/queries"
"$bench_root/cairn" zone load --db "$work/db" --origin bench.example "$work/bench.zone" >/dev/null
cairn_port=$(free_port) cairn_tls=$(free_port) bind_tls=$(free_port) bind_plain=$(free_port)
start_named "$work" "$bind_tls" bench.example "$work/bench.zone" "$bind_plain"
"$bench_root/cairn" serve --db "$work/db" --listen "127.0.0.1:$cairn_port" --tls-listen "127.0.0.1:$cairn_tls" \
  >"$work/cairn.log" 2>&1 &
echo $! >"$work/cairn.pidfile"
wait_for_dns "$bind_plain" bench.example
wait_for_dns "$cairn_port" bench.example

run() { # NAME PORT [LONG OPTION]
  dnsperf -s 127.0.0.1 -p "$2" -m dot -d "$work/queries" -l "$seconds" -c "$clients" -t 5 ${3:+-O "$3"} \
    >"$work/$1-${3:-long}.log" 2>&1 || true
  qps "$work/$1-${3:-long}.log"
}
run cairn "$cairn_tls" >/dev/null   # warm-up for both
run bind "$bind_tls" >/dev/null
printf '%-28s %12s %12s %8s\n' connections cairn_qps bind_qps ratio
for opt in "" num-queries-per-conn=100 num-queries-per-conn=10 num-queries-per-conn=1; do
  c=$(run cairn "$cairn_tls" "$opt")
  b=$(run bind "$bind_tls" "$opt")
  printf '%-28s %12.0f %12.0f %8s\n' "${opt:-long-lived}" "${c:-0}" "${b:-0}" "$(ratio "${c:-0}" "${b:-0}")"
done
echo "logs: $work"
