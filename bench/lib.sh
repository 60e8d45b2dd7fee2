# Shared helpers for the bench/ scripts: free ports, waiting for a DNS server, reference servers.
# Sourced, not run. Everything binds to 127.0.0.1 only.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# free_port: a loopback port nobody listens on and that this run has not handed out before (two
# quick calls can otherwise get the same ephemeral port back).
free_port() {
  local used="${TMPDIR:-/tmp}/cairn-bench-ports.$$" port
  while :; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    if ! grep -qx "$port" "$used" 2>/dev/null; then
      echo "$port" >>"$used"
      echo "$port"
      return
    fi
  done
}

# java_pid PID: the JVM behind PID: PID itself, or the java process the ./cairn launcher started
# (it stays the JVM's parent while a first `serve` records its class-data archive).
java_pid() {
  pgrep -P "$1" -x java || echo "$1"
}

# wait_for_dns PORT NAME [TRIES]: polls with dig until the server answers NOERROR for NAME SOA.
wait_for_dns() {
  local port=$1 name=$2 tries=${3:-120}
  for _ in $(seq "$tries"); do
    if dig +time=1 +tries=1 -p "$port" @127.0.0.1 "$name" SOA 2>/dev/null | grep -q 'status: NOERROR'; then
      return 0
    fi
    sleep 0.5
  done
  echo "server on port $port did not answer for $name" >&2
  return 1
}

# start_nsd DIR PORT ZONE FILE [ZONE_LINES] [SERVER_LINES]: runs NSD in the foreground-less mode
# with its own files in DIR; the optional lines are added to its zone: and server: clauses.
start_nsd() {
  local dir=$1 port=$2 zone=$3 file=$4 zone_lines=${5:-} server_lines=${6:-}
  cat >"$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  port: $port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  server-count: $(nproc)
  verbosity: 0
  tcp-count: 1000
  rrl-ratelimit: 0
$server_lines
remote-control:
  control-enable: no
zone:
  name: "$zone"
  zonefile: "$file"
$zone_lines
CONF
  nsd -c "$dir/nsd.conf" -d >"$dir/nsd.log" 2>&1 &
  echo $! >"$dir/nsd.pidfile"
}

# start_knot DIR PORT ZONE FILE: runs knotd in the foreground with its files in DIR, serving FILE as
# it is (no signing, no journal, the file never rewritten).
start_knot() {
  local dir=$1 port=$2 zone=$3 file=$4
  cat >"$dir/knot.conf" <<CONF
server:
  rundir: "$dir"
  listen: 127.0.0.1@$port
database:
  storage: "$dir"
log:
  - target: stderr
    any: warning
zone:
  - domain: "$zone"
    file: "$file"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
CONF
  knotd -c "$dir/knot.conf" >"$dir/knot.log" 2>&1 &
  echo $! >"$dir/knot.pidfile"
}

# serve_cairn WORK DB PORT: starts `cairn serve` on the store DB (log WORK/serve-PORT.log) and waits
# until it listens.
serve_cairn() {
  local work=$1 db=$2 port=$3
  "$bench_root/cairn" serve --db "$db" --listen "127.0.0.1:$port" >"$work/serve-$port.log" 2>&1 &
  echo $! >"$work/serve-$port.pidfile"
  for _ in $(seq 600); do grep -q event=listening "$work/serve-$port.log" && return 0; sleep 0.2; done
  echo "server did not start" >&2; return 1
}

# cairn_jvm PORT: the pid of the Cairn JVM serving on PORT.
cairn_jvm() {
  java_pid "$(pgrep -f "listen 127.0.0.1:$1" | head -1)"
}

# live_heap PID: bytes the JVM has in use after a full GC.
live_heap() {
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K","",v); print v*1024; exit}}'
}

# qps LOGFILE: the "Queries per second" figure of a dnsperf run.
qps() {
  awk '/Queries per second/ {print $4}' "$1"
}

ratio() {
  python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2] or 0); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"
}

# start_named DIR TLS_PORT ZONE FILE [PLAIN_PORT]: BIND 9 serving ZONE over DoT (and plain if given).
start_named() {
  local dir=$1 tls_port=$2 zone=$3 file=$4 plain=${5:-}
  "$bench_root/cairn" tls generate --dir "$dir" --name bench.test >/dev/null
  cat >"$dir/named.conf" <<CONF
tls local-tls { key-file "$dir/key.pem"; cert-file "$dir/cert.pem"; };
options {
  directory "$dir";
  pid-file "$dir/named.pid";
  listen-on port $tls_port tls local-tls { 127.0.0.1; };
  $( [ -n "$plain" ] && echo "listen-on port $plain { 127.0.0.1; };" )
  listen-on-v6 { none; };
  recursion no;
  minimal-responses yes;
  allow-transfer { any; };
};
controls { };
zone "$zone" { type primary; file "$file"; };
CONF
  named -g -u root -c "$dir/named.conf" >"$dir/named.log" 2>&1 &
  echo $! >"$dir/named.pidfile"
}
