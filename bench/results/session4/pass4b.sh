#!/bin/bash
cd /work/main
OUT=bench/results/session4
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
echo "b start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure netty --runs 5 --warmup 5 --seconds 5 2>/dev/null > $OUT/netty-b.jsonl
echo "b netty done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure peers --runs 3 --warmup 10 --seconds 8 --peer-seconds 8 2>/dev/null > $OUT/peers-b.jsonl
echo "b peers done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure recovery --runs 3 2>/dev/null > $OUT/recovery-b.jsonl
echo "b all done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
