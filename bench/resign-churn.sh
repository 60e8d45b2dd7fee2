#!/usr/bin/env bash
# resign-churn.sh [NAMES]: signature churn as a secondary (issue 13). A zone of NAMES hosts (default
# 10,600: about 50,000 records once signed with NSEC3) is signed by dnssec-signzone, then signed
# again with a new serial and inception, so every RRSIG changes and nothing else does. A Cairn
# secondary takes each version from a primary and we report, from its log and GC log:
#   1. BIND primary with ixfr-from-differences and max-ixfr-ratio unlimited: the re-signing as IXFR
#      (kind=incremental), then the same version again by `cairn zone retransfer` (kind=full)
#   2. Cairn primary: the re-signing loaded by `cairn zone load`. Cairn sends it as IXFR unless the
#      difference has more records than the zone (then the zone, as BIND's default max-ixfr-ratio
#      100%); a re-signing of an NSEC3 zone of one-record RRsets changes about as many records as
#      the zone has (2 x its RRSIGs), so it sits at that line
# For each: transfer_ms, stored_ms, served_ms (event=transferred) and the secondary's largest heap
# before a GC during it. Plain TCP on loopback; no timing asserts, one run (this 2-core VM is noisy).
# CHURN_JAVA_OPTS adds JVM options to the secondaries (e.g. -XX:StartFlightRecording=filename=/tmp/s-%p.jfr).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
names=${1:-10600}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-churn.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile "$work"/*/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
zone=churn.example

"$bench_root/bench/gen-zone.sh" "$zone" "$names" "$work/unsigned" "$work/queries"
mkdir -p "$work/keys"
dnssec-keygen -q -K "$work/keys" -a ECDSAP256SHA256 -f KSK "$zone" >/dev/null
dnssec-keygen -q -K "$work/keys" -a ECDSAP256SHA256 "$zone" >/dev/null
sign() { # sign SERIAL INCEPTION OUT
  sed "s/ 2026112301 / $1 /" "$work/unsigned" >"$work/unsigned.$1"
  dnssec-signzone -q -S -K "$work/keys" -d "$work" -o "$zone" -3 - -H 0 -s "$2" -e now+2592000 \
    -f "$3" "$work/unsigned.$1" >/dev/null
  ldns-read-zone "$3" | grep -v '^;' | sort >"$3.lines" # one record a line, for counting
}
sign 1 now-7200 "$work/v1.zone"
sign 2 now-3600 "$work/v2.zone"
records=$(wc -l <"$work/v1.zone.lines")
changed=$(diff "$work/v1.zone.lines" "$work/v2.zone.lines" | grep -c '^[<>]' || true)
echo "zone: $records records; re-signing changes $changed records (deleted + added, SOA included)"

# secondary NAME PRIMARY_PORT: a Cairn secondary of $zone over TCP, with a GC log.
secondary() {
  local d="$work/$1"
  mkdir -p "$d"
  cat >"$d/cairn.yaml" <<YAML
database: $d/db
listen: [127.0.0.1:$(free_port)]
secondary: {timeout: 300s}
zones: [{name: $zone, primaries: [{address: "127.0.0.1:$2", transport: tcp}]}]
YAML
  CAIRN_JAVA_OPTS="-Xlog:gc:file=$d/gc.log ${CHURN_JAVA_OPTS:-}" "$bench_root/cairn" serve --config "$d/cairn.yaml" \
    >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
}
# wait_transfers DIR N: until the secondary has logged N transfers (at most 10 minutes).
wait_transfers() {
  for _ in $(seq 3000); do
    [ "$(grep -c 'event=transferred' "$1/cairn.log")" -ge "$2" ] && return 0
    sleep 0.2
  done
  echo "no transfer $2 in $1" >&2; return 1
}
# report DIR N GC_FROM LABEL: transfer N's log figures and the largest heap before a GC since line GC_FROM.
report() {
  local line heap
  line=$(grep 'event=transferred' "$1/cairn.log" | sed -n "$2p" | grep -oE 'kind=[a-z]+|(transfer|stored|served)_ms=[0-9]+' | tr '\n' ' ')
  heap=$(tail -n +"$3" "$1/gc.log" | { grep -oE ' [0-9]+M->' || true; } | tr -dc '0-9\n' | sort -n | tail -1)
  printf '%-34s %s peak_heap_before_gc=%s\n' "$4" "$line" "$( [ -n "$heap" ] && echo "${heap}M" || echo "(no GC)")"
}
gc_lines() { wc -l <"$1/gc.log"; }

# 1. BIND primary.
bind_port=$(free_port)
mkdir -p "$work/bind"
cp "$work/v1.zone" "$work/bind/zone"
sec=$work/from-bind
secondary from-bind "$bind_port"
sec_port=$(sed -n 's/^listen: \[127.0.0.1:\([0-9]*\)\]/\1/p' "$sec/cairn.yaml")
cat >"$work/bind/named.conf" <<CONF
options {
  directory "$work/bind"; pid-file "$work/bind/named.pid";
  listen-on port $bind_port { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; allow-transfer { any; };
  notify explicit; also-notify { 127.0.0.1 port $sec_port; };
};
controls { };
zone "$zone" { type primary; file "$work/bind/zone"; ixfr-from-differences yes; max-ixfr-ratio unlimited; };
CONF
named -g -u root -c "$work/bind/named.conf" >"$work/bind/named.log" 2>&1 &
echo $! >"$work/bind/named.pidfile"
wait_for_dns "$bind_port" "$zone"
wait_transfers "$sec" 1
sleep 2
report "$sec" 1 1 "BIND -> Cairn, first AXFR"
from=$(gc_lines "$sec")
cp "$work/v2.zone" "$work/bind/zone"
kill -HUP "$(cat "$work/bind/named.pidfile")" # reload: the difference goes into BIND's journal, NOTIFY
wait_transfers "$sec" 2
sleep 2
report "$sec" 2 "$from" "BIND -> Cairn, re-signing as IXFR"
from=$(gc_lines "$sec")
"$bench_root/cairn" zone retransfer --config "$sec/cairn.yaml" "$zone" >/dev/null
wait_transfers "$sec" 3
sleep 2
report "$sec" 3 "$from" "BIND -> Cairn, same version as AXFR"
kill "$(cat "$sec/cairn.pidfile")" "$(cat "$work/bind/named.pidfile")" 2>/dev/null || true

# 2. Cairn primary.
cairn_port=$(free_port)
mkdir -p "$work/primary"
cat >"$work/primary/cairn.yaml" <<YAML
database: $work/primary/db
listen: [127.0.0.1:$cairn_port]
zones: [{name: $zone, allow-transfer: [{address: 127.0.0.1}], notify: ["127.0.0.1:SECPORT"]}]
YAML
sec=$work/from-cairn
secondary from-cairn "$cairn_port"
sec_port=$(sed -n 's/^listen: \[127.0.0.1:\([0-9]*\)\]/\1/p' "$sec/cairn.yaml")
sed -i "s/SECPORT/$sec_port/" "$work/primary/cairn.yaml"
"$bench_root/cairn" zone load --config "$work/primary/cairn.yaml" --origin "$zone" "$work/v1.zone" >/dev/null 2>&1
"$bench_root/cairn" serve --config "$work/primary/cairn.yaml" >"$work/primary/cairn.log" 2>&1 &
echo $! >"$work/primary/cairn.pidfile"
wait_transfers "$sec" 1
sleep 2
report "$sec" 1 1 "Cairn -> Cairn, first AXFR"
from=$(gc_lines "$sec")
"$bench_root/cairn" zone load --config "$work/primary/cairn.yaml" --origin "$zone" "$work/v2.zone" >/dev/null 2>&1
wait_transfers "$sec" 2
sleep 2
report "$sec" 2 "$from" "Cairn -> Cairn, re-signing"
echo "work dir: $work"
