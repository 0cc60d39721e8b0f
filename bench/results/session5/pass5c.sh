#!/bin/bash
# Pass 5c: the peer comparison and the scale figures with delayed commit notices.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session5
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass5.log; }
$H --figure peers --runs 3 --warmup 10 --seconds 8 --peer-seconds 8 2>/dev/null > $OUT/peers.jsonl; log peers
$H --figure many-clusters 2>/dev/null > $OUT/scale.jsonl; log many-clusters
