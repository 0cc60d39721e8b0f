#!/bin/bash
# Pass 8e: the many-clusters figure (1,000 clusters x 3 members, 30 s idle window) with followers' ticks skipped
# (ServerProcess.tick asks the core's wantsTicks) against the commit before it, alternating. The "before" build is a
# worktree of that commit: git worktree add /tmp/wt-before f3d8068 && (cd /tmp/wt-before && mvn -B -q -o -pl
# bench-peers,bench -am package -DskipTests).
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8e.log; }
run() {
  local root=$1 label=$2
  local cp=$root/bench/target/classes:$(cat $root/bench/target/bench-classpath.txt)
  java -cp $cp dev.ra.bench.Harness --figure many-clusters --runs 1 --idle-seconds 30 2>/dev/null \
    | sed "s/^{/{\"variant\":\"$label\",/" >> $OUT/many-clusters-ticks.jsonl
  log "$label"
}
log start
for i in 1 2; do
  run . leader-ticks-only
  run /tmp/wt-before all-ticks
done
