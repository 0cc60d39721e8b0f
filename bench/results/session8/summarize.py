import json, sys
# Prints each netty figure run of pass 8: caller connections on/off, the synchronous, chained and against-floor lines
# (medians of the run's windows, the windows, and the ratio of each against-floor window to the floor around it).
for line in open(sys.argv[1] if len(sys.argv) > 1 else 'bench/results/session8/netty-caller-connections.jsonl'):
    j = json.loads(line)
    if not j['figure'].startswith('sequential-netty'):
        continue
    out = '%-5s %-31s p50 %.3f ms %s' % (j['caller_connections'], j['figure'], j['p50_ms']['median'], j['p50_ms']['runs'])
    if 'ratio_to_floor_around' in j:
        r = j['ratio_to_floor_around']
        out += '\n      floor %s ratios %s median %.3f' % (j['floor_p50_ms']['runs'], r['runs'], r['median'])
    cpu = {k: v for k, v in j.items() if k.startswith('cpu_us_per_op')}
    if cpu:
        out += '\n      cpu %s' % cpu
    print(out)
