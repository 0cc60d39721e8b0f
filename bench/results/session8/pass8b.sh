#!/bin/bash
# Pass 8b: three more runs of the netty figure in steady state with caller connections on (the default), for the
# spread of the window-for-window ratio to the floor program.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8b.log; }
log start
for i in 1 2 3; do
  $H --figure netty --runs 5 --seconds 5 --warmup 40 --wal-max-mb 4 2>/dev/null >> $OUT/netty-caller-connections-b.jsonl
  log "netty-$i"
done
