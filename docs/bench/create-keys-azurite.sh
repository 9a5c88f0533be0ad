#!/usr/bin/env bash
# CreateKey on the default store (Azurite started by the service, with its journal): one run of
# `kms bench --create-keys N --callers 32` against a published silo on a new data directory, with the Azurite CPU
# time and table database size per key (docs/performance.md, "Azurite: a RowKey of each row's own").
#
#   docs/bench/create-keys-azurite.sh SILO_DLL KMS_DLL N PORT [LABEL]
#
# SILO_DLL: a published OrleansKms.Silo.dll (`dotnet publish silo -c Release -o DIR`); KMS_DLL: a published kms
# (`dotnet publish client -c Release -o DIR`, OrleansKms.Cli.dll). KMS_AZURITE_BIN may name the Azurite to use.
# Silo and bench run at nice -15 (run as root or with CAP_SYS_NICE). Prints one summary line at the end.
set -euo pipefail
silo_dll=$1; kms_dll=$2; n=$3; port=$4; label=${5:-run}
data=$(mktemp -d /tmp/kms-bench-XXXXXX)
log=$data.silo.log
clock=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

nice -n -15 dotnet "$silo_dll" --data-dir "$data" --port "$port" ${SILO_ARGS:-} >"$log" 2>&1 &
silo=$!
trap 'kill $silo 2>/dev/null; wait $silo 2>/dev/null; rm -rf "$data" "$log"' EXIT
for _ in $(seq 1 240); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then break; fi
  sleep 0.5
done
azurite=$(cat "$data/azurite/azurite.pid")
a0=$(cpu_ticks "$azurite"); s0=$(cpu_ticks "$silo"); t0=$(date +%s.%N); load0=$(cut -d' ' -f1 /proc/loadavg)
nice -n -15 dotnet "$kms_dll" bench --create-keys "$n" --callers 32 --endpoint "http://127.0.0.1:$port" --interval 20s | tee "$data.bench"
a1=$(cpu_ticks "$azurite"); s1=$(cpu_ticks "$silo"); t1=$(date +%s.%N); load1=$(cut -d' ' -f1 /proc/loadavg)
sleep 6 # one more Azurite save, so the database file holds every key
db=$(stat -c %s "$data/azurite/__azurite_db_table__.json")
rate=$(grep -m1 -oE '[0-9.]+ keys/s overall' "$data.bench" || true)
awk -v l="$label" -v n="$n" -v a="$((a1 - a0))" -v s="$((s1 - s0))" -v c="$clock" -v t0="$t0" -v t1="$t1" -v db="$db" \
    -v r="$rate" -v l0="$load0" -v l1="$load1" 'BEGIN {
  printf "SUMMARY %s: %d keys, %s, wall %.0f s (bench and ListKeys), Azurite CPU %.2f ms/key, silo CPU %.2f ms/key, table db %.0f bytes/key (%.1f MB), load %s -> %s\n",
    l, n, r, t1 - t0, a * 1000 / c / n, s * 1000 / c / n, db / n, db / 1e6, l0, l1 }'
rm -f "$data.bench"
