#!/bin/bash
# Pass 6: the floor program and the Netty sequential figure (synchronous and chained) interleaved three times, steady
# state (4 MiB WAL, recycled) and fresh directories, each with CPU per operation of every JVM; then the in-JVM figures.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session6
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass6.log; }
log start
for i in 1 2 3; do
  $H --figure floor --runs 1 --seconds 5 2>/dev/null >> $OUT/floor-interleaved.jsonl; log "floor-$i"
  $H --figure netty --runs 3 --seconds 5 --warmup 12 --wal-max-mb 4 2>/dev/null >> $OUT/netty-steady-interleaved.jsonl; log "netty-steady-$i"
  $H --figure netty --runs 3 --seconds 5 --warmup 5 2>/dev/null >> $OUT/netty-fresh-interleaved.jsonl; log "netty-fresh-$i"
done
$H --figure sequential --runs 5 --seconds 5 --warmup 10 --wal-max-mb 4 2>/dev/null >> $OUT/sequential-steady.jsonl; log sequential-steady
$H --figure sequential --runs 5 --seconds 5 --warmup 10 2>/dev/null >> $OUT/sequential-fresh.jsonl; log sequential-fresh
