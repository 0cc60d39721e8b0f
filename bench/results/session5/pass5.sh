#!/bin/bash
# Pass 5: the sequential figures against the measured floors, commit notices delayed (default 2 ms).
cd "$(dirname "$0")/../../.."
OUT=bench/results/session5
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
H="java -cp $CP dev.ra.bench.Harness"
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass5.log; }
log start
$H --figure floor --runs 5 --seconds 5 2>/dev/null > $OUT/floor-a.jsonl; log floor-a
$H --figure netty --runs 5 --seconds 5 --warmup 12 --wal-max-mb 4 2>/dev/null > $OUT/netty-steady.jsonl; log netty-steady
$H --figure netty --runs 5 --seconds 5 --warmup 5 2>/dev/null > $OUT/netty-fresh.jsonl; log netty-fresh
$H --figure sequential --runs 5 --seconds 5 --warmup 12 --wal-max-mb 4 2>/dev/null > $OUT/sequential-steady.jsonl; log sequential-steady
$H --figure sequential --runs 5 --seconds 5 --warmup 10 2>/dev/null > $OUT/sequential-fresh.jsonl; log sequential-fresh
$H --figure floor --runs 3 --seconds 5 2>/dev/null > $OUT/floor-b.jsonl; log floor-b
