#!/usr/bin/env bash
# Memory of a silo that has touched many keys: starts a silo with --storage memory on its own ports, runs
# touch-keys.cs against it (CreateKey + one Encrypt for each of KEYS keys), samples the silo's RSS during the run and
# while it idles, and stops the silo. From the project root:
#
#   docs/bench/touch-keys.sh [KEYS] [IDLE_MINUTES]      (defaults 200000 and 6)
#
# Extra silo options go in SILO_ARGS; environment variables (DOTNET_GC...) pass through to the silo. SILO=PATH runs
# another build of the silo executable (e.g. an older commit's, to compare) instead of building this one.
set -euo pipefail
keys=${1:-200000}
idle=${2:-6}
port=${PORT:-4599}
if [ -z "${SILO:-}" ]; then
  dotnet build -c Release silo -v q -nologo >/dev/null
  SILO=silo/bin/Release/net10.0/OrleansKms.Silo
fi
data=$(mktemp -d)
"$SILO" --storage memory --port "$port" --silo-port 11191 --silo-gateway-port 30091 \
  --data-dir "$data" --audit off ${SILO_ARGS:-} >"$data/silo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 60); do
  grep -q "OrleansKms is running" "$data/silo.log" && break
  sleep 1
done
grep -q "OrleansKms is running" "$data/silo.log" || { cat "$data/silo.log"; exit 1; }
dotnet run -c Release docs/bench/touch-keys.cs -- --endpoint "http://127.0.0.1:$port" --keys "$keys" --pid "$pid" --idle "$idle"
