#!/bin/bash
cd /work/main
OUT=bench/results/session4
CP=bench/target/classes:$(cat bench/target/bench-classpath.txt)
LCP=ra-log/target/test-classes:ra-log/target/classes:$(cat ra-log/target/bench.classpath)
echo "start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" > $OUT/pass4.log
for i in 1 2 3; do
  java -cp $LCP dev.ra.log.bench.WalBenchmark /tmp/walb4 10 DATASYNC lat:250000 lat:20000 >> $OUT/wal.txt 2>&1
done
java -cp $LCP dev.ra.log.bench.WalBenchmark /tmp/walb4 10 DATASYNC tp:1 tp:10 tp:100 >> $OUT/wal.txt 2>&1
echo "wal done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure floor,sequential,pipelined-64 --runs 5 --warmup 10 --seconds 5 2>/dev/null > $OUT/figures.jsonl
echo "figures done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure netty --runs 5 --warmup 5 --seconds 5 2>/dev/null > $OUT/netty.jsonl
echo "netty done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure peers --runs 3 --warmup 10 --seconds 8 --peer-seconds 8 2>/dev/null > $OUT/peers-a.jsonl
echo "peers done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
java -cp $CP dev.ra.bench.Harness --figure many-clusters,failover,recovery --runs 3 --warmup 5 --seconds 5 --idle-seconds 30 2>/dev/null > $OUT/scale.jsonl
echo "all done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass4.log
