#!/usr/bin/env bash
# xfr-perf.sh [RECORDS]: XoT transfer of one large zone (default 1,000,000 records), in one run:
#   1. BIND 9 secondary pulling from Cairn      vs  2. BIND 9 secondary pulling from BIND 9
#   3. Cairn secondary pulling from BIND 9      vs  2.
# Times come from the secondaries' own logs (BIND: "Transfer completed ... secs"; Cairn:
# event=transferred transfer_ms, and total_ms including the store commit).
# XFR_MESSAGE_SIZE sets Cairn's xfr.message-size (default 65000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
records=${1:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-xfr.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile "$work"/*/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
names=$(( records * 100 / 135 ))
"$bench_root/bench/gen-zone.sh" big.example "$names" "$work/big.zone" "$work/queries"

# Primaries: Cairn (XoT on cairn_tls) and BIND (XoT on bind_tls).
cairn_port=$(free_port) cairn_tls=$(free_port) bind_tls=$(free_port) bind_plain=$(free_port)
cat >"$work/primary.yaml" <<YAML
database: $work/primary-db
listen: [127.0.0.1:$cairn_port]
tls-listen: [127.0.0.1:$cairn_tls]
zones: [{name: big.example, file: $work/big.zone, allow-transfer: [{address: 127.0.0.1}]}]
xfr: {message-size: ${XFR_MESSAGE_SIZE:-65000}, transfers-out: 20, transfers-out-per-address: 20}
YAML
"$bench_root/cairn" serve --config "$work/primary.yaml" >"$work/cairn-primary.log" 2>&1 &
echo $! >"$work/cairn-primary.pidfile"
mkdir -p "$work/bindp"
start_named "$work/bindp" "$bind_tls" big.example "$work/big.zone" "$bind_plain"
wait_for_dns "$bind_plain" big.example 600
wait_for_dns "$cairn_port" big.example 600

bind_secondary() { # NAME PRIMARY_TLS_PORT: BIND secondary over XoT, prints seconds from its log
  local d="$work/$1" p=$2 port
  mkdir -p "$d"; port=$(free_port)
  cat >"$d/named.conf" <<CONF
tls xot { protocols { TLSv1.3; }; };
options { directory "$d"; pid-file "$d/named.pid"; listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; };
controls { };
zone "big.example" { type secondary; file "big.bk"; primaries { 127.0.0.1 port $p tls xot; }; };
CONF
  named -g -u root -c "$d/named.conf" >"$d/named.log" 2>&1 &
  echo $! >"$d/named.pidfile"
  for _ in $(seq 1200); do grep -q "Transfer completed" "$d/named.log" && break; sleep 0.5; done
  kill "$(cat "$d/named.pidfile")" 2>/dev/null || true
  grep -o 'Transfer completed: .*' "$d/named.log" | sed -E 's/.* ([0-9.]+) secs.*/\1/'
}

cairn_secondary() { # PRIMARY_TLS_PORT PIN: Cairn secondary over strict XoT, prints seconds
  local d="$work/cairn-sec" p=$1 pin=$2
  mkdir -p "$d"
  cat >"$d/cairn.yaml" <<YAML
database: $d/db
listen: [127.0.0.1:$(free_port)]
secondary: {timeout: 300s}
zones: [{name: big.example, primaries: [{address: "127.0.0.1:$p", transport: tls, tls-pins: ["$pin"]}]}]
YAML
  "$bench_root/cairn" serve --config "$d/cairn.yaml" >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
  for _ in $(seq 1200); do grep -q "event=transferred" "$d/cairn.log" && break; sleep 0.5; done
  kill "$(cat "$d/cairn.pidfile")" 2>/dev/null || true
  grep -o 'transfer_ms=[0-9]* total_ms=[0-9]*' "$d/cairn.log" | head -1
}

# Two untimed AXFRs from each primary first (JIT warm-up for Cairn; the same treatment for BIND).
for _ in 1 2; do
  kdig @127.0.0.1 -p "$cairn_tls" +tls big.example AXFR >/dev/null 2>&1 || true
  kdig @127.0.0.1 -p "$bind_tls" +tls big.example AXFR >/dev/null 2>&1 || true
done

concurrent() { # PORT N: seconds for N simultaneous kdig AXFRs over XoT to finish
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$2"); do kdig @127.0.0.1 -p "$1" +tls big.example AXFR >/dev/null 2>&1 & done
  wait
  end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 2))"
}

conc_cairn=$(concurrent "$cairn_tls" 8)
conc_bind=$(concurrent "$bind_tls" 8)
from_cairn=$(bind_secondary sec-from-cairn "$cairn_tls")
from_bind=$(bind_secondary sec-from-bind "$bind_tls")
pin=$("$bench_root/cairn" tls pin "$work/bindp/cert.pem")
cairn_in=$(cairn_secondary "$bind_tls" "$pin")
cairn_ms=$(echo "$cairn_in" | sed -E 's/transfer_ms=([0-9]+).*/\1/')
cairn_total=$(echo "$cairn_in" | sed -E 's/.*total_ms=([0-9]+)/\1/')
echo "records: $(grep -vc '^\$' "$work/big.zone")"
printf '%-44s %10s\n' "transfer over XoT" seconds
printf '%-44s %10s\n' "BIND secondary <- Cairn primary" "$from_cairn"
printf '%-44s %10s\n' "BIND secondary <- BIND primary" "$from_bind"
printf '%-44s %10s\n' "Cairn secondary <- BIND primary (transfer)" "$(python3 -c "print($cairn_ms/1000)")"
printf '%-44s %10s\n' "Cairn secondary <- BIND primary (+ store)" "$(python3 -c "print($cairn_total/1000)")"
printf '%-44s %10s\n' "8 concurrent kdig AXFRs <- Cairn primary" "$conc_cairn"
printf '%-44s %10s\n' "8 concurrent kdig AXFRs <- BIND primary" "$conc_bind"
echo "primary ratio (BIND<-BIND / BIND<-Cairn, >1 means Cairn is faster): $(ratio "$from_bind" "$from_cairn")"
echo "concurrent ratio (BIND / Cairn): $(ratio "$conc_bind" "$conc_cairn")"
echo "secondary ratio (BIND<-BIND / Cairn<-BIND incl. store): $(ratio "$from_bind" "$(python3 -c "print($cairn_total/1000)")")"
echo "logs: $work"
