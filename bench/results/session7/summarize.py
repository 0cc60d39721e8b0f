import json, sys
# Prints the floor program's p50/CPU and the netty sequential lines, round by round, with ratios to the round's floor.
floors = [json.loads(l) for l in open(sys.argv[1])]
netty = [json.loads(l) for l in open(sys.argv[2])]
key = sys.argv[3] if len(sys.argv) > 3 else 'overwrite'
seq = [j for j in netty if j['figure'] == 'sequential-netty']
chained = [j for j in netty if j['figure'] == 'sequential-netty-chained']
for i, f in enumerate(floors):
    fp = f['replicated_write_processes_%s_p50_ms' % key]['median']
    fc = {r: f['replicated_write_processes_%s_cpu_us_per_op_%s' % (key, r)]['median'] for r in ['leader', 'follower_a', 'follower_b', 'client', 'all']}
    print('round %d floor %s %.3f ms cpu %s' % (i + 1, key, fp, fc))
    for name, lines in (('sync', seq), ('chained', chained)):
        if i < len(lines):
            p = lines[i]['p50_ms']['median']
            print('   %-8s %.3f ms (%.2fx) runs %s cpu %s' % (name, p, p / fp, lines[i]['p50_ms']['runs'], lines[i].get('cpu_us_per_op')))
