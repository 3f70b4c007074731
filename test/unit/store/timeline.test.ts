import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attributeGcSources } from '../../../src-main/core/analysis/gc-attribution.js';
import { gcJvmOwners, timeline } from '../../../src-main/core/store/queries/timeline.js';
import { Level } from '../../../src-main/core/model/records.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';
import { FAILED_CHECKPOINT, JM_LINES, makeFixture, SECOND, T0, type Fixture } from '../api/fixture.js';

describe('timeline', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
  });
  afterEach(() => f.db.close());

  it('returns every lane for the whole incident with checkpoint outcomes', () => {
    const data = timeline(f.db, { from: T0, to: T0 + 300 * SECOND, widthPx: 1200 });
    expect(data.checkpoints.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(data.checkpoints.find((c) => c.id === FAILED_CHECKPOINT)?.outcome).toBe('expired');
    expect(data.vertices).toHaveLength(1);
    const map = data.vertices[0]!;
    expect(map.name).toBe('Map');
    expect(map.subtasks.map((s) => s.subtask)).toEqual([0, 1]);
    const pending = map.subtasks[1]!.marks.find((m) => m.checkpointId === FAILED_CHECKPOINT)!;
    expect(pending.status).toBe('pending');
    // never acknowledged: drawn up to the checkpoint's expiry
    expect(pending.end).toBe(T0 + 6 * 30 * SECOND + 10 * SECOND);
    expect(data.findings.map((x) => x.checkpointId)).toEqual([FAILED_CHECKPOINT]);
  });

  it('sends individual GC pauses when they fit and pixel buckets when dense', () => {
    const sparse = timeline(f.db, { from: T0 + 175 * SECOND, to: T0 + 195 * SECOND, widthPx: 1000, lanes: ['gc'] });
    const lane = sparse.gc[0]!;
    expect(lane.tm).toBe('tm-1');
    expect(lane.pauses).not.toBeNull();
    expect(lane.pauses!.filter((p) => p.full).map((p) => p.durationUs)).toEqual([5 * SECOND]);

    const dense = timeline(f.db, { from: T0, to: T0 + 300 * SECOND, widthPx: 300, lanes: ['gc'] });
    const denseLane = dense.gc[0]!;
    expect(denseLane.pauses).toBeNull();
    expect(denseLane.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(301);
    expect(Math.max(...denseLane.buckets.map((b) => b.maxPauseUs))).toBe(5 * SECOND);
    expect(denseLane.buckets.every((b) => b.bucket >= 0 && b.bucket <= 300)).toBe(true);
    expect(denseLane.heap.length).toBeLessThanOrEqual(301);
    // other lanes were not asked for
    expect(dense.checkpoints).toEqual([]);
    expect(dense.logVolume).toBeNull();
  });

  it('buckets backpressure per vertex and subtask with the worst level', () => {
    const data = timeline(f.db, { from: T0, to: T0 + 300 * SECOND, widthPx: 60, lanes: ['backpressure'] });
    const lane = data.backpressure[0]!;
    expect(lane.name).toBe('Map');
    expect(lane.subtasks.map((s) => s.subtask)).toEqual([0, 1]);
    expect(lane.subtasks[0]!.cells.every((c) => c.level === 'ok')).toBe(true);
    expect(lane.cells.at(-1)!.level).toBe('high');
    expect(lane.cells.at(-1)!.ratio).toBeCloseTo(0.9);
  });

  it('groups events into categories per pixel bucket', () => {
    const data = timeline(f.db, { from: T0, to: T0 + 300 * SECOND, widthPx: 10, lanes: ['events'] });
    expect(data.events.map((e) => [e.category, e.count])).toEqual([['restart', 1], ['task-failure', 1]]);
    expect(data.events[1]!.label).toContain('Map (2)');
  });

  it('counts every event in the range once, whatever the zoom or a fractional range edge', () => {
    const writer = new IncidentWriter(f.db);
    writer.beginSource({ path: 'bundle/tm-x.log', detection: { kind: 'flink-tm-log', format: 'flink', reason: 'test' }, sha256: 'x', bytes: 1, tz: 'UTC', clockOffsetUs: 0 });
    for (let i = 0; i < 1000; i++) {
      writer.event({ ts: T0 + 100 * SECOND + i * 100_000, kind: 'exception', template: 'E', level: Level.Error, line: i + 1, lineCount: 1, attrs: { exceptionClass: 'java.io.IOException' } });
    }
    writer.commitSource({ sha256: 'x', bytes: 1, lines: 1000, events: 1000, warnings: 0, timeFromUs: T0 + 100 * SECOND, timeToUs: T0 + 200 * SECOND });
    const exceptionsIn = (from: number, to: number, widthPx: number): number =>
      timeline(f.db, { from, to, widthPx, lanes: ['events'] }).events.filter((e) => e.category === 'exception').reduce((sum, e) => sum + e.count, 0);
    expect(exceptionsIn(T0, T0 + 300 * SECOND, 1000)).toBe(1000);
    expect(exceptionsIn(T0, T0 + 300 * SECOND, 20)).toBe(1000);
    // [T0+150.05 s, T0+160.25 s]: events at 150.1 … 160.2 s, every 0.1 s
    expect(exceptionsIn(T0 + 150 * SECOND + 50_000.5, T0 + 160 * SECOND + 250_000.5, 333)).toBe(102);
    const marks = timeline(f.db, { from: T0 + 120 * SECOND, to: T0 + 180 * SECOND, widthPx: 600, lanes: ['events'] }).events;
    const panned = timeline(f.db, { from: T0 + 125 * SECOND, to: T0 + 185 * SECOND, widthPx: 600, lanes: ['events'] }).events;
    const inside = (m: { ts: number }): boolean => m.ts >= T0 + 130 * SECOND && m.ts < T0 + 170 * SECOND;
    expect(panned.filter(inside).map((m) => [m.ts, m.count])).toEqual(marks.filter(inside).map((m) => [m.ts, m.count]));
  });

  it('counts log volume by level, exactly when zoomed in and spread when zoomed out', () => {
    const zoomedOut = timeline(f.db, { from: T0 - 10 * SECOND, to: T0 + 400 * SECOND, widthPx: 300, lanes: ['logVolume'] });
    const total = (v: typeof zoomedOut.logVolume) => v!.counts.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0);
    expect(total(zoomedOut.logVolume)).toBeGreaterThan(JM_LINES + 100 - 5);
    expect(total(zoomedOut.logVolume)).toBeLessThan(JM_LINES + 100 + 5);
    const errors = zoomedOut.logVolume!.counts.reduce((s, c) => s + c[4], 0);
    expect(errors).toBe(6);
  });

  it('folds checkpoints sharing a pixel but keeps the failed one', () => {
    const data = timeline(f.db, { from: T0, to: T0 + 300 * SECOND, widthPx: 2, lanes: ['checkpoints', 'subtasks'] });
    expect(data.checkpoints.some((c) => c.id === FAILED_CHECKPOINT)).toBe(true);
    expect(data.checkpoints.length).toBeLessThan(10);
    const marks = data.vertices[0]!.subtasks[1]!.marks;
    expect(marks.some((m) => m.checkpointId === FAILED_CHECKPOINT)).toBe(true);
    expect(marks.reduce((sum, m) => sum + 1 + m.merged, 0)).toBe(10);
  });
});

