import { describe, expect, it } from 'vitest';
import { collapsedOf, runFlame, totalWeight } from './sink.js';

describe('collapsed stacks', () => {
  it('splits on the last space, keeps spaces in frames, strips annotation suffixes into types and sums repeats', () => {
    const text = [
      '[Source: orders (1/4)#0 tid=4711];java/lang/Thread.run_[j];void foo<int>(int, long)_[k] 3',
      '[Source: orders (1/4)#0 tid=4711];java/lang/Thread.run_[j];void foo<int>(int, long)_[k] 2',
      'a_[0];b_[1];c_[i];d_[w] 1',
    ].join('\n');
    const run = runFlame(text);
    expect(run.warnings).toEqual([]);
    expect(run.profiles).toHaveLength(1);
    expect(collapsedOf(run.profiles[0]!)).toEqual([
      'a@interpreted;b@c1;c@inlined;d@waker 1',
      '{Source: orders (1/4)#0}[Source: orders (1/4)#0 tid=4711]@thread;java/lang/Thread.run@jit;void foo<int>(int, long)@kernel 5',
    ]);
    expect(run.profiles[0]).toMatchObject({ format: 'collapsed', mode: 'unknown', timeExact: false });
  });

  it('skips comments, warns about invalid lines with their line number and keeps the rest; reads CRLF', () => {
    const run = runFlame('# header\r\n// note\r\na;b 2\r\nnot a stack\r\n\r\na;b;c x\r\na;c 3\r\n');
    expect(run.warnings.map((w) => w.line)).toEqual([4, 6]);
    expect(collapsedOf(run.profiles[0]!)).toEqual(['a;b 2', 'a;c 3']);
  });

  it('warns and emits nothing for an empty or comment-only file', () => {
    expect(runFlame('')).toMatchObject({ profiles: [], warnings: [{ message: expect.stringContaining('empty') }] });
    expect(runFlame('# only\n').profiles).toEqual([]);
    expect(runFlame('# only\n').warnings).toHaveLength(1);
  });

  it('reads difffolded output (two counts) as a before and an after profile', () => {
    const run = runFlame('java/lang/Thread.run;Enricher.map;HashMap.get 31 87\njava/lang/Thread.run;Enricher.map 120 118\nx;y 0 4\n');
    expect(run.profiles.map((p) => [p.format, p.title, totalWeight(p)])).toEqual([
      ['collapsed-diff', 'before (first count column)', 151],
      ['collapsed-diff', 'after (second count column)', 209],
    ]);
    expect(collapsedOf(run.profiles[0]!)).not.toContain('x;y 0');
  });

  it('treats a file with only some two-count lines as plain collapsed, keeping the number in the frame', () => {
    const run = runFlame('a;frame 12 5\nb 7\n');
    expect(collapsedOf(run.profiles[0]!)).toEqual(['a;frame 12 5', 'b 7']);
  });

  it('decodes UTF-16 with a byte-order mark', () => {
    const run = runFlame(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a;ü 4\n', 'utf16le')]));
    expect(collapsedOf(run.profiles[0]!)).toEqual(['a;ü 4']);
  });

  it('takes mode, TaskManager and capture time from a Flink built-in profiler file name', () => {
    const run = runFlame('a;b 1\n', 'bundle.zip!/profiles/10.0.0.7:40123-0a1b2c_WALL_2024-03-01_10_15_30.collapsed', { zone: 'Europe/Berlin' });
    expect(run.profiles[0]).toMatchObject({
      mode: 'wall',
      tm: '10.0.0.7:40123-0a1b2c',
      host: '10.0.0.7',
      startTs: Date.UTC(2024, 2, 1, 9, 15, 30) * 1000,
      endTs: Date.UTC(2024, 2, 1, 9, 15, 30) * 1000,
      timeExact: false,
    });
  });

  it('spends bounded time on a pathological long line', () => {
    const line = `${'a '.repeat(200_000)}x`;
    const started = performance.now();
    const run = runFlame(`${line}\n`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(run.warnings).toHaveLength(2); // the invalid line, then "no collapsed stack lines"
  });
});
