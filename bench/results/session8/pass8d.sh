#!/bin/bash
# Pass 8d: the many-clusters figure with and without resending unanswered commit notices on ticks (commit 98fed0f),
# alternating, with a 30 s idle window: idle clusters must still send nothing. The "before" build is a worktree of
# the commit before it: git worktree add /tmp/wt-before 98fed0f~1 && (cd /tmp/wt-before && mvn -B -q -o -pl
# bench-peers,bench -am package -DskipTests).
cd "$(dirname "$0")/../../.."
OUT=bench/results/session8
log() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/pass8d.log; }
run() {
  local root=$1 label=$2
  local cp=$root/bench/target/classes:$(cat $root/bench/target/bench-classpath.txt)
  java -cp $cp dev.ra.bench.Harness --figure many-clusters --runs 1 --idle-seconds 30 2>/dev/null \
    | sed "s/^{/{\"variant\":\"$label\",/" >> $OUT/many-clusters-idle.jsonl
  log "$label"
}
log start
for i in 1 2; do
  run . resend
  run /tmp/wt-before before
done
