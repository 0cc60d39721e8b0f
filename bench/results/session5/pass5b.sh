#!/bin/bash
# Pass 5b: the floor and the Netty sequential figure interleaved, three times, so both see the same machine.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session5
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass5.log; }
for i in 1 2 3; do
  $H --figure floor --runs 1 --seconds 5 2>/dev/null >> $OUT/floor-interleaved.jsonl; log "floor-$i"
  $H --figure netty --runs 3 --seconds 5 --warmup 12 --wal-max-mb 4 2>/dev/null >> $OUT/netty-steady-interleaved.jsonl; log "netty-steady-$i"
  $H --figure netty --runs 3 --seconds 5 --warmup 5 2>/dev/null >> $OUT/netty-fresh-interleaved.jsonl; log "netty-fresh-$i"
done
