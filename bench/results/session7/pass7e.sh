#!/bin/bash
# Pass 7e: the peer comparison again after this session's change to the library (server-id cache), as in pass 5c.
cd "$(dirname "$0")/../../.."
OUT=bench/results/session7
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass7e.log; }
log start
$H --figure peers --runs 3 --warmup 10 --seconds 8 --peer-seconds 8 2>/dev/null > $OUT/peers.jsonl; log peers
