#!/bin/bash
# Pass 8: the netty figure in steady state (4 MiB WAL recycled, 40 s warm-up) with the client's caller connections on
# and off, alternating, so that the machine's drift falls on both alike. The against-floor line divides each of our
# synchronous windows by the floor program's windows just before and after it.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8.log; }
log start
for i in 1 2; do
  for cc in true false; do
    $H --figure netty --runs 5 --seconds 5 --warmup 40 --wal-max-mb 4 --caller-connections $cc 2>/dev/null \
      >> $OUT/netty-caller-connections.jsonl
    log "netty-$cc-$i"
  done
done
