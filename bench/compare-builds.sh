#!/usr/bin/env bash
# compare-builds.sh OLD_TREE NEW_TREE [ROUNDS] [RECORDS]: two Cairn builds side by side in one run,
# for a change that must not cost speed (a refactoring). Each tree is a checkout with its jar built
# (`mvn -DskipTests package`). ROUNDS (default 3) alternating rounds, the order flipped each round;
# per round and build:
#   - dnsperf UDP and TCP queries/s (QUERY_SECONDS, default 10) on a gen-zone.sh zone;
#   - AXFR out: seconds and primary CPU seconds for a kdig AXFR over XoT of a RECORDS-record zone
#     (default 500,000);
#   - transfer in: a fresh secondary of that build pulling the zone over XoT from the new build's
#     primary; its own served_ms (transfer + store + publish).
# Prints each figure per round, the medians and new/old (for times, old/new: >1 means new is faster).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd) rounds=${3:-3} records=${4:-500000}
seconds=${QUERY_SECONDS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-compare.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile "$work"/*/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
for tree in "$old" "$new"; do
  [ -f "$tree/tools/target/cairn.jar" ] || { echo "no $tree/tools/target/cairn.jar: build it first" >&2; exit 2; }
done

"$bench_root/bench/gen-zone.sh" bench.example 100000 "$work/bench.zone" "$work/queries"
"$bench_root/bench/gen-zone.sh" big.example $(( records * 100 / 135 )) "$work/big.zone" "$work/big-queries"
"$new/cairn" tls generate --dir "$work" --name bench.test >/dev/null
pin=$("$new/cairn" tls pin "$work/cert.pem")

# start_primary NAME TREE: a Cairn of TREE serving both zones over UDP/TCP and XoT; sets port_NAME,
# tls_NAME and pid_NAME.
start_primary() {
  local name=$1 tree=$2 port tls
  port=$(free_port) tls=$(free_port)
  cat >"$work/$name.yaml" <<YAML
database: $work/$name-db
listen: [127.0.0.1:$port]
tls-listen: [127.0.0.1:$tls]
tls: {certificate: $work/cert.pem, key: $work/key.pem}
zones:
  - {name: bench.example, file: $work/bench.zone}
  - {name: big.example, file: $work/big.zone, allow-transfer: [{address: 127.0.0.1}]}
xfr: {transfers-out: 20, transfers-out-per-address: 20}
YAML
  "$tree/cairn" serve --config "$work/$name.yaml" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pidfile"
  wait_for_dns "$port" bench.example 600
  wait_for_dns "$port" big.example 600
  printf -v "port_$name" %s "$port"
  printf -v "tls_$name" %s "$tls"
  printf -v "pid_$name" %s "$(java_pid "$(cat "$work/$name.pidfile")")"
}
start_primary old "$old"
start_primary new "$new"

cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
median() { python3 -c "import sys, statistics; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))" "$@"; }

query_qps() { # PORT MODE
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries" -l "$seconds" -c 10 -t 2 -m "$2" >"$work/dnsperf.log" 2>&1 || true
  qps "$work/dnsperf.log"
}
axfr_out() { # NAME: "seconds cpu_seconds" of one kdig AXFR over XoT
  local tls_var="tls_$1" pid_var="pid_$1" before start end
  before=$(cpu_seconds "${!pid_var}") start=$(date +%s.%N)
  kdig @127.0.0.1 -p "${!tls_var}" +tls big.example AXFR >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 3), round($(cpu_seconds "${!pid_var}") - $before, 2))"
}
transfer_in() { # NAME TREE ROUND: served seconds of a fresh TREE secondary pulling big.example
  local d="$work/sec-$1-$3"
  mkdir -p "$d"
  cat >"$d/cairn.yaml" <<YAML
database: $d/db
listen: [127.0.0.1:$(free_port)]
secondary: {timeout: 300s}
zones:
  - {name: big.example, primaries: [{address: "127.0.0.1:$tls_new", transport: tls, tls-pins: ["$pin"]}]}
YAML
  "$2/cairn" serve --config "$d/cairn.yaml" >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
  for _ in $(seq 1500); do grep -q "event=transferred" "$d/cairn.log" && break; sleep 0.2; done
  kill "$(cat "$d/cairn.pidfile")" 2>/dev/null || true
  wait "$(cat "$d/cairn.pidfile")" 2>/dev/null || true
  rm -f "$d/cairn.pidfile"
  grep -o 'served_ms=[0-9]*' "$d/cairn.log" | head -1 | sed -E 's/served_ms=([0-9]+)/\1/' |
    awk '{printf "%.3f", $1 / 1000}'
}

# Warm-up, untimed and equal for both: queries and two AXFRs each.
for b in old new; do
  p="port_$b"
  dnsperf -s 127.0.0.1 -p "${!p}" -d "$work/queries" -l 5 -c 10 >/dev/null 2>&1 || true
  axfr_out "$b" >/dev/null; axfr_out "$b" >/dev/null
done

declare -A series
for r in $(seq "$rounds"); do
  if (( r % 2 )); then order="old new"; else order="new old"; fi
  for b in $order; do
    p="port_$b"
    series[$b-udp]+="$(printf %.0f "$(query_qps "${!p}" udp)") "
    series[$b-tcp]+="$(printf %.0f "$(query_qps "${!p}" tcp)") "
    read -r secs cpu <<<"$(axfr_out "$b")"
    series[$b-axfr]+="$secs " series[$b-axfrcpu]+="$cpu "
    if [ "$b" = old ]; then tree=$old; else tree=$new; fi
    series[$b-xfrin]+="$(transfer_in "$b" "$tree" "$r") "
  done
done

printf '%-34s %-30s %-30s %s\n' figure "old (per round; median)" "new (per round; median)" ratio
row() { # KEY LABEL HIGHER_IS_BETTER
  local mo mn
  mo=$(median ${series[old-$1]}) mn=$(median ${series[new-$1]})
  if [ "$3" = 1 ]; then r=$(ratio "$mn" "$mo"); else r=$(ratio "$mo" "$mn"); fi
  printf '%-34s %-30s %-30s %s\n' "$2" "${series[old-$1]% }; $mo" "${series[new-$1]% }; $mn" "$r"
}
row udp "UDP queries/s" 1
row tcp "TCP queries/s" 1
row axfr "AXFR out over XoT, seconds" 0
row axfrcpu "AXFR out, primary CPU seconds" 0
row xfrin "transfer in over XoT, seconds" 0
echo "ratio: new/old for rates, old/new for times (>1: the new build is faster). records: $(grep -vc '^\$' "$work/big.zone")"
echo "logs: $work"
