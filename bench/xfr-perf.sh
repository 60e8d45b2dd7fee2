#!/usr/bin/env bash
# xfr-perf.sh [RECORDS] [ROUNDS]: XoT transfers of large zones (default 1,000,000 records), in one run:
#   1. BIND 9 secondary pulling from Cairn      vs  2. BIND 9 secondary pulling from BIND 9
#      (ROUNDS alternating pulls each, default 3; medians compared: this 2-core VM is noisy)
#   3. Cairn secondary pulling two such zones from BIND 9, one after the other, vs a BIND 9
#      secondary doing the same: the first transfer runs in a fresh JVM (JIT compiling as it goes),
#      the second in a warm one, which is what a long-running secondary sees
#   4. 8 concurrent kdig AXFRs from each primary
# Times come from the secondaries' own logs (BIND: "Transfer completed ... secs"; Cairn:
# event=transferred transfer_ms, stored_ms (transfer + store commit) and served_ms (until the new
# version answers queries, which is when BIND logs its time)).
# XFR_MESSAGE_SIZE sets Cairn's xfr.message-size (default 65000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
records=${1:-1000000}
rounds=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-xfr.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile "$work"/*/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
names=$(( records * 100 / 135 ))
"$bench_root/bench/gen-zone.sh" big.example "$names" "$work/big.zone" "$work/queries"
"$bench_root/bench/gen-zone.sh" big2.example "$names" "$work/big2.zone" "$work/queries2"

# Primaries: Cairn (XoT on cairn_tls) and BIND (XoT on bind_tls, both zones).
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
sed -i "s|^zone .*|&\nzone \"big2.example\" { type primary; file \"$work/big2.zone\"; };|" "$work/bindp/named.conf"
kill "$(cat "$work/bindp/named.pidfile")"; sleep 1
named -g -u root -c "$work/bindp/named.conf" >"$work/bindp/named.log" 2>&1 &
echo $! >"$work/bindp/named.pidfile"
wait_for_dns "$bind_plain" big.example 600
wait_for_dns "$bind_plain" big2.example 600
wait_for_dns "$cairn_port" big.example 600

# bind_secondary NAME PRIMARY_TLS_PORT ZONES...: BIND secondary over XoT taking ZONES one at a time;
# prints the seconds of each "Transfer completed", in the order they completed.
bind_secondary() {
  local d="$work/$1" p=$2 port z
  shift 2
  mkdir -p "$d"; port=$(free_port)
  {
    echo "tls xot { protocols { TLSv1.3; }; };"
    echo "options { directory \"$d\"; pid-file \"$d/named.pid\"; listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; transfers-in 1; };"
    echo "controls { };"
    for z in "$@"; do
      echo "zone \"$z\" { type secondary; file \"$z.bk\"; primaries { 127.0.0.1 port $p tls xot; }; };"
    done
  } >"$d/named.conf"
  named -g -u root -c "$d/named.conf" >"$d/named.log" 2>&1 &
  echo $! >"$d/named.pidfile"
  for _ in $(seq 1200); do [ "$(grep -c "Transfer completed" "$d/named.log")" -ge $# ] && break; sleep 0.2; done
  kill "$(cat "$d/named.pidfile")" 2>/dev/null || true
  grep -o 'Transfer completed: .*' "$d/named.log" | sed -E 's/.* ([0-9.]+) secs.*/\1/' | tr '\n' ' '
}

# cairn_secondary PRIMARY_TLS_PORT PIN: Cairn secondary over strict XoT taking both zones one at a
# time; prints "transfer_ms stored_ms served_ms" for each, in the order they completed.
cairn_secondary() {
  local d="$work/cairn-sec" p=$1 pin=$2
  mkdir -p "$d"
  cat >"$d/cairn.yaml" <<YAML
database: $d/db
listen: [127.0.0.1:$(free_port)]
secondary: {timeout: 300s, transfers-in: 1}
zones:
  - {name: big.example, primaries: [{address: "127.0.0.1:$p", transport: tls, tls-pins: ["$pin"]}]}
  - {name: big2.example, primaries: [{address: "127.0.0.1:$p", transport: tls, tls-pins: ["$pin"]}]}
YAML
  "$bench_root/cairn" serve --config "$d/cairn.yaml" >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
  for _ in $(seq 1200); do [ "$(grep -c "event=transferred" "$d/cairn.log")" -ge 2 ] && break; sleep 0.2; done
  kill "$(cat "$d/cairn.pidfile")" 2>/dev/null || true
  grep -o 'transfer_ms=[0-9]* stored_ms=[0-9]* served_ms=[0-9]*' "$d/cairn.log" | sed -E 's/[a-z_]+=//g'
}

