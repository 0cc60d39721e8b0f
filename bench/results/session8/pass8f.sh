#!/bin/bash
# Pass 8f: the many-clusters figure with its idle window (30 s) starting 15 s after the start and first commands
# (--idle-settle-seconds, default 15; before, 2 s), three runs, after followers stopped getting ticks.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8f.log; }
log start
java -cp $CP dev.ra.bench.Harness --figure many-clusters --runs 3 --idle-seconds 30 2>/dev/null >> $OUT/many-clusters-settled.jsonl
log many-clusters
java -cp $CP dev.ra.bench.Harness --figure many-clusters --runs 3 --idle-seconds 30 2>/dev/null >> $OUT/many-clusters-settled.jsonl
log many-clusters