describe('gcJvmOwners', () => {
  it('labels GC logs with the TaskManager and host that GC attribution stored, matching host names as whole tokens', async () => {
    const f = await makeFixture();
    const writer = new IncidentWriter(f.db);
    for (const path of ['bundle/gc/gc-host-1.log', 'bundle/gc/gc-host-10.log']) {
      writer.beginSource({ path, detection: { kind: 'gc-log', format: 'ujl', reason: 'test' }, sha256: path, bytes: 1, tz: 'UTC', clockOffsetUs: 0 });
      writer.gc({ start: T0, durationUs: 1000, eventClass: 'pause', kind: 'young', name: 'Pause Young', line: 1, lineCount: 1, timeConfidence: 'exact', timeBasis: 'logged-start' }, path);
      writer.commitSource({ sha256: path, bytes: 1, lines: 1, events: 1, warnings: 0, timeFromUs: T0, timeToUs: T0 });
    }
    const before = new Map(gcJvmOwners(f.db).map((o) => [o.jvm, o]));
    expect(before.get('bundle/gc/gc-host-1.log')).toMatchObject({ tm: null });
    attributeGcSources(f.db);
    const owners = new Map(gcJvmOwners(f.db).map((o) => [o.jvm, o]));
    expect(owners.get('bundle/gc/gc-host-1.log')).toMatchObject({ tm: 'tm-1', host: 'host-1' });
    expect(owners.get('bundle/gc/gc-host-10.log')).toMatchObject({ tm: null });
    expect(owners.get('tm-1')).toMatchObject({ tm: 'tm-1' });
    const lanes = timeline(f.db, { from: T0 - SECOND, to: T0 + SECOND, widthPx: 100, lanes: ['gc'] }).gc;
    expect(lanes.find((l) => l.jvm === 'bundle/gc/gc-host-1.log')).toMatchObject({ tm: 'tm-1', host: 'host-1' });
    f.db.close();
  });
});
