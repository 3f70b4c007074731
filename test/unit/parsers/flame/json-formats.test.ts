import { describe, expect, it } from 'vitest';
import { collapsedOf, runFlame, totalWeight } from './sink.js';

const FLINK = {
  endTimestamp: 1772446867123,
  data: {
    name: 'root',
    value: 200,
    children: [
      {
        name: 'java.lang.Thread.run:840',
        value: 200,
        children: [
          {
            name: 'org.apache.flink.streaming.runtime.tasks.StreamTask.invoke:931',
            value: 200,
            children: [
              { name: 'com.example.Enricher.map:51', value: 140, children: [{ name: 'java.util.HashMap.get:556', value: 60, children: [] }] },
              { name: 'jdk.internal.misc.Unsafe.park:-2', value: 60, children: [] },
            ],
          },
        ],
      },
    ],
  },
};
const VERTEX = 'fedcba9876543210fedcba9876543210';

describe('Flink REST flame graph JSON', () => {
  it('turns the inclusive tree into stacks of Java frames over the 5 s sampling window before endTimestamp', () => {
    const run = runFlame(JSON.stringify(FLINK), `rest/jobs/0123456789abcdef0123456789abcdef/vertices/${VERTEX}/flamegraph?type=OFF_CPU`);
    expect(run.warnings).toEqual([]);
    const [profile] = run.profiles;
    expect(profile).toMatchObject({
      format: 'flink-flamegraph',
      mode: 'off-cpu',
      vertexId: VERTEX,
      startTs: 1772446867123000 - 5_000_000,
      endTs: 1772446867123000,
      timeExact: false,
    });
    expect(totalWeight(profile!)).toBe(200);
    const p = 'java.lang.Thread.run:840@java;org.apache.flink.streaming.runtime.tasks.StreamTask.invoke:931@java';
    expect(collapsedOf(profile!)).toEqual([
      `${p};com.example.Enricher.map:51@java 80`,
      `${p};com.example.Enricher.map:51@java;java.util.HashMap.get:556@java 60`,
      `${p};jdk.internal.misc.Unsafe.park:-2@java 60`,
    ]);
  });

  it('maps FULL to wall and a missing type to unknown', () => {
    expect(runFlame(JSON.stringify(FLINK), 'x/flamegraph?type=full').profiles[0]!.mode).toBe('wall');
    expect(runFlame(JSON.stringify(FLINK), 'x/flamegraph.json').profiles[0]!.mode).toBe('unknown');
  });

  it.each([
    [-1, /terminated/],
    [-2, /disabled/],
    [-3, /waiting/],
  ])('warns and emits no profile for endTimestamp %i with data null', (end, why) => {
    const run = runFlame(JSON.stringify({ endTimestamp: end, data: null }), 'flamegraph.json');
    expect(run.profiles).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]!.message).toMatch(why);
  });

  it('warns about truncated JSON with the line it broke on', () => {
    const text = JSON.stringify(FLINK, null, 1);
    const run = runFlame(text.slice(0, text.length / 2), 'flamegraph.json');
    expect(run.profiles).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]!.message).toMatch(/unreadable/);
  });
});

describe('d3-flame-graph hierarchy JSON', () => {
  it('reads inclusive values (self = value − Σ children) and drops a synthetic root', () => {
    const run = runFlame(JSON.stringify({ name: 'root', value: 10, children: [{ name: 'a', value: 10, children: [{ name: 'b', value: 4 }] }] }), 'stacks.json');
    expect(run.profiles[0]!.format).toBe('d3-hierarchy');
    expect(collapsedOf(run.profiles[0]!)).toEqual(['a 6', 'a;b 4']);
  });

  it('reads self values when children sum to more than their parent', () => {
    const run = runFlame(JSON.stringify({ name: 'main', value: 1, children: [{ name: 'work', value: 5 }] }), 'stacks.json');
    expect(collapsedOf(run.profiles[0]!)).toEqual(['main 1', 'main;work 5']);
  });

  it('reads a bare Flink tree as Flink Java frames when detection says so', () => {
    const run = runFlame(JSON.stringify(FLINK.data), 'vertex-flame.json', { format: 'flink-flamegraph' });
    expect(run.profiles[0]).toMatchObject({ format: 'flink-flamegraph' });
    expect(run.profiles[0]!.startTs).toBeUndefined();
    expect(run.profiles[0]!.stacks[0]!.frames[0]!.type).toBe('java');
  });

  it('warns about malformed nodes and keeps the rest', () => {
    const run = runFlame(JSON.stringify({ name: 'root', value: 3, children: [{ name: 'a', value: 'x' }, { name: 'b', value: 3, children: 'no' }] }));
    expect(collapsedOf(run.profiles[0]!)).toEqual(['b 3']);
    expect(run.warnings.length).toBe(2);
  });
});

