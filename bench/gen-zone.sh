#!/usr/bin/env bash
# gen-zone.sh ORIGIN NAMES OUT_ZONE OUT_QUERIES: a zone with NAMES hosts (A, some AAAA/MX/TXT) and a
# dnsperf query file: 80% hits, 10% NXDOMAIN, 10% NODATA.
set -euo pipefail
origin=$1 names=$2 zone=$3 queries=$4
awk -v o="$origin" -v n="$names" 'BEGIN {
  print "$ORIGIN " o "."; print "$TTL 3600";
  print "@ IN SOA ns1 hostmaster 2026112301 3600 900 1209600 300";
  print "@ IN NS ns1"; print "@ IN NS ns2";
  print "ns1 IN A 192.0.2.1"; print "ns2 IN A 192.0.2.2";
  for (i = 0; i < n; i++) {
    printf "h%d IN A 10.%d.%d.%d\n", i, int(i/65536)%256, int(i/256)%256, i%256;
    if (i % 4 == 0) printf "h%d IN AAAA 2001:db8::%x:%x\n", i, int(i/65536), i%65536;
    if (i % 10 == 0) printf "h%d IN TXT \"host %d\"\n", i, i;
  }
}' >"$zone"
awk -v o="$origin" -v n="$names" 'BEGIN {
  srand(42);
  for (q = 0; q < 200000; q++) {
    r = rand(); i = int(rand() * n);
    if (r < 0.8) printf "h%d.%s A\n", i, o;
    else if (r < 0.9) printf "nx%d.%s A\n", i, o;
    else printf "h%d.%s MX\n", i, o;
  }
}' >"$queries"
