#!/usr/bin/env bash
# attack-perf.sh [SECONDS]: Cairn and NSD, each a secondary of the same zone from a BIND primary,
# first unattacked, then under four attacks at once (slowloris, a no-read pipeliner, a cache
# amplifier, a NOTIFY flood; bench/attack/Attackers.java, each bounded by SECONDS). Per transport
# (UDP, TCP, DoT): the max queries/s unattacked and under attack, and the share of queries a client
# at a fixed rate of half the unattacked max gets answered during the attack, with its latency. Also
# Cairn's peak heap against its -Xmx, the peak RSS, and the SOA and IXFR queries (a secondary's
# checks) the primary received from each secondary during the attack: the NOTIFY flood's echo.
# Needs a JDK, nsd, named, dnsperf, dig, ss.
#
# Knobs (environment): MEASURE_SECONDS (5) per unattacked run, CLIENTS (10) dnsperf clients,
# CAIRN_XMX (512m), SLOWLORIS_CONNECTIONS (1000), SLOWLORIS_SOURCES (10), SLOWLORIS_DRIP (5 s),
# PIPELINE_CONNECTIONS (4), AMPLIFY_CONNECTIONS (4), NOTIFY_RATE (10000/s), NAMES (10000 in the zone),
# TARGETS ("cairn nsd"), ATTACKS ("slowloris pipeline amplify notify", to tell their effects apart),
# CAIRN_LIMITS (YAML flow-mapping entries added to Cairn's limits, e.g. "tcp-workers: 1").
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-60}
measure=${MEASURE_SECONDS:-5} clients=${CLIENTS:-10} xmx=${CAIRN_XMX:-512m} names=${NAMES:-10000}
targets=${TARGETS:-cairn nsd} attacks=${ATTACKS:-slowloris pipeline amplify notify}
ramp=$((seconds / 10 < 3 ? 3 : seconds / 10)) # attackers get going before the first measurement
slot=$(((seconds - ramp - 1) / 6))              # 3 transports x (fixed rate, max) inside the attack
if [ "$slot" -lt 2 ]; then
  echo "SECONDS must be at least 16" >&2
  exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-attack.XXXXXX")

stop() { # PIDFILE...: TERM, then KILL what is left (an out-of-memory JVM may no longer stop on TERM)
  local pids
  pids=$(cat "$@" 2>/dev/null || true)
  rm -f "$@"
  [ -n "$pids" ] || return 0
  kill $pids 2>/dev/null || true
  for _ in $(seq 20); do
    kill -0 $pids 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 $pids 2>/dev/null || true
}
trap 'stop "$work"/*.pidfile "$work"/*/*.pidfile; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT

# The zone: gen-zone.sh's hosts plus one ~31 KB answer, the largest: 100 TXT records (BIND's
# max-records-per-type) of two strings, 250 and 50 bytes.
"$bench_root/bench/gen-zone.sh" bench.example "$names" "$work/bench.zone" "$work/queries"
awk 'BEGIN { for (i = 0; i < 100; i++) { s = sprintf("%03d", i); while (length(s) < 250) s = s "x";
  t = substr(s, 1, 50); print "big IN TXT \"" s "\" \"" t "\"" } }' >>"$work/bench.zone"
javac -d "$work/attack" "$bench_root/bench/attack/Attackers.java" # once, instead of per attacker
attack=(java -Xmx64m -cp "$work/attack" Attackers)

