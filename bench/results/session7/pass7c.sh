#!/bin/bash
# Pass 7c: the netty figure in steady state (4 MiB WAL recycled, 40 s warm-up) with its new line
# sequential-netty-against-floor: each synchronous window between two windows of the floor program, seconds apart.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session7
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass7c.log; }
log start
for i in 1 2; do
  $H --figure netty --runs 5 --seconds 5 --warmup 40 --wal-max-mb 4 2>/dev/null >> $OUT/netty-against-floor.jsonl; log "netty-$i"
done
