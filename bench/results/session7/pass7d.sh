#!/bin/bash
# Pass 7d: in one JVM (3 members, in-JVM transport, ra-log), steady state, 40 s warm-up, against the floor figure's
# threads-and-queues program; interleaved twice.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session7
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass7d.log; }
log start
for i in 1 2; do
  $H --figure floor --runs 1 --seconds 5 --warmup 40 2>/dev/null >> $OUT/floor-d.jsonl; log "floor-$i"
  $H --figure sequential --runs 5 --seconds 5 --warmup 40 --wal-max-mb 4 2>/dev/null >> $OUT/sequential-steady-d.jsonl; log "sequential-$i"
done
