#!/bin/bash
# Pass 8c: the netty figure once more in steady state after the caller connections' final form (take/release, reaper,
# node-side pending-call check), to confirm pass 8's figures still hold.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8c.log; }
log start
for i in 1 2; do
  $H --figure netty --runs 5 --seconds 5 --warmup 40 --wal-max-mb 4 2>/dev/null >> $OUT/netty-caller-connections-c.jsonl
  log "netty-$i"
done