# The primary: BIND, logging every query, so the SOA queries each secondary sends can be counted.
primary_port=$(free_port)
mkdir -p "$work/primary"
cat >"$work/primary/named.conf" <<CONF
options {
  directory "$work/primary";
  pid-file "$work/primary/named.pid";
  listen-on port $primary_port { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  allow-transfer { any; };
  querylog yes;
};
logging {
  channel queries { file "$work/primary/query.log"; };
  channel rest { file "$work/primary/named.log"; severity info; };
  category queries { queries; };
  category default { rest; };
};
controls { };
zone "bench.example" { type primary; file "$work/bench.zone"; };
CONF
named -f -u root -c "$work/primary/named.conf" >"$work/primary/stderr.log" 2>&1 &
echo $! >"$work/primary/named.pidfile"
wait_for_dns "$primary_port" bench.example
primary_queries() { # TYPE: queries of TYPE for the zone the primary has logged so far
  grep -ci ": query: bench.example IN $1 " "$work/primary/query.log" || true
}
checks() { echo "$(primary_queries SOA) $(primary_queries IXFR) $(primary_queries AXFR)"; }

# The targets, both secondaries of the primary, plain DNS and DoT.
declare -A port tls
start_cairn() {
  port[cairn]=$(free_port) tls[cairn]=$(free_port)
  mkdir -p "$work/cairn"
  cat >"$work/cairn/cairn.yaml" <<CONF
database: db/cairn
listen: [127.0.0.1:${port[cairn]}]
tls-listen: [127.0.0.1:${tls[cairn]}]
limits: {${CAIRN_LIMITS:-}}
zones:
  - name: bench.example
    primaries:
      - address: 127.0.0.1:$primary_port
        transport: tcp
CONF
  CAIRN_JAVA_OPTS="-Xmx$xmx ${CAIRN_JAVA_OPTS:-}" "$bench_root/cairn" serve --config "$work/cairn/cairn.yaml" \
    >"$work/cairn/cairn.log" 2>&1 &
  echo $! >"$work/cairn/cairn.pidfile"
  wait_for_dns "${port[cairn]}" bench.example
  java_pid "$(cat "$work/cairn/cairn.pidfile")" >"$work/cairn/jvm.pidfile"
}
start_nsd_secondary() {
  port[nsd]=$(free_port) tls[nsd]=$(free_port)
  mkdir -p "$work/nsd"
  "$bench_root/cairn" tls generate --dir "$work/nsd" --name bench.test >/dev/null
  start_nsd "$work/nsd" "${port[nsd]}" bench.example "$work/nsd/bench.zone" \
    "  request-xfr: 127.0.0.1@$primary_port NOKEY
  allow-notify: 127.0.0.1 NOKEY" \
    "  ip-address: 127.0.0.1@${tls[nsd]}
  tls-port: ${tls[nsd]}
  tls-service-key: \"$work/nsd/key.pem\"
  tls-service-pem: \"$work/nsd/cert.pem\""
  wait_for_dns "${port[nsd]}" bench.example
}

transport_port() { [ "$2" = dot ] && echo "${tls[$1]}" || echo "${port[$1]}"; }
perf() { # LOG TARGET MODE SECONDS [QPS]: at a fixed rate, up to a second's worth of queries outstanding
  { # grouped so that the shell's own report of an aborted dnsperf goes to the log too
    dnsperf -s 127.0.0.1 -p "$(transport_port "$2" "$3")" -m "$3" -d "$work/queries" -l "$4" -c "$clients" -t 2 \
      ${5:+-Q "$5" -q "$((${5} < 100 ? 100 : ${5} > 20000 ? 20000 : ${5}))"}
  } >"$1" 2>&1 || true
}
answered() { # LOG: % of the queries sent that were answered (none sent, e.g. no connection: 0), sent/s
  awk '/Queries sent/ {s = $3} /Queries completed/ {c = $3} /Run time/ {t = $4}
    END {if (s > 0) printf "%.1f %.0f\n", 100 * c / s, s / t; else print "0.0 0"}' "$1"
}
latency() { # LOG: average/max in ms
  awk '/Average Latency/ && !done {gsub(/[(),]/, ""); printf "%.1f/%.0f", $4 * 1000, $8 * 1000; done = 1}' "$1"
}

sockets() { # TARGET: its plain TCP port's connections, seen from both ends, with their largest queues
  local side
  for side in dport sport; do
    ss -Htn state established "( $side = :${port[$1]} )" | awk -v side="$side" '
      {n++; if ($2 > 0) sendq++; if ($1 > rq) rq = $1; if ($2 > sq) sq = $2
       client = side == "dport" ? $3 : $4
       if (match(client, /127\.[0-9]+\.[0-9]+\.[0-9]+/)) from[substr(client, RSTART, RLENGTH)] = 1}
      END {for (a in from) addresses++
        printf "  %s end: %d established (clients from %d addresses), %d with data queued to send, largest Send-Q %d B, Recv-Q %d B\n",
        side == "dport" ? "client" : "server", n, addresses, sendq, sq, rq}'
  done
}

# Memory: the JVM's used heap and the RSS of the target's processes.
jvm_heap() { # JVM_PID: "used_kb gc_seconds" (jstat -gc: S0U S1U EU OU, GCT)
  timeout 5 jstat -gc "$1" 2>/dev/null | awk 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i}
    NR == 2 {printf "%d %s\n", $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"], $c["GCT"]}'
}
sample_memory() { # TARGET DEADLINE_EPOCH: one line "heap_kb rss_kb gc_seconds" a second
  local target=$1 until=$2 pids jvm="" heap gc rss
  [ "$target" = cairn ] && jvm=$(cat "$work/cairn/jvm.pidfile")
  while [ "$(date +%s)" -lt "$until" ]; do
    if [ -n "$jvm" ]; then
      pids=$jvm
      read -r heap gc < <(jvm_heap "$jvm") || true
    else
      pids="$(cat "$work/nsd/nsd.pidfile") $(pgrep -P "$(cat "$work/nsd/nsd.pidfile")" | tr '\n' ' ')"
      heap="" gc=""
    fi
    rss=$(ps -o rss= -p "$(echo $pids | tr ' ' ',')" 2>/dev/null | awk '{s += $1} END {print s + 0}')
    echo "${heap:-0} $rss ${gc:-0}"
    sleep 1
  done
}
peak_mb() { awk -v col="$2" '$col > m {m = $col} END {printf "%.0f", m / 1024}' "$1"; }
xmx_mb() { java -Xmx"$xmx" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize / {printf "%.0f", $4 / 1048576}'; }

declare -A options=(
  [slowloris]="connections=${SLOWLORIS_CONNECTIONS:-1000} sources=${SLOWLORIS_SOURCES:-10} drip=${SLOWLORIS_DRIP:-5}"
  [pipeline]="connections=${PIPELINE_CONNECTIONS:-4}"
  [amplify]="connections=${AMPLIFY_CONNECTIONS:-4}"
  [notify]="rate=${NOTIFY_RATE:-10000}")
declare -A unattacked attacked fixed_q sent_qps answered_pct lat memory notes
run_target() {
  local t=$1 mode run q soa ixfr axfr soa2 ixfr2 axfr2 attackers=()
  if [ "$t" = cairn ]; then start_cairn; else start_nsd_secondary; fi
  for mode in udp tcp dot; do perf "$work/$t-warm-$mode.log" "$t" "$mode" 2; done # JIT warm-up, and the same for NSD
  for mode in udp tcp dot; do
    perf "$work/$t-max-$mode.log" "$t" "$mode" "$measure"
    unattacked[$t.$mode]=$(qps "$work/$t-max-$mode.log")
  done

  read -r soa ixfr axfr < <(checks)
  sample_memory "$t" $(($(date +%s) + seconds + 2)) >"$work/$t-memory.log" &
  echo $! >"$work/$t-memory.pidfile"
  local a=("host=127.0.0.1" "port=${port[$t]}" "seconds=$seconds") kind
  for kind in $attacks; do
    "${attack[@]}" "$kind" "${a[@]}" ${options[$kind]} >"$work/$t-$kind.log" 2>&1 &
    attackers+=($!)
  done
  printf '%s\n' "${attackers[@]}" >"$work/$t-attackers.pidfile"
  sleep "$ramp"
  for mode in udp tcp dot; do
    if [ "$mode" = tcp ]; then # mid-attack: the slowloris has had time to open everything
      sockets "$t" >"$work/$t-sockets.log"
    fi
    q=$(python3 -c "print(max(1, int(float('${unattacked[$t.$mode]:-0}' or 0) / 2)))")
    fixed_q[$t.$mode]=$q
    perf "$work/$t-fixed-$mode.log" "$t" "$mode" "$slot" "$q"
    read -r "answered_pct[$t.$mode]" "sent_qps[$t.$mode]" < <(answered "$work/$t-fixed-$mode.log")
    lat[$t.$mode]=$(latency "$work/$t-fixed-$mode.log")
    perf "$work/$t-attacked-$mode.log" "$t" "$mode" "$slot"
    attacked[$t.$mode]=$(qps "$work/$t-attacked-$mode.log")
    for run in fixed attacked; do # dnsperf 2.10 can abort on connections the server resets
      grep -q Assertion "$work/$t-$run-$mode.log" && notes[$t]+="dnsperf aborted ($run $mode); "
    done
  done
  wait "${attackers[@]}" || true
  rm -f "$work/$t-attackers.pidfile"
  sleep 3 # SOA queries a secondary still has queued
  read -r soa2 ixfr2 axfr2 < <(checks)
  notes[$t]+="queries to the primary during the attack: SOA $((soa2 - soa)), IXFR $((ixfr2 - ixfr)), AXFR $((axfr2 - axfr))"
  for mode in udp tcp; do
    dig +time=2 +tries=1 $([ $mode = tcp ] && echo +tcp) -p "${port[$t]}" @127.0.0.1 bench.example SOA 2>/dev/null |
      grep -q 'status: NOERROR' && notes[$t]+="; answers $mode after" || notes[$t]+="; NO $mode ANSWER after"
  done
  wait "$(cat "$work/$t-memory.pidfile")" 2>/dev/null || true
  rm -f "$work/$t-memory.pidfile"
  if [ "$t" = cairn ]; then
    memory[$t]="heap $(peak_mb "$work/$t-memory.log" 1)/$(xmx_mb) MB, rss $(peak_mb "$work/$t-memory.log" 2) MB"
    local jvm live
    jvm=$(cat "$work/cairn/jvm.pidfile")
    timeout 20 jcmd "$jvm" GC.run >/dev/null 2>&1 || true
    live=$(jvm_heap "$jvm" | awk '{printf "%.0f", $1 / 1024}')
    notes[$t]+="; GC time during the attack $(awk '$3 > 0 && a == "" {a = $3} $3 > 0 {b = $3} END {printf "%.1f", b - a}' \
      "$work/$t-memory.log") s; heap after the attack and a full GC ${live:-n/a} MB"
    grep -q OutOfMemoryError "$work/cairn/cairn.log" && notes[$t]+="; OutOfMemoryError in its log"
  else
    memory[$t]="rss $(peak_mb "$work/$t-memory.log" 2) MB"
  fi
  stop "$work/$t"/*.pidfile # the primary keeps running for the next target
}
for t in $targets; do run_target "$t"; done

printf '\nattacks (%s s):%s; measured %s s unattacked, %s s per run under attack\n' "$seconds" \
  "$(for kind in $attacks; do printf ' %s %s' "$kind" "${options[$kind]}"; done)" "$measure" "$slot"
printf '%-5s %-6s %9s %9s %8s %8s %9s %13s %s\n' mode target max_qps atk_qps fixed_Q sent/s answered lat_ms_avg/max \
  memory_peak/max
for mode in udp tcp dot; do
  for t in $targets; do
    printf '%-5s %-6s %9.0f %9.0f %8s %8s %8s%% %13s %s\n' "$mode" "$t" "${unattacked[$t.$mode]:-0}" \
      "${attacked[$t.$mode]:-0}" "${fixed_q[$t.$mode]}" "${sent_qps[$t.$mode]}" "${answered_pct[$t.$mode]}" \
      "${lat[$t.$mode]:-n/a}" "${memory[$t]}"
  done
done
for t in $targets; do
  echo "$t: ${notes[$t]}"
  cat "$work/$t-sockets.log"
  for kind in $attacks; do sed "s/^/  /" "$work/$t-$kind.log"; done
done
echo "logs: $work"