secs() { python3 -c "import sys; print(round(float(sys.argv[1]) / 1000, 3))" "$1"; }
median() { python3 -c "import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

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
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; } # user + system of PID
# pull NAME PORT PID: one BIND secondary pull of big.example; sets pull_secs, and pull_cpu to the CPU
# seconds the primary PID spent meanwhile (less noisy than wall time on a shared 2-core machine).
pull() {
  local before
  before=$(cpu_seconds "$3")
  pull_secs=$(bind_secondary "$1" "$2" big.example)
  pull_cpu=$(python3 -c "print(round($(cpu_seconds "$3") - $before, 2))")
}
cairn_pid=$(cat "$work/cairn-primary.pidfile") bind_pid=$(cat "$work/bindp/named.pidfile")
from_cairn=() from_bind=() cpu_cairn=() cpu_bind=()
for r in $(seq "$rounds"); do
  pull "sec-from-cairn-$r" "$cairn_tls" "$cairn_pid"
  from_cairn+=("$pull_secs") cpu_cairn+=("$pull_cpu")
  pull "sec-from-bind-$r" "$bind_tls" "$bind_pid"
  from_bind+=("$pull_secs") cpu_bind+=("$pull_cpu")
done
pin=$("$bench_root/cairn" tls pin "$work/bindp/cert.pem")
read -r -a bind_two <<<"$(bind_secondary sec-two "$bind_tls" big.example big2.example)"
mapfile -t cairn_two < <(cairn_secondary "$bind_tls" "$pin")
read -r c1_transfer c1_stored c1_served <<<"${cairn_two[0]}"
read -r c2_transfer c2_stored c2_served <<<"${cairn_two[1]}"
med_cairn=$(median ${from_cairn[@]}) med_bind=$(median ${from_bind[@]})

echo "records per zone: $(grep -vc '^\$' "$work/big.zone")"
printf '%-52s %s\n' "transfer over XoT (seconds)" ""
printf '%-52s %s (median %s)\n' "BIND secondary <- Cairn primary, $rounds pulls" "${from_cairn[*]}" "$med_cairn"
printf '%-52s %s (median %s)\n' "BIND secondary <- BIND primary, $rounds pulls" "${from_bind[*]}" "$med_bind"
printf '%-52s %s (median %s)\n' "CPU seconds of the Cairn primary per pull" "${cpu_cairn[*]}" "$(median ${cpu_cairn[@]})"
printf '%-52s %s (median %s)\n' "CPU seconds of the BIND primary per pull" "${cpu_bind[*]}" "$(median ${cpu_bind[@]})"
printf '%-52s %s\n' "BIND secondary <- BIND, 1st / 2nd zone" "${bind_two[0]} / ${bind_two[1]}"
printf '%-52s %s / %s / %s\n' "Cairn secondary <- BIND, 1st zone (fresh JVM): transfer / stored / served" \
  "$(secs "$c1_transfer")" "$(secs "$c1_stored")" "$(secs "$c1_served")"
printf '%-52s %s / %s / %s\n' "Cairn secondary <- BIND, 2nd zone (warm JVM): transfer / stored / served" \
  "$(secs "$c2_transfer")" "$(secs "$c2_stored")" "$(secs "$c2_served")"
printf '%-52s %s\n' "8 concurrent kdig AXFRs <- Cairn primary" "$conc_cairn"
printf '%-52s %s\n' "8 concurrent kdig AXFRs <- BIND primary" "$conc_bind"
echo "primary ratio (median BIND<-BIND / median BIND<-Cairn, >1 means Cairn is faster): $(ratio "$med_bind" "$med_cairn")"
echo "concurrent ratio (BIND / Cairn): $(ratio "$conc_bind" "$conc_cairn")"
echo "secondary ratio, 1st zone served (BIND / Cairn): $(ratio "${bind_two[0]}" "$(secs "$c1_served")")"
echo "secondary ratio, 2nd zone served (BIND / Cairn): $(ratio "${bind_two[1]}" "$(secs "$c2_served")")"
echo "logs: $work"
