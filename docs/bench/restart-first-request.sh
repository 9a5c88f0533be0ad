#!/bin/bash
# Start-up checks (see docs/durability.md, "Start-up after a crash or Ctrl-C"). Run from the repository root after
# `dotnet build`; uses Debian's python3-botocore through ../shared/bench/kmsreq.py.
#   restart-first-request.sh kill N    N rounds: start the silo onto one data directory, send CreateKey the instant the
#                                      port accepts a connection, load it for 1-4 s, kill -9 the whole process group
#                                      (every 4th round during start-up); prints the first answer of each start.
#   restart-first-request.sh sigint D...   for each delay D (s): start, SIGINT to the group after D s, report exit.
# Each round's output: /tmp/kms-restart/log.N; the silo's ports: gateway 45991, silo 21111, gateway 31001.
set -u
MODE=$1; shift
DLL=${SILO_DLL:-silo/bin/Debug/net10.0/OrleansKms.Silo.dll}
DIR=/tmp/kms-restart; DATA=$DIR/data; PORT=45991
HERE=$(dirname "$0"); mkdir -p $DATA
start() { # a process group of its own, SIGINT at its default disposition (as in a terminal)
  perl -MPOSIX -e '$SIG{INT} = "DEFAULT"; POSIX::setsid(); exec @ARGV or die $!' -- \
    dotnet $DLL --port $PORT --data-dir $DATA --silo-port 21111 --silo-gateway-port 31001 > $DIR/log.$1 2>&1 < /dev/null &
  PG=$!
}
case $MODE in
kill)
  for i in $(seq 1 $1); do
    start $i
    if [ $((i % 4)) = 0 ]; then
      sleep 1.$((RANDOM % 10)); sleep $((RANDOM % 3)); kill -KILL -- -$PG; wait $PG 2>/dev/null
      echo "round $i: killed during start-up"; continue
    fi
    python3 $HERE/first-request-probe.py http://127.0.0.1:$PORT 180 > $DIR/probe.$i 2>&1
    echo "round $i: $(wc -l < $DIR/probe.$i) attempt(s); first: $(head -1 $DIR/probe.$i | cut -c1-120)"
    for w in 1 2 3 4; do (for k in $(seq 1 30); do python3 $HERE/../../../shared/bench/kmsreq.py call http://127.0.0.1:$PORT CreateKey '{}' >/dev/null 2>&1; done) & done
    sleep $((1 + RANDOM % 4)); kill -KILL -- -$PG; wait 2>/dev/null
  done ;;
sigint)
  for d in "$@"; do
    start $d; sleep $d; kill -INT -- -$PG; t0=$(date +%s.%N); wait $PG; rc=$?
    echo "delay $d s: exit $rc after $(echo "$(date +%s.%N) - $t0" | bc) s; had started: $(grep -c 'is running' $DIR/log.$d)"
  done ;;
esac
