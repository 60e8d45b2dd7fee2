#!/usr/bin/env bash
# dnssec-perf.sh [SECONDS] [CLIENTS] [NAMES]: dnsperf with DO=1 (-D) over UDP against Cairn, NSD and
# Knot on loopback in the same run, all serving one NSEC3-signed zone: gen-zone.sh's NAMES hosts
# (100,000) signed by dnssec-signzone -3 (no salt, no extra iterations), and its query mix (80% hits,
# 10% NXDOMAIN, 10% NODATA, so two thirds of the misses need NSEC3 proofs). Prints queries/s and
# Cairn's ratio to the best peer; then Cairn's live heap per record for the signed zone beside the
# unsigned one (jcmd after a full GC, against an empty server). Needs: nsd, knot, dnsperf,
# bind9-utils (dnssec-keygen, dnssec-signzone), bind9-dnsutils (dig).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-10} clients=${2:-10} names=${3:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-dnssec-bench.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
zone=bench.example

"$bench_root/bench/gen-zone.sh" "$zone" "$names" "$work/unsigned.zone" "$work/queries"
mkdir "$work/keys"
dnssec-keygen -q -K "$work/keys" -a ECDSAP256SHA256 -f KSK "$zone" >/dev/null
dnssec-keygen -q -K "$work/keys" -a ECDSAP256SHA256 "$zone" >/dev/null
start=$(date +%s)
# -O full: one record per line, so the records can be counted.
dnssec-signzone -q -S -K "$work/keys" -d "$work" -o "$zone" -3 - -H 0 -O full -f "$work/signed.zone" \
  "$work/unsigned.zone" >/dev/null
records() { grep -vc '^[;$]' "$1"; }
echo "zone: $names names, $(records "$work/unsigned.zone") records unsigned," \
  "$(records "$work/signed.zone") signed (NSEC3, signed in $(( $(date +%s) - start ))s)"
"$bench_root/cairn" zone load --db "$work/signed" --origin "$zone" "$work/signed.zone" >/dev/null
"$bench_root/cairn" zone load --db "$work/unsigned" --origin "$zone" "$work/unsigned.zone" >/dev/null

nsd_port=$(free_port) knot_port=$(free_port) cairn_port=$(free_port)
# NSD with minimal responses, as Cairn and Knot answer: no apex NS and glue added to every answer.
start_nsd "$work" "$nsd_port" "$zone" "$work/signed.zone" "" "  minimal-responses: yes"
start_knot "$work" "$knot_port" "$zone" "$work/signed.zone"
serve_cairn "$work" "$work/signed" "$cairn_port"
for port in "$nsd_port" "$knot_port" "$cairn_port"; do wait_for_dns "$port" "$zone"; done

perf() { # NAME PORT SECONDS
  dnsperf -D -s 127.0.0.1 -p "$2" -d "$work/queries" -l "$3" -c "$clients" -t 2 -m udp \
    >"$work/$1.log" 2>&1 || true
  qps "$work/$1.log"
}
# JIT warm-up for Cairn, and the same untimed run for the peers so all see equal treatment.
for target in "cairn $cairn_port" "nsd $nsd_port" "knot $knot_port"; do
  set -- $target
  perf "$1-warmup" "$2" 5 >/dev/null
done
c=$(perf cairn "$cairn_port" "$seconds")
n=$(perf nsd "$nsd_port" "$seconds")
k=$(perf knot "$knot_port" "$seconds")
best=$(python3 -c "import sys; print(max(float(sys.argv[1] or 0), float(sys.argv[2] or 0)))" "$n" "$k")
printf '%-10s %12s %12s %12s %14s\n' mode cairn_qps nsd_qps knot_qps cairn/best
printf '%-10s %12.0f %12.0f %12.0f %14s\n' udp+DO "${c:-0}" "${n:-0}" "${k:-0}" "$(ratio "${c:-0}" "$best")"
# The same answers should be the same size; a server that answers less is not doing the same work.
size() { awk '/Average packet size/ {print $NF}' "$work/$1.log"; }
printf '%-10s %12s %12s %12s\n' resp_bytes "$(size cairn)" "$(size nsd)" "$(size knot)"

# Heap: the signed zone's server, then the unsigned zone's, each against an empty server.
signed_heap=$(live_heap "$(cairn_jvm "$cairn_port")")
unsigned_port=$(free_port) empty_port=$(free_port)
serve_cairn "$work" "$work/unsigned" "$unsigned_port"
unsigned_heap=$(live_heap "$(cairn_jvm "$unsigned_port")")
serve_cairn "$work" "$work/empty" "$empty_port"
empty_heap=$(live_heap "$(cairn_jvm "$empty_port")")
per_record() { # USED RECORDS
  echo "$(( ($1 - empty_heap) / $2 )) bytes/record ($(( ($1 - empty_heap) / 1048576 )) MiB)"
}
echo "heap: signed $(per_record "$signed_heap" "$(records "$work/signed.zone")")," \
  "unsigned $(per_record "$unsigned_heap" "$(records "$work/unsigned.zone")")"
echo "logs: $work"
