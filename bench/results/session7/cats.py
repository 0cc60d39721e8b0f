import sys, re, collections
# perf script output -> per-thread share of samples by category: the syscall a sample is in, interrupt/page fault, or user code
cur = None; stack = []
res = collections.defaultdict(collections.Counter)
def flush():
    if cur is None: return
    cat = None
    syms = [s for s in stack]
    # stacks are leaf-first; walk from root (end) to leaf
    for s in reversed(syms):
        m = re.search(r'__x64_sys_(\w+)', s)
        if m: cat = 'sys_' + m.group(1); break
        if 'asm_common_interrupt' in s or 'asm_sysvec' in s: cat = 'irq'; break
        if 'asm_exc_page_fault' in s: cat = 'pagefault'; break
    if cat is None:
        leaf = syms[0] if syms else ''
        if '[kernel' in leaf or 'kallsyms' in leaf: cat = 'kernel-other'
        elif 'libjvm' in leaf: cat = 'jvm'
        elif 'perf-' in leaf or 'JIT' in leaf: cat = 'java-jit'
        else: cat = 'user-other'
    res[cur][cat] += 1
for line in sys.stdin:
    if not line.strip():
        flush(); cur = None; stack = []; continue
    if not line.startswith((' ', '\t')):
        parts = line.split()
        cur = parts[0] + ':' + parts[1]
        stack = []
    else:
        stack.append(line.strip())
flush()
for t, c in sorted(res.items(), key=lambda x: -sum(x[1].values())):
    tot = sum(c.values())
    if tot < 200: continue
    print('%s  %d samples' % (t, tot))
    for k, v in c.most_common(12):
        print('   %-22s %5.1f%%' % (k, 100.0 * v / tot))
