#!/bin/bash
# Pass 7: the floor program and the Netty sequential figures in steady state (4 MiB WAL recycled) after a 40 s warm-up,
# long enough for the JIT compilers of every JVM to finish (the floor's member JVMs are warmed as long); the synchronous
# and chained lines take turns window by window. Interleaved four times, after the server-id cache (pass 7b).
cd "$(dirname "$0")/../../.."
OUT=bench/results/session7
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass7b.log; }
log start
for i in 1 2 3 4; do
  $H --figure floor --runs 1 --seconds 5 --warmup 40 2>/dev/null >> $OUT/floor-b.jsonl; log "floor-$i"
  $H --figure netty --runs 3 --seconds 5 --warmup 40 --wal-max-mb 4 2>/dev/null >> $OUT/netty-steady-b.jsonl; log "netty-steady-$i"
done
