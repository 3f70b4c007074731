import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collapsedOf, runFlame, totalWeight } from './sink.js';

const page = (body: string, title = 'CPU profile'): string =>
  `<!DOCTYPE html>\n<html><head><style>h1 {margin: 5px}</style></head><body>\n<h1>${title}</h1>\n<script>\n${body}\n</script></body></html>\n`;

// The synthetic 10-sample tree of flame-formats §1.3, in both layouts.
const EXPECTED = [
  '{Source: orders (1/4)#0}[Source: orders (1/4)#0 tid=4711]@thread;java/lang/Thread.run@jit;org/apache/flink/runtime/taskmanager/Task.run@jit;org/apache/flink/runtime/taskmanager/Task.doRun@jit;org/apache/flink/streaming/runtime/tasks/StreamTask.invoke@jit 1',
  '{Source: orders (1/4)#0}[Source: orders (1/4)#0 tid=4711]@thread;java/lang/Thread.run@jit;org/apache/flink/runtime/taskmanager/Task.run@jit;org/apache/flink/runtime/taskmanager/Task.doRun@jit;org/apache/flink/streaming/runtime/tasks/StreamTask.invoke@jit;com/example/Enricher.map@jit 4',
  '{Source: orders (1/4)#0}[Source: orders (1/4)#0 tid=4711]@thread;java/lang/Thread.run@jit;org/apache/flink/runtime/taskmanager/Task.run@jit;org/apache/flink/runtime/taskmanager/Task.doRun@jit;org/apache/flink/streaming/runtime/tasks/StreamTask.invoke@jit;com/example/Enricher.map@jit;java/util/HashMap.get@inlined 3',
  '{Source: orders (1/4)#0}[Source: orders (1/4)#0 tid=4711]@thread;java/lang/Thread.run@jit;org/apache/flink/runtime/taskmanager/Task.run@jit;org/apache/flink/runtime/taskmanager/Task.doRun@jit;org/apache/flink/streaming/runtime/tasks/StreamTask.invoke@jit;java/util/HashMap.get@jit 2',
];

const FORMAT_A = `const palette = [
\t\t[0xb2e1b2, 20, 20, 20],
\t\t[0x50e150, 30, 30, 30],
\t\t[0x50cccc, 30, 30, 30],
\t\t[0xe15a5a, 30, 40, 40],
\t\t[0xc8c83c, 30, 30, 10],
\t\t[0xe17d00, 30, 30,  0],
\t\t[0xcce880, 20, 20, 20],
\t];
f(0,0,10,3,'all')
f(1,0,10,3,'[Source: orders (1/4)#0 tid=4711]')
f(2,0,10,1,'java/lang/Thread.run')
f(3,0,10,1,'org/apache/flink/runtime/taskmanager/Task.run')
f(4,0,10,1,'org/apache/flink/runtime/taskmanager/Task.doRun')
f(5,0,10,1,'org/apache/flink/streaming/runtime/tasks/StreamTask.invoke')
f(6,1,7,1,'com/example/Enricher.map')
f(7,5,3,2,'java/util/HashMap.get')
f(6,8,2,1,'java/util/HashMap.get')`;

const FORMAT_B = `const cpool = [
'all',
' [Source: orders (1/4)#0 tid=4711]',
' com/example/Enricher.map',
' java/lang/Thread.run',
'%util/HashMap.get',
' org/apache/flink/runtime/taskmanager/Task.doRun',
'Jrun',
'1streaming/runtime/tasks/StreamTask.invoke'
];
unpack(cpool);

n(3,10)
u(11)
u(25)
u(49)
u(41)
u(57)
f(17,6,1,7)
f(34,7,4,3)
f(33,6,3,2)

search();`;

describe('async-profiler HTML', () => {
  it('decodes Format A (absolute f() records, 2.7+ type ids) into stacks whose self weights sum to the root', () => {
    const run = runFlame(page(FORMAT_A), 'tm-3/flame.html');
    expect(run.warnings).toEqual([]);
    const [profile] = run.profiles;
    expect(profile).toMatchObject({ format: 'async-profiler-html-a', mode: 'cpu', title: 'CPU profile', tm: 'tm-3' });
    expect(totalWeight(profile!)).toBe(10);
    expect(collapsedOf(profile!)).toEqual(EXPECTED);
  });

  it('decodes Format B (prefix-compressed cpool, f/u/n records) to the same stacks', () => {
    const run = runFlame(page(FORMAT_B));
    expect(run.warnings).toEqual([]);
    expect(run.profiles[0]!.format).toBe('async-profiler-html-b');
    expect(collapsedOf(run.profiles[0]!)).toEqual(EXPECTED);
  });

  it('reads 2.0–2.6 heuristic type ids when the palette has five colours', () => {
    const legacy = `const palette = [\n[1],\n[2],\n[3],\n[4],\n[5],\n];\nf(0,0,3,4,'all')\nf(1,0,3,0,'Main.run')\nf(2,0,2,2,'do_syscall_64')`;
    const run = runFlame(page(legacy, 'Flame Graph'));
    expect(run.profiles[0]!.mode).toBe('unknown');
    expect(collapsedOf(run.profiles[0]!)).toEqual(['Main.run@jit 1', 'Main.run@jit;do_syscall_64@kernel 2']);
  });

  it('unescapes quotes, skips differential d= lines and uses the mode from the title', () => {
    const body = `const maxdiff = 4;\nconst cpool = [\n'all',\n' it\\'s',\n' z\\\\y'\n];\n\nd=U\nn(3,5)\nd=2\nu(8,3)\nn(16,2)\n`;
    const run = runFlame(page(body, 'Allocation profile'));
    expect(run.profiles[0]).toMatchObject({ mode: 'alloc', title: 'Allocation profile · differential (second profile)' });
    expect(collapsedOf(run.profiles[0]!)).toEqual(["it's@interpreted 3", 'z\\y@interpreted 2']);
  });

  it('keeps what was read from a truncated page and warns when no frame data is present', () => {
    const text = readFileSync('/work/shared/corpus/flame/07-async-profiler-v3-format-flamegraph.html', 'utf8');
    const cut = runFlame(text.slice(0, text.indexOf('f(826,7,6,17,15,1,0)')), 'cut.html');
    expect(cut.profiles).toHaveLength(1);
    expect(totalWeight(cut.profiles[0]!)).toBe(584); // the root width is known, missing children count as its self
    const empty = runFlame(page('let x = 1;'));
    expect(empty.profiles).toEqual([]);
    expect(empty.warnings[0]!.message).toMatch(/no cpool table/);
  });
});