describe('speedscope JSON', () => {
  const evented = {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: [{ name: 'StreamTask.invoke' }, { name: 'Enricher.map', file: 'Enricher.java', line: 51 }] },
    profiles: [
      {
        type: 'evented',
        name: 'Window (2/8)#0',
        unit: 'milliseconds',
        startValue: 0,
        endValue: 20,
        events: [
          { type: 'O', at: 0, frame: 0 },
          { type: 'O', at: 3, frame: 1 },
          { type: 'C', at: 15, frame: 1 },
          { type: 'C', at: 20, frame: 0 },
        ],
      },
    ],
  };

  it('turns open/close events into weighted stacks in µs, without timestamps when no capture time is known', () => {
    const run = runFlame(JSON.stringify(evented), 'trace.speedscope.json');
    expect(run.warnings).toEqual([]);
    const [profile] = run.profiles;
    expect(profile).toMatchObject({ format: 'speedscope-evented', title: 'Window (2/8)#0 (weights in µs)', timeExact: false });
    expect(profile!.samples).toBeUndefined();
    expect(collapsedOf(profile!)).toEqual(['StreamTask.invoke 8000', 'StreamTask.invoke;Enricher.map 12000']);
  });

  it('places samples at the file-name capture time plus their offsets, never exact', () => {
    const run = runFlame(JSON.stringify(evented), 'trace-2024-03-01_10-00-00.speedscope.json');
    const base = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;
    const [profile] = run.profiles;
    expect(profile).toMatchObject({ startTs: base, endTs: base + 20_000, timeExact: false });
    expect(profile!.samples!.map((s) => [s.ts - base, s.weight])).toEqual([
      [0, 3000],
      [3000, 12000],
      [15000, 5000],
    ]);
  });

  it('reads sampled profiles and warns about out-of-order closes and unknown frames', () => {
    const file = {
      shared: { frames: [{ name: 'a' }, { name: 'b' }] },
      profiles: [
        { type: 'sampled', name: 'cpu', unit: 'none', startValue: 0, endValue: 3, samples: [[0, 1], [0, 7], [0]], weights: [1, 1, 1] },
        { type: 'evented', name: 'ev', unit: 'none', startValue: 0, endValue: 4, events: [{ type: 'O', at: 0, frame: 0 }, { type: 'O', at: 1, frame: 1 }, { type: 'C', at: 2, frame: 0 }] },
      ],
    };
    const run = runFlame(JSON.stringify(file), 'x.json');
    expect(collapsedOf(run.profiles[0]!)).toEqual(['a 1', 'a;[missing frame 7] 1', 'a;b 1']);
    expect(collapsedOf(run.profiles[1]!)).toEqual(['a 1', 'a;b 1']);
    expect(run.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/missing frame 7/),
      expect.stringMatching(/out of order/),
    ]);
  });

  it('says which JSON formats are not supported', () => {
    const run = runFlame(JSON.stringify({ nodes: [], startTime: 0, endTime: 1, samples: [], timeDeltas: [] }), 'x.cpuprofile');
    expect(run.profiles).toEqual([]);
    expect(run.warnings[0]!.message).toMatch(/cpuprofile is not a supported/);
  });
});
