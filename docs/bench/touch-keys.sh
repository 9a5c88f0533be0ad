#!/usr/bin/env bash
# Memory of a silo that has touched many keys: starts a silo with --storage memory on its own ports, runs
# touch-keys.cs against it (CreateKey + one Encrypt for each of KEYS keys), samples the silo's RSS during the run and
# while it idles, and stops the silo. From the project root:
#
#   docs/bench/touch-keys.sh [KEYS] [IDLE_MINUTES] [TOUCH_MINUTES]      (defaults 200000, 6 and no limit)
#
# TOUCH_MINUTES stops starting new keys after that long (for slow stores). STORAGE=azurite runs the silo on an Azurite
# it starts itself in a fresh data directory; the script then also prints the RSS of the silo's child processes
# (Azurite) every minute.
#
# Extra silo options go in SILO_ARGS; environment variables (DOTNET_GC...) pass through to the silo. SILO=PATH runs
# another build of the silo executable (e.g. an older commit's, to compare) instead of building this one.
set -euo pipefail
keys=${1:-200000}
idle=${2:-6}
minutes=${3:-0}
storage=${STORAGE:-memory}
port=${PORT:-4599}
if [ -z "${SILO:-}" ]; then
  dotnet build -c Release silo -v q -nologo >/dev/null
  SILO=silo/bin/Release/net10.0/OrleansKms.Silo
fi
data=$(mktemp -d)
"$SILO" --storage "$storage" --port "$port" --silo-port 11191 --silo-gateway-port 30091 \
  --data-dir "$data" --audit off ${SILO_ARGS:-} >"$data/silo.log" 2>&1 &
pid=$!
sampler=
# SILO_LOG=FILE keeps the silo's log (it goes with the data directory otherwise).
trap 'kill $pid $sampler 2>/dev/null; wait $pid 2>/dev/null; [ -n "${SILO_LOG:-}" ] && cp "$data/silo.log" "$SILO_LOG"; rm -rf "$data"' EXIT
for _ in $(seq 120); do
  grep -q "OrleansKms is running" "$data/silo.log" && break
  sleep 1
done
grep -q "OrleansKms is running" "$data/silo.log" || { cat "$data/silo.log"; exit 1; }
if [ "$storage" != memory ]; then
  (while sleep 60; do
    rss=0
    for child in $(ps -o pid= --ppid "$pid"); do
      rss=$((rss + $(ps -o rss= -p "$child" || echo 0)))
      for grandchild in $(ps -o pid= --ppid "$child"); do rss=$((rss + $(ps -o rss= -p "$grandchild" || echo 0))); done
    done
    echo "$(date -u +%H:%M:%S) silo's child processes (Azurite) RSS $((rss / 1024)) MB"
  done) &
  sampler=$!
fi
dotnet run -c Release docs/bench/touch-keys.cs -- --endpoint "http://127.0.0.1:$port" --keys "$keys" --pid "$pid" --idle "$idle" --minutes "$minutes"
