#!/usr/bin/env bash
# One hot key on two silos of one cluster: the Encrypt throughput of one key through silo A's gateway alone, through
# silo B's alone, and through both at once (wrk against each gateway at the same time, half the connections each).
# Each silo encrypts with its own cached copy of the key; the key's grain is not on the path (see
# tests/OrleansKms.IntegrationTests/Cluster/HotKeyTests.cs), so both silos serve the one key in parallel. On a 2-core
# machine the two silos share the cores, so "both" shows the key is not held to one silo's share, not a 2x.
#
# Run from the project root after `dotnet build -c Release silo` and `npm ci`:
#   docs/bench/hot-key-two-silos.sh [--seconds 10] [--connections 32] [--audit on|off]
# Needs: wrk, python3 with botocore, ../shared/bench/kmsreq.py (or KMSREQ=path).
set -uo pipefail
secs=10 conns=32 audit=on
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) secs=$2; shift 2;; --connections) conns=$2; shift 2;; --audit) audit=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[ -f OrleansKms.sln ] || { echo "run from the project root" >&2; exit 2; }
kmsreq=${KMSREQ:-../shared/bench/kmsreq.py}
req() { python3 "$kmsreq" "$@"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
work=$(mktemp -d); pgs=()
cleanup() {
  for g in "${pgs[@]}"; do kill -TERM -- -"$g" 2>/dev/null; done
  sleep 3
  for g in "${pgs[@]}"; do kill -KILL -- -"$g" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
start() { # name, command...
  local name=$1; shift
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$work/$name.pid" "$@" >"$work/$name.log" 2>&1 & disown
  sleep 0.3; pgs+=("$(cat "$work/$name.pid")")
}
bp=$(free_port) qp=$(free_port) tp=$(free_port)
start azurite node_modules/.bin/azurite --silent --location "$work/azurite" --blobPort "$bp" --queuePort "$qp" --tablePort "$tp" \
  --skipApiVersionCheck --disableProductStyleUrl --disableTelemetry
for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/"$tp") 2>/dev/null && break; sleep 0.5; done
export KMS_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$bp/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$qp/devstoreaccount1;TableEndpoint=http://127.0.0.1:$tp/devstoreaccount1;"
export KMS_ROOT_KEY=$(head -c 32 /dev/urandom | base64 -w0)   # the silos of one Region share its root key
pa=$(free_port) pb=$(free_port)
start silo-a dotnet run --project silo -c Release --no-build -- --port "$pa" --silo-port "$(free_port)" --silo-gateway-port "$(free_port)" --data-dir "$work/a" --audit "$audit"
for _ in $(seq 1 240); do curl -s -o /dev/null "http://127.0.0.1:$pa/" && break; sleep 0.5; done
start silo-b dotnet run --project silo -c Release --no-build -- --port "$pb" --silo-port "$(free_port)" --silo-gateway-port "$(free_port)" --data-dir "$work/b" --audit "$audit"
for _ in $(seq 1 240); do curl -s -o /dev/null "http://127.0.0.1:$pb/" && break; sleep 0.5; done
curl -s -o /dev/null "http://127.0.0.1:$pb/" || { echo "silo B did not start: $(tail -5 "$work/silo-b.log")" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
key=$(req call "http://127.0.0.1:$pa" CreateKey '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["KeyMetadata"]["KeyId"])') || { echo "CreateKey failed" >&2; exit 1; }
body="{\"KeyId\":\"$key\",\"Plaintext\":\"$(head -c 32 /dev/urandom | base64 -w0)\"}"
for s in a b; do
  port=$([ $s = a ] && echo "$pa" || echo "$pb")
  req call "http://127.0.0.1:$port" Encrypt "$body" >/dev/null || { echo "Encrypt through silo $s failed" >&2; exit 1; }
  req lua "http://127.0.0.1:$port" Encrypt "$body" > "$work/$s.lua"
done
run() { wrk -t1 -c"$2" -d"${secs}s" -s "$work/$1.lua" "http://127.0.0.1:$([ "$1" = a ] && echo "$pa" || echo "$pb")/" 2>/dev/null | grep RESULT; }
rps() { sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$1"; }
run a "$conns" >/dev/null; run b "$conns" >/dev/null   # warm-up
ra=$(run a "$conns"); rb=$(run b "$conns")
run a $((conns / 2)) > "$work/both-a" & run b $((conns / 2)) > "$work/both-b"; wait
both_a=$(cat "$work/both-a"); both_b=$(cat "$work/both-b")
echo "one key, Encrypt, $secs s each, audit $audit"
echo "silo A alone ($conns connections): ${ra#RESULT }"
echo "silo B alone ($conns connections): ${rb#RESULT }"
echo "both at once ($((conns / 2)) each):  A ${both_a#RESULT }"
echo "                             B ${both_b#RESULT }"
python3 -c "a,b,x,y=map(float,'$(rps "$ra") $(rps "$rb") $(rps "$both_a") $(rps "$both_b")'.split()); print(f'total: alone A {a:.0f}, alone B {b:.0f}, both {x+y:.0f} req/s (A {x:.0f} + B {y:.0f})')"
