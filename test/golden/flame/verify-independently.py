#!/usr/bin/env python3
"""Cross-checks the flame goldens without Sluice's code: awk-style sums for collapsed files, a separate decoder
for async-profiler HTML (root totals), `jfr print --json` from the JDK for JFR, plain recursion for JSON trees.
Run: python3 test/golden/flame/verify-independently.py  (needs `jfr` on PATH for the JFR files)."""
import collections, gzip, json, os, re, subprocess, sys, tempfile

CORPUS = '/work/shared/corpus/flame'
GOLDEN = os.path.dirname(os.path.abspath(__file__))
SUFFIX = {'k': 'kernel', 'j': 'jit', 'i': 'inlined', 'w': 'waker', '0': 'interpreted', '1': 'c1'}
failures = 0
JFR_TYPES = {'Interpreted': 'interpreted', 'JIT compiled': 'jit', 'Inlined': 'inlined', 'Native': 'native', 'C++': 'cpp',
             'Kernel': 'kernel', 'C1 compiled': 'c1'}


def top5(counter):
    return [(n, w) for n, w in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]


def check(file, index, total, self_by_name, stacks=None, typed=False):
    global failures
    golden = json.load(open(os.path.join(GOLDEN, file + '.json')))['summaries'][index]
    got_top = [(e['name'] + ('@' + e['type'] if typed and 'type' in e else ''), e['weight']) for e in golden['topSelf']]
    want_top = top5(self_by_name)
    ok = golden['totalWeight'] == total and [w for _, w in got_top] == [w for _, w in want_top] \
        and set(n for n, _ in got_top) <= set(self_by_name)
    for name, weight in got_top:
        ok = ok and self_by_name.get(name) == weight
    if stacks is not None:
        ok = ok and golden['distinctStacks'] == stacks
    print(('ok  ' if ok else 'FAIL'), file, index, 'total', total, 'golden', golden['totalWeight'], 'stacks', stacks, golden['distinctStacks'])
    if not ok:
        print('   independent top self', want_top, '\n   golden top self     ', got_top)
        failures += 1


def collapsed(file):
    self_w, stacks, total = collections.Counter(), set(), 0
    for line in open(os.path.join(CORPUS, file), encoding='utf-8'):
        line = line.rstrip('\r\n')
        if not line or line.startswith('#') or line.startswith('//'):
            continue
        m = re.match(r'^(.*) (\d+)$', line)
        if not m:
            continue
        frames = [f for f in m.group(1).split(';') if f]
        total += int(m.group(2))
        leaf = frames[-1]
        if re.search(r'_\[[kjiw01]\]$', leaf):
            leaf = leaf[:-4]
        self_w[leaf] += int(m.group(2))
        stacks.add(m.group(1))
    check(file, 0, total, self_w, len(stacks))


def html(file):
    text = open(os.path.join(CORPUS, file), encoding='utf-8').read()
    self_w = collections.Counter()
    nodes = []  # (level, name, width)
    if 'const cpool = [' in text:
        body = text[text.index('const cpool = [') + len('const cpool = ['):]
        table, rest = body.split('];', 1)
        pool, prev = [], ''
        for m in re.finditer(r"'((?:[^'\\]|\\.)*)'", table):
            s = m.group(1).replace("\\'", "'").replace('\\\\', '\\')
            prev = s if not pool else prev[:ord(s[0]) - 32] + s[1:]
            pool.append(prev)
        level, width = 0, 0
        for m in re.finditer(r'^([fun])\(([-\d,]+)\)$', rest, re.M):
            args = [int(a) for a in m.group(2).split(',')]
            if m.group(1) == 'f':
                level, extra = args[1], args[3:]
            else:
                level += 1 if m.group(1) == 'u' else 0
                extra = args[1:]
            if extra:
                width = extra[0]
            nodes.append((level, pool[args[0] >> 3], width))
    else:
        for m in re.finditer(r"^f\((\d+),(\d+),(\d+),(\d+),'(.*)'\)$", text, re.M):
            nodes.append((int(m.group(1)), m.group(5).replace("\\'", "'"), int(m.group(3))))
    # self = width - sum of widths of the next-level frames until the level drops back
    for i, (level, name, width) in enumerate(nodes):
        children = 0
        for lv, _, w in nodes[i + 1:]:
            if lv <= level:
                break
            if lv == level + 1:
                children += w
        if width - children > 0 and level > 0:
            self_w[name] += width - children
    root_total = nodes[0][2]
    check(file, 0, root_total, self_w)


def jfr(file, events_by_profile):
    path = os.path.join(CORPUS, file)
    if file.endswith('.gz'):
        tmp = tempfile.NamedTemporaryFile(suffix='.jfr', delete=False)
        tmp.write(gzip.open(path).read())
        tmp.close()
        path = tmp.name
    for index, events in enumerate(events_by_profile):
        out = subprocess.run(['jfr', 'print', '--json', '--events', ','.join(events), path], capture_output=True, text=True, check=True).stdout
        self_w = collections.Counter()
        recs = json.loads(out)['recording']['events']
        for e in recs:
            st = e['values'].get('stackTrace')
            leaf_class = e['values'].get('objectClass')
            if leaf_class:
                self_w[leaf_class['name'].replace('/', '.') + '@class'] += 1
                continue
            if not st or not st['frames']:
                continue
            f = st['frames'][0]
            cls = (f['method'].get('type') or {}).get('name', '') or ''
            name = f['method']['name']
            if cls and not (f['type'] in ('Native', 'C++', 'Kernel') and re.search(r'(\.so(\.[\d.]+)?|\.dll|\.dylib)$|^\[', cls)):
                name = cls.replace('/', '.') + '.' + name
            self_w[name + '@' + JFR_TYPES.get(f['type'], f['type'].lower())] += 1
        check(file, index, len(recs), self_w, typed=True)


def speedscope(file):
    d = json.load(open(os.path.join(CORPUS, file)))
    names = [f['name'] for f in d['shared']['frames']]
    prof = d['profiles'][0]
    self_w, stack, last = collections.Counter(), [], prof['startValue']
    for e in prof['events']:
        if stack and e['at'] > last:
            self_w[names[stack[-1]]] += e['at'] - last
        last = e['at']
        stack.append(e['frame']) if e['type'] == 'O' else stack.pop()
    check(file, 0, prof['endValue'] - prof['startValue'], self_w)


def tree(file):
    root = json.load(open(os.path.join(CORPUS, file)))
    self_w = collections.Counter()

    def walk(n):
        kids = n.get('children', [])
        s = n['value'] - sum(k['value'] for k in kids)
        if s > 0 and n is not root:
            self_w[n['name']] += s
        for k in kids:
            walk(k)
    walk(root)
    check(file, 0, root['value'], self_w)


sys.setrecursionlimit(10000)
speedscope('01-speedscope-evented-simple.speedscope.json')
jfr('04-jdk21-builtin-jfr-heavy.jfr', [['jdk.ExecutionSample'], ['jdk.NativeMethodSample'], ['jdk.ObjectAllocationSample']])
collapsed('05-collapsed-with-invalid-lines.txt')
html('06-async-profiler-v2-format-flamegraph.html')
html('07-async-profiler-v3-format-flamegraph.html')
collapsed('09-async-profiler-annotated-sample1.collapsed')
collapsed('12-perf-java-stacks-collapsed-jit-annotated.txt')
jfr('15-async-profiler-cpu.jfr.gz', [['jdk.ExecutionSample']])
tree('20-d3-flame-graph-name-value-children.json')
sys.exit(1 if failures else 0)
