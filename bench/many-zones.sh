#!/usr/bin/env bash
# many-zones.sh [ZONES]: a BIND 9 primary serves ZONES small zones (default 100) over XoT; a Cairn
# secondary pulls them all with connection reuse (pipelined) and without (one request per
# connection, up to one connection per zone), and a BIND secondary pulls them as the reference, in one run. Prints seconds from
# the first transfer started to the last stored, and connections opened.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
zones=${1:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-zones.XXXXXX")
trap 'kill $(cat "$work"/*.pidfile "$work"/*/*.pidfile 2>/dev/null) 2>/dev/null || true; rm -f "${TMPDIR:-/tmp}/cairn-bench-ports.$$"' EXIT
mkdir -p "$work/bindp"
tls_port=$(free_port) plain_port=$(free_port)
"$bench_root/cairn" tls generate --dir "$work/bindp" --name bench.test >/dev/null
{
  echo "tls local-tls { key-file \"$work/bindp/key.pem\"; cert-file \"$work/bindp/cert.pem\"; };"
  echo "options { directory \"$work/bindp\"; pid-file \"$work/bindp/named.pid\"; listen-on port $tls_port tls local-tls { 127.0.0.1; };"
  echo "  listen-on port $plain_port { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; allow-transfer { any; }; notify no; transfers-out 200; };"
  echo "controls { };"
  for i in $(seq "$zones"); do
    "$bench_root/bench/gen-zone.sh" "z$i.example" 50 "$work/bindp/z$i.zone" /dev/null
    echo "zone \"z$i.example\" { type primary; file \"$work/bindp/z$i.zone\"; };"
  done
} >"$work/bindp/named.conf"
named -g -u root -c "$work/bindp/named.conf" >"$work/bindp/named.log" 2>&1 &
echo $! >"$work/bindp/named.pidfile"
wait_for_dns "$plain_port" "z$zones.example"
pin=$("$bench_root/cairn" tls pin "$work/bindp/cert.pem")

ms() { # HH:MM:SS.mmm -> milliseconds of the day
  awk -F'[:.]' '{print (($1*60+$2)*60+$3)*1000+$4}' <<<"$1"
}

cairn_pull() { # NAME PIPELINED CONNECTIONS
  local d="$work/$1"
  mkdir -p "$d"
  {
    echo "database: $d/db"
    echo "listen: [127.0.0.1:$(free_port)]"
    echo "secondary: {transfers-in: 16, pipelined-per-connection: $2, connections-per-primary: $3}"
    echo "zones:"
    for i in $(seq "$zones"); do
      echo "  - {name: z$i.example, primaries: [{address: \"127.0.0.1:$tls_port\", transport: tls, tls-pins: [\"$pin\"]}]}"
    done
  } >"$d/cairn.yaml"
  "$bench_root/cairn" serve --config "$d/cairn.yaml" >"$d/cairn.log" 2>&1 &
  echo $! >"$d/cairn.pidfile"
  for _ in $(seq 600); do [ "$(grep -c 'event=transferred' "$d/cairn.log")" -ge "$zones" ] && break; sleep 0.5; done
  kill "$(cat "$d/cairn.pidfile")"
  local first last
  first=$(grep -m1 'event=listening' "$d/cairn.log" | cut -d' ' -f1)
  last=$(grep 'event=transferred' "$d/cairn.log" | tail -1 | cut -d' ' -f1)
  echo "$(( $(ms "$last") - $(ms "$first") )) $(grep -c 'event=transferred' "$d/cairn.log")"
}

bind_pull() {
  local d="$work/bind-sec" port
  mkdir -p "$d"; port=$(free_port)
  {
    echo "tls xot { protocols { TLSv1.3; }; };"
    echo "options { directory \"$d\"; pid-file \"$d/named.pid\"; listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; transfers-in 16; };"
    echo "controls { };"
    for i in $(seq "$zones"); do
      echo "zone \"z$i.example\" { type secondary; file \"z$i.bk\"; primaries { 127.0.0.1 port $tls_port tls xot; }; };"
    done
  } >"$d/named.conf"
  named -g -u root -c "$d/named.conf" >"$d/named.log" 2>&1 &
  echo $! >"$d/named.pidfile"
  for _ in $(seq 600); do [ "$(grep -c 'Transfer completed' "$d/named.log")" -ge "$zones" ] && break; sleep 0.5; done
  kill "$(cat "$d/named.pidfile")"
  local first last
  first=$(grep -m1 'Transfer started' "$d/named.log" | awk '{print $2}')
  last=$(grep 'Transfer completed' "$d/named.log" | tail -1 | awk '{print $2}')
  echo "$(( $(ms "$last") - $(ms "$first") )) $(grep -c 'Transfer completed' "$d/named.log")"
}

reuse=$(cairn_pull reuse 16 2)
noreuse=$(cairn_pull noreuse 1 "$zones")
ref=$(bind_pull)
printf '%-44s %10s %8s\n' "$zones zones over XoT from BIND" ms zones
printf '%-44s %10s %8s\n' "Cairn, reused connections (16 pipelined, 2)" $reuse
printf '%-44s %10s %8s\n' "Cairn, 1 in flight per connection (<=100)" $noreuse
printf '%-44s %10s %8s\n' "BIND secondary" $ref
echo "ratio BIND / Cairn-reuse (>1: Cairn faster): $(ratio "${ref%% *}" "${reuse%% *}")"
echo "logs: $work"
