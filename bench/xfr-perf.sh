#!/usr/bin/env bash
# xfr-perf.sh [RECORDS] [ROUNDS]: XoT transfers of large zones (default 1,000,000 records), in one run:
#   1. BIND 9 secondary pulling from Cairn      vs  2. BIND 9 secondary pulling from BIND 9
#      (ROUNDS alternating pulls each, default 3; medians compared: this 2-core VM is noisy)
#   3. Cairn secondary pulling SEC_ZONES (default 4) such zones from BIND 9, one after the other, vs
#      a BIND 9 secondary doing the same, SEC_ROUNDS (default 2) alternating runs each: the first
#      transfer of a run is in a fresh JVM (JIT compiling as it goes), the others in a warm one,
#      which is what a long-running secondary sees
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
sec_zones=${SEC_ZONES:-4} sec_rounds=${SEC_ROUNDS:-2}
sec_names="big.example"
for i in $(seq 2 "$sec_zones"); do # the same data under another origin
  sed "1s/.*/\$ORIGIN big$i.example./" "$work/big.zone" >"$work/big$i.zone"
  sec_names+=" big$i.example"
done

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
for i in $(seq 2 "$sec_zones"); do
  sed -i "s|^zone \"big.example\".*|&\nzone \"big$i.example\" { type primary; file \"$work/big$i.zone\"; };|" "$work/bindp/named.conf"
done
kill "$(cat "$work/bindp/named.pidfile")"; sleep 1
named -g -u root -c "$work/bindp/named.conf" >"$work/bindp/named.log" 2>&1 &
echo $! >"$work/bindp/named.pidfile"
wait_for_dns "$bind_plain" big.example 600
for z in $sec_names; do wait_for_dns "$bind_plain" "$z" 600; done
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

# cairn_secondary NAME PRIMARY_TLS_PORT PIN ZONES...: Cairn secondary over strict XoT taking ZONES
# one at a time; prints "transfer_ms stored_ms served_ms" for each, in the order they completed.
cairn_secondary() {
  local d="$work/$1" p=$2 pin=$3 z
  shift 3
  mkdir -p "$d"
  {
    echo "database: $d/db"
    echo "listen: [127.0.0.1:$(free_port)]"
    echo "secondary: {timeout: 300s, transfers-in: 1}"
    echo "zones:"
    for z in "$@"; do
      echo "  - {name: $z, primaries: [{address: \"127.0.0.1:$p\", transport: tls, tls-pins: [\"$pin\"]}]}"
    done
  } >"$d/cairn.yaml"
  "$bench_root/cairn" serve --config "$d/cairn.yaml" >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
  for _ in $(seq 1200); do [ "$(grep -c "event=transferred" "$d/cairn.log")" -ge $# ] && break; sleep 0.2; done
  kill "$(cat "$d/cairn.pidfile")" 2>/dev/null || true
  grep -o 'transfer_ms=[0-9]* stored_ms=[0-9]* served_ms=[0-9]*' "$d/cairn.log" | sed -E 's/[a-z_]+=//g'
}

secs() { python3 -c "import sys; print(round(float(sys.argv[1]) / 1000, 3))" "$1"; }
median() { python3 -c "import sys, statistics; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))" "$@"; }

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
cairn_pid=$(java_pid "$(cat "$work/cairn-primary.pidfile")") bind_pid=$(cat "$work/bindp/named.pidfile")
from_cairn=() from_bind=() cpu_cairn=() cpu_bind=()
for r in $(seq "$rounds"); do
  pull "sec-from-cairn-$r" "$cairn_tls" "$cairn_pid"
  from_cairn+=("$pull_secs") cpu_cairn+=("$pull_cpu")
  pull "sec-from-bind-$r" "$bind_tls" "$bind_pid"
  from_bind+=("$pull_secs") cpu_bind+=("$pull_cpu")
done
pin=$("$bench_root/cairn" tls pin "$work/bindp/cert.pem")
bind_first=() bind_warm=() cairn_first=() cairn_warm=() cairn_runs=()
for r in $(seq "$sec_rounds"); do
  read -r -a times <<<"$(bind_secondary "sec-zones-$r" "$bind_tls" $sec_names)"
  bind_first+=("${times[0]}") bind_warm+=("${times[@]:1}")
  mapfile -t lines < <(cairn_secondary "cairn-sec-$r" "$bind_tls" "$pin" $sec_names)
  run="" first=1
  for line in "${lines[@]}"; do
    read -r transfer stored served <<<"$line"
    run+="$(secs "$transfer")/$(secs "$stored")/$(secs "$served") "
    if [ "$first" = 1 ]; then cairn_first+=("$(secs "$served")"); first=0; else cairn_warm+=("$(secs "$served")"); fi
  done
  cairn_runs+=("$run")
done
med_cairn=$(median ${from_cairn[@]}) med_bind=$(median ${from_bind[@]})

echo "records per zone: $(grep -vc '^\$' "$work/big.zone")"
printf '%-52s %s\n' "transfer over XoT (seconds)" ""
printf '%-52s %s (median %s)\n' "BIND secondary <- Cairn primary, $rounds pulls" "${from_cairn[*]}" "$med_cairn"
printf '%-52s %s (median %s)\n' "BIND secondary <- BIND primary, $rounds pulls" "${from_bind[*]}" "$med_bind"
printf '%-52s %s (median %s)\n' "CPU seconds of the Cairn primary per pull" "${cpu_cairn[*]}" "$(median ${cpu_cairn[@]})"
printf '%-52s %s (median %s)\n' "CPU seconds of the BIND primary per pull" "${cpu_bind[*]}" "$(median ${cpu_bind[@]})"
echo "secondaries taking $sec_zones zones one after the other, $sec_rounds runs each (seconds until served):"
printf '%-52s %s\n' "BIND secondary, 1st zone of each run" "${bind_first[*]}"
printf '%-52s %s (median %s)\n' "BIND secondary, later zones" "${bind_warm[*]}" "$(median ${bind_warm[@]})"
printf '%-52s %s\n' "Cairn secondary, 1st zone of each run (fresh JVM)" "${cairn_first[*]}"
printf '%-52s %s (median %s)\n' "Cairn secondary, later zones (warm JVM)" "${cairn_warm[*]}" "$(median ${cairn_warm[@]})"
for run in "${cairn_runs[@]}"; do
  printf '%-52s %s\n' "  Cairn run: transfer/stored/served per zone" "$run"
done
printf '%-52s %s\n' "8 concurrent kdig AXFRs <- Cairn primary" "$conc_cairn"
printf '%-52s %s\n' "8 concurrent kdig AXFRs <- BIND primary" "$conc_bind"
echo "primary ratio (median BIND<-BIND / median BIND<-Cairn, >1 means Cairn is faster): $(ratio "$med_bind" "$med_cairn")"
echo "concurrent ratio (BIND / Cairn): $(ratio "$conc_bind" "$conc_cairn")"
echo "secondary ratio, 1st zone, fresh JVM (median BIND / median Cairn): $(ratio "$(median ${bind_first[@]})" "$(median ${cairn_first[@]})")"
echo "secondary ratio, later zones (median BIND / median Cairn): $(ratio "$(median ${bind_warm[@]})" "$(median ${cairn_warm[@]})")"
echo "logs: $work"
